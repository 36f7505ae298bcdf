"""The main window in two steps: the shell the portal loads in at once, the furniture after.

The shell must stay light (its modules are imported and its Qt types touched before the
portal's first load), and nothing may be lost while it waits: events observed before the
window was furnished reach the furnished parts in order, a part read early furnishes the
window, and the saved dock layout is applied once every dock exists.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from simulator.back_office import add_panel_docks
from simulator.events import Event
from simulator.ui.layout import window_settings
from simulator.ui.main_window import MainWindow

_seq = count(1)


def event(kind: str, **fields: Any) -> Event:
    return Event(next(_seq), 0.0, "", kind, fields)


@pytest.fixture
def make_window(make_bare_window: Callable[..., MainWindow]) -> Callable[..., MainWindow]:
    return make_bare_window


def test_the_shell_imports_none_of_the_furniture() -> None:
    # What `mobileplans-sim run` imports before it launches the portal: the furniture's modules
    # (and the Qt namespace, whose ~90 Python enums PySide makes on first touch) come later.
    furniture = (
        "simulator.ui.menus",
        "simulator.ui.toasts",
        "simulator.ui.overlays",
        "simulator.ui.leave_dialog",
        "simulator.ui.screens",
        "simulator.ui.style",
        "simulator.ui.panels.device",
    )
    script = (
        "import sys, simulator.cli, simulator.preload, simulator.runner, simulator.app; "
        f"print(sorted(m for m in sys.modules if m in {furniture!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.strip() == "[]"


def test_a_new_window_is_a_shell_with_the_portal_frame(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window()
    assert not window.is_furnished
    assert window.stack.currentWidget() is window.portal_area
    assert window.findChildren(QDockWidget) == []
    assert window.view.page() is not None
    # Torn down furnished, as every other test's window: a shell torn down at once, in a
    # process that ends right after, was seen to crash at exit when Chromium's GPU thread
    # logged a warning through a message handler pytest-qt had already removed.
    window.furnish()


def test_the_shells_first_show_reaches_no_python_event_handler() -> None:
    # The first QEvent handed to a Python override makes PySide build QEvent.Type, 2 ms on the
    # way to the portal's first load: the shell's widgets leave the events of a show to Qt.
    from PySide6.QtWidgets import QMainWindow, QWidget

    from simulator.ui.window_parts import PortalFrame

    shown = ("event", "showEvent", "resizeEvent", "moveEvent", "paintEvent", "changeEvent")
    for cls, base in ((MainWindow, QMainWindow), (PortalFrame, QWidget)):
        for handler in shown:
            assert getattr(cls, handler) is getattr(base, handler), f"{cls.__name__}.{handler}"


def test_reading_a_furnished_part_furnishes_the_window(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window()
    docks = window.docks
    assert window.is_furnished
    assert set(docks) == {"timeline", "contract", "device"}
    assert window.menuBar().actions()  # the menus came with it
    assert window.stack.currentWidget() is window.provider_page  # nothing shown yet


def test_the_first_load_furnishes_the_window_in_a_quiet_moment(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    window.view.page().loadFinished.emit(True)
    assert not window.is_furnished  # the portal's own work right after its load comes first
    qtbot.waitUntil(lambda: window.is_furnished, timeout=2000)


def test_events_wait_in_order_and_one_that_shows_something_furnishes(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    quiet = [
        event("portal.launch", url="https://x.test/", params={"transactionId": "cv-1"}),
        event("ui.screen", screen="portal", text=""),
        event("bridge.call", object="DataMart", method="notifyBalanceAddition"),
    ]
    for each in quiet:
        window.observe(each)
    assert not window.is_furnished  # the shell shows all of that already
    window.observe(event("ui.screen", screen="error", text="The download failed."))
    assert window.is_furnished
    assert window.stack.currentWidget() is window.error_page
    assert window.error_cv.text() == "CV: cv-1"  # the launch seen before was handed over
    window.panels.build()
    timeline = window.timeline
    qtbot.waitUntil(lambda: timeline.model.rowCount() >= 4)
    kinds = [timeline.model.event_at(row).kind for row in range(timeline.model.rowCount())]
    assert kinds == ["portal.launch", "ui.screen", "bridge.call", "ui.screen"]


def test_a_banner_before_the_furniture_is_shown(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.observe(event("ui.screen", screen="portal", text="Updating your settings"))
    assert window.is_furnished
    assert window.banner.text.text() == "Updating your settings"
    assert window.banner.isVisible()


def test_a_saved_dock_layout_is_applied_once_the_docks_exist(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    settings = window_settings(tmp_path / "data")
    first = make_window(settings)
    first.furnish()
    first.show()
    qtbot.waitExposed(first)
    first.docks["timeline"].setFloating(True)
    first.close()

    again = make_window(window_settings(tmp_path / "data"))
    again.show()  # shown as a shell: its geometry now, its docks' layout when furnished
    qtbot.waitExposed(again)
    assert not again.is_furnished
    again.furnish()
    assert again.docks["timeline"].isFloating()
    assert not again.docks["device"].isFloating()


def test_furnished_after_it_was_shown_everything_is_on_screen(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    # A widget made after its window was shown stays hidden until shown itself.
    window = make_window()
    window.when_furnished(lambda: add_panel_docks(window))  # as the simulator's back office
    window.show()
    qtbot.waitExposed(window)
    frame_at = window.portal_area.mapTo(window, QPoint(0, 0))
    window.furnish()
    qtbot.wait(20)
    # The shell kept the left dock column's room: the portal's frame moves by a few pixels
    # (the menu bar's height, a dock's own width), not by the column's 440.
    moved = window.portal_area.mapTo(window, QPoint(0, 0)) - frame_at
    assert abs(moved.x()) <= 16, moved
    assert abs(moved.y()) <= 32, moved
    assert window.toolbar.isVisible()
    assert window.menuBar().isVisible()
    for name, dock in window.docks.items():
        assert dock.isVisible(), name
        assert dock.width() > 100, name  # laid out, not a new widget's default size
    assert window.stack.currentWidget() is window.provider_page
