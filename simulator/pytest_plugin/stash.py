"""What the fixture leaves on a test item for the plugin's hooks (reports, failure sections)."""

from __future__ import annotations

import pytest

from simulator.pytest_plugin.driver import MobilePlans

DRIVER = pytest.StashKey[MobilePlans]()
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
