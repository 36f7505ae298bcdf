"""Fixtures shared by the widget tests: a stepped clock, eSIM worlds on a background loop
whose results come back to the GUI thread, as the composition root wires them, and main
windows on pages of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from simulator.background import BackgroundLoop
from simulator.bridge.page import PortalPage
from simulator.clock import VirtualClock
from simulator.device import SimulatedDevice
from simulator.esim_world import EsimWorld
from simulator.events import EventLog
from simulator.runtime import Runtime
from simulator.ui.main_window import MainWindow

EID = "89033023422130000000000199055797"


@pytest.fixture
def clock() -> VirtualClock:
    """Stepped: time moves only when the test advances it."""
    return VirtualClock(0, real_now=lambda: 0.0)


@pytest.fixture
def make_world(
    tmp_path: Path, qapp: QApplication, clock: VirtualClock
) -> Iterator[Callable[..., EsimWorld]]:
    """`make_world(folder="small", memory_limit_bytes=...)`: worlds on one loop, all closed."""
    loop = BackgroundLoop()
    built: list[EsimWorld] = []

    def on_gui_thread(fn: Callable[[], None]) -> None:
        QTimer.singleShot(0, qapp, fn)

    def make(folder: str = "", **options: Any) -> EsimWorld:
        world = EsimWorld(
            tmp_path / folder,
            eid=EID,
            loop=loop,
            clock=clock,
            events=EventLog(clock),
            post=on_gui_thread,
            **options,
        )
        built.append(world)
        return world

    yield make
    for world in built:
        world.close()
    loop.stop()


@pytest.fixture
def world(make_world: Callable[..., EsimWorld]) -> EsimWorld:
    return make_world()


@pytest.fixture
def make_bare_window(
    qtbot: QtBot, qapp: QApplication, runtime: Runtime
) -> Iterator[Callable[..., MainWindow]]:
    """`make(settings=None)`: a main window on a page and profile of its own, with no app
    around it; each is torn down after the test in the order QtWebEngine needs."""
    made: list[tuple[MainWindow, PortalPage, QWebEngineProfile]] = []

    def make(settings: QSettings | None = None) -> MainWindow:
        profile = QWebEngineProfile()
        page = PortalPage(profile, runtime.tls.leaf_der, profile)
        window = MainWindow(page, SimulatedDevice(), "Fabrikam Wireless", settings)
        made.append((window, page, profile))
        return window

    yield make
    for window, page, profile in made:
        window.close()
        window.deleteLater()
        page.deleteLater()
        profile.deleteLater()
    qtbot.wait(20)
