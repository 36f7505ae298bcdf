"""The Clock panel shows virtual time and its timers, and moves time only through the clock."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from simulator.clock import VirtualClock
from simulator.ui.panels.clock import ClockPanel, format_duration


@pytest.fixture
def panel(qtbot: QtBot, clock: VirtualClock) -> ClockPanel:
    widget = ClockPanel(clock)
    qtbot.addWidget(widget)
    return widget


def _cell(panel: ClockPanel, row: int, column: int) -> str:
    item = panel.timers.item(row, column)
    return "" if item is None else item.text()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (59.9, "0:00:59"), (3725, "1:02:05"), (2 * 86400 + 3725, "2 d 1:02:05")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_step_buttons_advance_the_clock(
    qtbot: QtBot, clock: VirtualClock, panel: ClockPanel
) -> None:
    button = panel.findChild(QPushButton, "clock-plus-1min")
    assert button is not None
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clock.now() == 60
    panel.step_buttons["clock-plus-15min"].click()
    panel.step_buttons["clock-plus-1h"].click()
    assert clock.now() == 60 + 900 + 3600
    assert panel.now_label.text() == "1:16:00"
    assert "4,560.0 s" in panel.seconds_label.text()


def test_time_moved_elsewhere_shows_on_the_next_refresh(
    qtbot: QtBot, clock: VirtualClock, panel: ClockPanel
) -> None:
    clock.advance(86400 + 3725)  # no timer fires, so the clock tells no listener
    qtbot.waitUntil(lambda: panel.now_label.text() == "1 d 1:02:05", timeout=2000)


def test_pending_timers_are_listed_and_skip_fires_the_next(
    qtbot: QtBot, clock: VirtualClock, panel: ClockPanel
) -> None:
    assert not panel.skip.isEnabled()
    fired: list[str] = []
    clock.call_later(90, lambda: fired.append("download"), "delayed download")
    clock.call_later(3600, lambda: fired.append("billing"), "billing cycle end")
    qtbot.waitUntil(lambda: panel.timers.rowCount() == 2, timeout=2000)
    assert _cell(panel, 0, 0) == "delayed download"
    assert _cell(panel, 0, 1) == "90.0"
    assert _cell(panel, 0, 2) == "0:01:30"  # stepped: no real-time estimate
    assert panel.timers_label.text() == "2 pending timers"
    assert panel.skip.isEnabled()

    panel.skip.click()
    assert fired == ["download"]
    assert clock.now() == 90
    qtbot.waitUntil(lambda: panel.timers.rowCount() == 1, timeout=2000)
    assert _cell(panel, 0, 2) == "0:58:30"


def test_scale_selector_sets_the_clock_scale(clock: VirtualClock, panel: ClockPanel) -> None:
    index = panel.scale.findData(3600.0)
    panel.scale.setCurrentIndex(index)
    panel.scale.activated.emit(index)  # what a user's choice emits
    assert clock.scale == 3600
    clock.call_later(7200, lambda: None, "in two hours")
    panel.refresh()
    assert _cell(panel, 0, 2) == "2:00:00 (≈ 2.0 s real)"
    assert "×3600" in panel.seconds_label.text()


def test_a_scale_the_menu_lacks_is_shown(qtbot: QtBot) -> None:
    panel = ClockPanel(VirtualClock(10, real_now=lambda: 0.0))
    qtbot.addWidget(panel)
    assert panel.scale.currentData() == 10.0
    assert "×10" in panel.scale.currentText()


def test_a_scale_change_made_elsewhere_is_followed(
    qtbot: QtBot, clock: VirtualClock, panel: ClockPanel
) -> None:
    clock.set_scale(60)
    qtbot.waitUntil(lambda: panel.scale.currentData() == 60.0, timeout=2000)


def test_timers_scheduled_on_another_thread_reach_the_panel(
    qtbot: QtBot, clock: VirtualClock, panel: ClockPanel
) -> None:
    worker = threading.Thread(target=lambda: clock.call_later(5, lambda: None, "from a worker"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: panel.timers.rowCount() == 1, timeout=2000)
    assert _cell(panel, 0, 0) == "from a worker"


def test_a_closed_panel_ignores_the_clock(qtbot: QtBot, clock: VirtualClock) -> None:
    panel = ClockPanel(clock)
    panel.deleteLater()
    qtbot.wait(10)
    clock.call_later(5, lambda: None, "after the panel")  # must not touch the deleted widget
    qtbot.wait(10)
