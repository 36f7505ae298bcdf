"""The report's screenshots: app screens at once, the portal only after its page loaded and
painted (a blank web view is tried again), a replaced portal never mislabelled."""

from __future__ import annotations

from typing import Any, cast

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.report.screens import ScreenCollector


class _Window(QWidget):
    """Stands in for the main window: `view` is the web view, blank until it `paints`."""

    def __init__(self) -> None:
        super().__init__()
        self.resize(240, 160)
        self.view = QLabel("", self)
        self.view.setAutoFillBackground(True)
        palette = self.view.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.view.setPalette(palette)
        QVBoxLayout(self).addWidget(self.view)

    def paints(self) -> None:
        self.view.setText("Choose a data plan")


class _Simulator:
    def __init__(self) -> None:
        self.events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
        self.window = _Window()


@pytest.fixture
def simulator(qtbot: QtBot) -> _Simulator:
    sim = _Simulator()
    qtbot.addWidget(sim.window)
    sim.window.show()
    return sim


def _collector(simulator: _Simulator, attempts: int = 50) -> ScreenCollector:
    return ScreenCollector(
        cast(Any, simulator),
        portal_delay_ms=10,
        retry_ms=10,
        attempts=attempts,
        load_wait_ms=60_000,
    )


def test_the_portal_waits_for_its_load_and_its_first_paint(
    qtbot: QtBot, simulator: _Simulator
) -> None:
    collector = _collector(simulator)
    portal = simulator.events.emit("ui.screen", screen="portal")
    qtbot.wait(50)
    assert collector.screenshots == []  # not loaded yet
    simulator.events.emit("portal.loaded", url="https://contoso.example/")
    qtbot.wait(80)
    assert collector.screenshots == []  # loaded, but the view is still blank
    simulator.window.paints()
    qtbot.waitUntil(lambda: len(collector.screenshots) == 1)
    assert collector.screenshots[0].seq == portal.seq
    assert collector.screenshots[0].screen == "portal"
    assert collector.screenshots[0].png.startswith(b"\x89PNG")
    collector.close()


def test_app_screens_at_once_and_a_replaced_portal_is_skipped(
    qtbot: QtBot, simulator: _Simulator
) -> None:
    collector = _collector(simulator)
    simulator.events.emit("ui.screen", screen="portal")
    popup = simulator.events.emit("ui.screen", screen="progress-popup", text="Installing")
    assert [(s.seq, s.screen, s.text) for s in collector.screenshots] == [
        (popup.seq, "progress-popup", "Installing")
    ]
    simulator.events.emit("portal.loaded", url="https://contoso.example/")
    qtbot.wait(80)
    assert len(collector.screenshots) == 1  # the replaced portal is not grabbed late
    collector.close()


def test_a_portal_that_never_paints_is_kept_after_the_last_try(
    qtbot: QtBot, simulator: _Simulator
) -> None:
    collector = _collector(simulator, attempts=3)
    simulator.events.emit("ui.screen", screen="portal")
    simulator.events.emit("portal.loaded", url="https://contoso.example/")
    qtbot.waitUntil(lambda: len(collector.screenshots) == 1)
    collector.close()
