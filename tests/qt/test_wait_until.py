"""`wait_until` keeps the Qt event loop running while it waits (the pytest driver, the replayer
and `check` all wait with it), gives up at its timeout and passes a predicate's error on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, QTimer
from pytestqt.qtbot import QtBot

from simulator.replay import wait_until


def test_events_run_while_waiting_and_the_wait_ends_when_the_predicate_holds(
    qtbot: QtBot,
) -> None:
    fired: list[int] = []
    QTimer.singleShot(20, lambda: fired.append(1))
    assert wait_until(lambda: bool(fired), 5.0)
    assert fired == [1]


def test_a_predicate_that_never_holds_times_out(qtbot: QtBot) -> None:
    calls: list[int] = []

    def never() -> bool:
        calls.append(1)
        return False

    assert not wait_until(never, 0.05)
    assert len(calls) > 1  # asked again and again while the loop ran


def test_a_predicate_already_true_returns_at_once(qtbot: QtBot) -> None:
    assert wait_until(lambda: True, 0.0)


def test_a_predicate_error_reaches_the_caller(qtbot: QtBot) -> None:
    state = {"calls": 0}

    def broken() -> bool:
        state["calls"] += 1
        if state["calls"] > 1:
            raise RuntimeError("the page went away")
        return False

    with pytest.raises(RuntimeError, match="the page went away"):
        wait_until(broken, 5.0)


def test_objects_deleted_later_go_while_waiting(qtbot: QtBot) -> None:
    gone: list[bool] = []
    doomed = QObject()
    doomed.destroyed.connect(lambda: gone.append(True))
    doomed.deleteLater()
    del doomed
    assert wait_until(lambda: bool(gone), 5.0)
