"""When the Timeline and the Contract panel add the rows of the events heard meanwhile.

Each batch costs a repaint of the whole visible table (every row moves when the view follows
the newest one), a few milliseconds of the GUI thread during which no bridge call is
answered. A few events are shown within FLUSH_MS; during a burst, faster than a person reads,
the batches are spaced BURST_FLUSH_MS apart, so the repaints take a small share of the GUI
thread however busy the portal is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QTimer

FLUSH_MS = 100  # a quiet moment: rows appear this long after their event, at most
BURST_FLUSH_MS = 400  # during a burst
BURST_ROWS = 20  # a batch this large means a burst (200 events a second and more)

Item = TypeVar("Item")


class RowBatch(Generic[Item]):
    """Items collected until the timer fires, then handed to `flush` in one list.

    A plain object, not a QObject: `add` runs for every event, and attribute lookups on Qt
    wrappers cost several times those on Python objects.
    """

    def __init__(self, flush: Callable[[list[Item]], None], parent: QObject) -> None:
        self._flush = flush
        # The same list for the batch's whole life (emptied, never replaced), so a caller on
        # the hot path may append to it directly and `arm` the batch when it was empty.
        self.items: list[Item] = []
        self._timer = QTimer(parent)  # the owner's child: stopped and deleted with it
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush_now)
        self.arm = self._timer.start  # what `add` does after the first item of a batch

    @property
    def interval_ms(self) -> int:
        """How long the next batch waits for its first item's company."""
        return self._timer.interval()

    def add(self, item: Item) -> None:
        items = self.items
        items.append(item)
        if len(items) == 1:  # the first since the last batch arms the timer
            self.arm()

    def flush_now(self) -> None:
        """Hand over what is pending now (a click, an export, a test cannot wait)."""
        self._timer.stop()
        pending = self.items[:]
        self.items.clear()
        self._timer.setInterval(BURST_FLUSH_MS if len(pending) >= BURST_ROWS else FLUSH_MS)
        if pending:
            self._flush(pending)

    def discard(self) -> None:
        """Forget what is pending."""
        self._timer.stop()
        self.items.clear()
