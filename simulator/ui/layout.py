"""The window's sizes, and remembering its geometry and dock layout between runs (QSettings).

The settings object is always given by the caller (the composition root keeps it in the data
directory), so tests and parallel runs never read or write a user's own settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QMainWindow

from simulator.data_dir import UI

PORTAL_FRAME = QSize(800, 600)  # the documented default frame (Mobile Plans web portal doc)
SIDE_DOCK_WIDTH = 440  # the Operator form, the eSIM columns and the Clock buttons fit
TIMELINE_DOCK_WIDTH = 340
DOCK_SEPARATOR = 6  # between a dock and the portal's frame, in Qt's Fusion style
BOTTOM_DOCK_HEIGHT = 170
WINDOW_CHROME = QSize(40, 120)  # separators and frames; menu bar, tool bar, dock titles
LAYOUT_VERSION = 1  # bump when the docks change, so an old saved state is not applied
SETTINGS_FILE = "window.ini"
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal"})


def window_settings(data_dir: Path) -> QSettings | None:
    """The window's settings file under ``data_dir`` (an INI file a person can delete).

    None when that folder cannot be made (a file in its place, no permission): the window
    then starts at its default layout and remembers nothing, rather than not starting.
    """
    ui_dir = data_dir / UI
    try:
        ui_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not ui_dir.is_dir():
        return None
    return QSettings(str(ui_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


def wanted_window_size() -> QSize:
    """Room for the portal's frame and the docks at their default sizes."""
    return QSize(
        PORTAL_FRAME.width() + SIDE_DOCK_WIDTH + TIMELINE_DOCK_WIDTH + WINDOW_CHROME.width(),
        PORTAL_FRAME.height() + BOTTOM_DOCK_HEIGHT + WINDOW_CHROME.height(),
    )


def default_window_size(window: QMainWindow) -> QSize:
    """:func:`wanted_window_size`, within the screen's available area."""
    wanted = wanted_window_size()
    # screen() is typed as never None, yet it is None on a platform without screens.
    screen: QScreen | None = window.screen()
    if screen is None:
        return wanted
    return wanted.boundedTo(screen.availableSize())


def fits_portal_and_bottom_dock(window: QMainWindow) -> bool:
    """Whether the screen is tall enough for the portal's frame with a dock under it.

    Offscreen (headless runs, screenshots, tests) there is no real screen to fit: always yes,
    so every headless picture has the desktop layout.
    """
    screen: QScreen | None = window.screen()  # None on a platform without screens
    if screen is None or QGuiApplication.platformName() in HEADLESS_PLATFORMS:
        return True
    return screen.availableSize().height() >= wanted_window_size().height()


def save_window(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState(LAYOUT_VERSION))
    settings.sync()


def restore_geometry(window: QMainWindow, settings: QSettings) -> bool:
    """Apply a saved window geometry; False when there is none (or it is unusable)."""
    geometry = settings.value("window/geometry")
    # False for a foreign or damaged value: the default size then stays.
    return isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)


def restore_state(window: QMainWindow, settings: QSettings) -> bool:
    """Apply a saved dock layout (the docks must exist); False when there is none (or it is
    unusable, or from another layout version)."""
    state = settings.value("window/state")
    return isinstance(state, QByteArray) and window.restoreState(state, LAYOUT_VERSION)
