"""Fixtures for the plugin's own tests: pytester runs of the plugin in fresh processes.

Each pytester run is a subprocess: Chromium's resolver rules are fixed per process, so a run
needs its own QApplication, as a portal team's CI would have.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import pytest

PLUGIN = "simulator.pytest_plugin"


def pytest_configure(config: pytest.Config) -> None:
    # pytester is not loaded by the root conftest; a non-root conftest may not name it in
    # `pytest_plugins`, so it is imported here (a no-op once something else has loaded it).
    config.pluginmanager.import_plugin("pytester")


def plugin_args() -> list[str]:
    """`-p simulator.pytest_plugin` until the pytest11 entry point is installed; then nothing
    (naming it twice would register the module under two names, which pluggy refuses)."""
    installed = any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", PLUGIN]


INI = """
[pytest]
qt_api = pyside6
qt_log_level_fail = WARNING
filterwarnings = error
addopts = -p no:cacheprovider
"""


@pytest.fixture
def plugin_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester folder with an ini like a portal team's, running in its own process."""
    pytester.makeini(INI)
    pytester.syspathinsert()
    return pytester


def run(pytester: pytest.Pytester, *args: str, timeout: float = 240) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*plugin_args(), *args, timeout=timeout)


__all__ = ["INI", "PLUGIN", "plugin_args", "run", "sys"]
