"""Fixtures shared by the widget tests: a stepped clock and eSIM worlds on a background loop
whose results come back to the GUI thread, as the composition root wires them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.esim_world import EsimWorld
from simulator.events import EventLog

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
