"""Root test configuration: headless Qt set-up that must happen before any QApplication exists.

See spec/style-anchors.md §5.4: offscreen platform, and as root Chromium needs --no-sandbox.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_flags = ["--disable-gpu", "--disable-background-networking", "--disable-component-update"]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    _flags.append("--no-sandbox")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", " ".join(_flags))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        fixtures = getattr(item, "fixturenames", ())
        if f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.webengine)
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.qt)
