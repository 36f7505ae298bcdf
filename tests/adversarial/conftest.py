"""The adversarial suite: structurally mutated valid messages at every edge, each answered with
a refusal while the process keeps serving. The eSIM test helpers live in tests/unit/esim."""

from __future__ import annotations

import sys
from pathlib import Path

_ESIM_HELPERS = Path(__file__).resolve().parents[1] / "unit" / "esim"
if str(_ESIM_HELPERS) not in sys.path:
    sys.path.append(str(_ESIM_HELPERS))
