"""While a simulator lives, Python's cyclic collector runs on the GUI thread only: a
collection on a background thread finalizes PySide objects there, whose disconnect waits for
the interpreter lock while holding Qt's connection lock, and a GUI thread connecting inside a
Qt call (a page load) then waits for that lock for ever."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from simulator.gui_collector import GuiThreadCollector, _due_generation


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collections() -> Iterator[list[str]]:
    """The thread of every collection that starts."""
    seen: list[str] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(threading.current_thread().name)

    was_enabled = gc.isenabled()
    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)
        if was_enabled:
            gc.enable()


def _make_garbage_on_a_thread(cycles: int) -> None:
    def work() -> None:
        for _ in range(cycles):
            _Cycle()

    worker = threading.Thread(target=work, name="background")
    worker.start()
    worker.join()


def test_background_garbage_is_collected_on_the_gui_thread_only(
    qtbot: Any, collections: list[str]
) -> None:
    collector = GuiThreadCollector(tick_ms=10)
    gc.enable()
    collector.acquire()
    try:
        assert not gc.isenabled()
        for _ in range(5):
            _make_garbage_on_a_thread(20_000)  # far past every threshold
            qtbot.wait(30)
        qtbot.waitUntil(lambda: gc.get_count()[0] <= gc.get_threshold()[0], timeout=5000)
    finally:
        collector.release()
    assert gc.isenabled()  # given back as it was wanted
    assert collections, "nothing was collected"
    assert set(collections) == {threading.main_thread().name}


def test_a_collection_held_off_stays_off_until_turned_on(
    qtbot: Any, collections: list[str]
) -> None:
    gc.disable()  # as a run's start-up holds it until the portal's first load
    collector = GuiThreadCollector(tick_ms=10)
    collector.acquire()
    try:
        _make_garbage_on_a_thread(20_000)
        qtbot.wait(50)
        assert collections == []
        gc.enable()  # the first load is over: the collector takes it at its next tick
        qtbot.waitUntil(lambda: not gc.isenabled(), timeout=5000)
        _make_garbage_on_a_thread(20_000)
        qtbot.waitUntil(lambda: bool(collections), timeout=5000)
    finally:
        collector.release()
    assert set(collections) == {threading.main_thread().name}


def test_the_last_release_gives_collection_back_and_extra_releases_do_nothing(
    qtbot: Any, collections: list[str]
) -> None:
    gc.enable()
    collector = GuiThreadCollector(tick_ms=10)
    collector.acquire()
    collector.acquire()
    collector.release()
    assert collector.active
    assert not gc.isenabled()
    collector.release()
    collector.release()
    assert not collector.active
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("counts", "thresholds", "due"),
    [
        ((10, 0, 0), (700, 10, 10), None),
        ((701, 0, 0), (700, 10, 10), 0),
        ((701, 11, 0), (700, 10, 10), 1),
        ((701, 11, 11), (700, 10, 10), 2),
        ((701, 11, 2), (700, 10, 1), 2),
        ((5000, 50, 50), (0, 10, 10), None),
    ],
)
def test_the_due_generation_is_the_oldest_past_its_threshold(
    counts: tuple[int, int, int], thresholds: tuple[int, int, int], due: int | None
) -> None:
    assert _due_generation(counts, thresholds) == due
