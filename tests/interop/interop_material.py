"""Where the real peers' material lives: ``../shared/interop`` next to the repository.

The material (SGP.26 test certificates, TS.48 profiles, lpac's stdio exchanges) is third-party
test data kept outside the repository. CI checks it out beside the repository; on a developer
machine it may sit beside any parent directory (``<parent>/shared/interop``), or be named with
``MOBILEPLANS_INTEROP_DIR``. Without it the interop tests skip and say where they looked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def _find() -> Path | None:
    named = os.environ.get("MOBILEPLANS_INTEROP_DIR")
    if named:
        return Path(named)
    for parent in REPOSITORY.parents:
        candidate = parent / "shared" / "interop"
        if candidate.is_dir():
            return candidate
    return None


INTEROP = _find()


def material(*parts: str) -> Path:
    """A path inside the interop material; skips the test when the material is absent."""
    if INTEROP is None or not INTEROP.is_dir():
        pytest.skip("interop material not found (../shared/interop or MOBILEPLANS_INTEROP_DIR)")
    path = INTEROP.joinpath(*parts)
    assert path.exists(), f"{path} is missing from the interop material"
    return path
