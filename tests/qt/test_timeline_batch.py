"""Rows reach the Timeline and the Contract panel in batches: one list per timer shot, spaced
out while a burst lasts, prompt again once it is over."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from pytestqt.qtbot import QtBot

from simulator.events import Event
from simulator.ui.panels.timeline import SUMMARIES_KEPT, EventTableModel, summarize
from simulator.ui.panels.timeline_batch import BURST_FLUSH_MS, BURST_ROWS, FLUSH_MS, RowBatch


def test_items_arrive_together_once_the_timer_fires(qtbot: QtBot) -> None:
    owner = QObject()
    batches: list[list[int]] = []
    batch: RowBatch[int] = RowBatch(batches.append, owner)
    for item in range(5):
        batch.add(item)
    assert batches == []  # nothing before the timer
    qtbot.waitUntil(lambda: batches == [[0, 1, 2, 3, 4]])
    assert batch.interval_ms == FLUSH_MS


def test_a_burst_spaces_the_batches_out_until_it_is_over(qtbot: QtBot) -> None:
    owner = QObject()
    batches: list[list[int]] = []
    batch: RowBatch[int] = RowBatch(batches.append, owner)
    for item in range(BURST_ROWS):
        batch.add(item)
    batch.flush_now()
    assert batches == [list(range(BURST_ROWS))]
    assert batch.interval_ms == BURST_FLUSH_MS
    batch.add(99)
    qtbot.waitUntil(lambda: len(batches) == 2, timeout=5 * BURST_FLUSH_MS)
    assert batches[1] == [99]
    assert batch.interval_ms == FLUSH_MS  # one event is no burst


def test_discarded_items_never_arrive(qtbot: QtBot) -> None:
    owner = QObject()
    batches: list[list[int]] = []
    batch: RowBatch[int] = RowBatch(batches.append, owner)
    batch.add(1)
    batch.discard()
    batch.flush_now()
    batch.add(2)
    qtbot.waitUntil(lambda: batches == [[2]])


def test_the_timeline_keeps_a_bounded_number_of_summaries(qtbot: QtBot) -> None:
    model = EventTableModel()
    events = [
        Event(seq, 0.0, "", "flow.state", {"flow": "x", "state": f"s{seq}"})
        for seq in range(1, SUMMARIES_KEPT + 50)
    ]
    model.extend(events)
    for row, event in enumerate(events):
        index = model.index(row, 3)
        assert index.data() == summarize(event)
        assert index.data(Qt.ItemDataRole.ToolTipRole) == summarize(event)
        assert index.data(Qt.ItemDataRole.DecorationRole) is None
    assert len(model._summaries) <= SUMMARIES_KEPT
