"""Root test configuration: headless Qt set-up that must happen before any QApplication exists.

See qutebrowser's practice: offscreen platform, and as root Chromium needs --no-sandbox.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from simulator.runtime import Runtime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Chromium's flags come from the plugin's `qapp_args` (as root --no-sandbox; offscreen
# --disable-gpu): QTWEBENGINE_CHROMIUM_FLAGS would override them, so it must stay unset.
os.environ.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)

# Property tests check behaviour, not speed: a busy CI machine (Chromium on the other core)
# must not fail them for being slow. Each test's own example budget still bounds its time.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        fixtures = getattr(item, "fixturenames", ())
        if f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.webengine)
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.qt)


@pytest.fixture(scope="session")
def runtime(mobile_plans_runtime: Runtime) -> Runtime:
    """Sockets, TLS and the server loop, once per process, before the QApplication.

    The installed plugin (simulator.pytest_plugin) starts it and builds `qapp_args` from it,
    exactly as it does for a portal team's own suite.
    """
    return mobile_plans_runtime


@pytest.fixture
def ts48_package() -> Callable[[str], Path]:
    """`ts48_package("TS48V2-SAIP2-1-BERTLV-UNIQUE.der")`: a real GSMA TS.48 profile package from
    the interop material beside the repository (CI has it); the test skips without it."""

    def find(name: str) -> Path:
        for folder in Path(__file__).resolve().parents:
            package = folder / "shared" / "interop" / "ts48" / name
            if package.is_file():
                return package
        pytest.skip("interop material (shared/interop/ts48) not found beside the repository")

    return find
