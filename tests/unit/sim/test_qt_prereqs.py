"""First run on a plain desktop: missing Qt xcb libraries are one clear line (point 8)."""

from __future__ import annotations

import pytest

from simulator import cli
from simulator.qt_prereqs import (
    XCB_LIBRARIES,
    missing_libraries_message,
    missing_xcb_packages,
    uses_xcb,
)


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        (
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"},
            "linux",
            True,
        ),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "darwin", False),
    ],
)
def test_the_check_applies_only_where_qt_picks_x11(
    environ: dict[str, str], platform: str, expected: bool
) -> None:
    assert uses_xcb(environ, platform) is expected


def test_missing_libraries_name_their_apt_packages() -> None:
    present = {"libxcb-icccm.so.4", "libxcb-image.so.0"}
    missing = missing_xcb_packages(lambda soname: soname in present)
    assert missing[0] == "libxcb-cursor0"
    assert "libxcb-icccm4" not in missing
    assert len(missing) == len(XCB_LIBRARIES) - 2
    assert missing_xcb_packages(lambda _soname: True) == []
    assert missing_libraries_message(["libxcb-cursor0", "libxcb-xkb1"]) == (
        "Qt's X11 platform needs system libraries that are missing: libxcb-cursor0, "
        "libxcb-xkb1. Install them with: sudo apt install libxcb-cursor0 libxcb-xkb1 "
        "(or run with --headless)"
    )


def test_run_says_so_before_qt_starts_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(cli, "missing_xcb_packages", lambda: ["libxcb-cursor0"])
    assert cli.main(["run"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == (
        "mobileplans-sim: error: Qt's X11 platform needs system libraries that are missing: "
        "libxcb-cursor0. Install them with: sudo apt install libxcb-cursor0 "
        "(or run with --headless)\n"
    )
