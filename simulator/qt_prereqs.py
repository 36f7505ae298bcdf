"""The system libraries Qt's X11 (xcb) platform needs, checked before Qt starts. Pure.

PySide6's wheels bring Qt but not the X11 helper libraries its xcb plugin loads; a plain
Debian/Ubuntu desktop lacks some (libxcb-cursor0 first), and Qt then aborts with a terse
"could not load the Qt platform plugin". Each library is tried with the dynamic loader, the
way Qt will load it, and the missing ones become one line naming the apt packages.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

# soname → Debian/Ubuntu package (PySide6 6.x, libQt6XcbQpa's own dependencies).
XCB_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when Qt will pick its X11 platform plugin for a window."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if chosen:
        return chosen == "xcb"
    # Unset: Qt 6 prefers Wayland in a Wayland session, else X11.
    return not environ.get("WAYLAND_DISPLAY") and bool(environ.get("DISPLAY"))


def _loads(soname: str) -> bool:
    # Imported here: only a windowed run on X11 asks, and ctypes costs every start ~2 ms.
    import ctypes

    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The apt packages whose library the dynamic loader cannot find."""
    return [package for soname, package in XCB_LIBRARIES if not loads(soname)]


def missing_libraries_message(packages: list[str]) -> str:
    return (
        "Qt's X11 platform needs system libraries that are missing: "
        f"{', '.join(packages)}. Install them with: sudo apt install {' '.join(packages)}"
        " (or run with --headless)"
    )
