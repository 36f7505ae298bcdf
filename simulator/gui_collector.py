"""Python's cyclic garbage collector, run on the GUI thread only, while a simulator lives.

Automatic collection runs on whichever thread happens to allocate when a threshold is crossed:
the background event loop, a download's worker. A collection there finalizes PySide objects
too, and their disconnects take Qt's connection lock and then ask for the interpreter lock;
meanwhile the GUI thread, holding the interpreter lock inside a Qt call that connects (a page
load sets up its web channel), waits for that connection lock: both wait for ever (seen in the
suite: `QWebEnginePage.load` against a collection on the background loop). Qt applications in
Python avoid it the same way: automatic collection off, and a timer on the GUI thread collects
when the counts cross the thresholds, as the automatic collector would.

Whoever turns automatic collection on while the collector runs (start-up holds it off until
the portal's first load, then turns it on) hands it to the collector at its next tick: a
paused collection stays paused, a wanted one runs here. When the last simulator closes,
automatic collection is given back as it was wanted.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QTimer

TICK_MS = 100


class GuiThreadCollector:
    """Collects on its timer's thread (the GUI thread) what automatic collection would."""

    def __init__(self, tick_ms: int = TICK_MS) -> None:
        self._users = 0
        self._wanted = False  # automatic collection was on: the collector does its work
        self._timer = QTimer()
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)

    @property
    def active(self) -> bool:
        return self._users > 0

    def acquire(self) -> None:
        """One more simulator lives (started on the first)."""
        self._users += 1
        if self._users == 1:
            self.tick()
            self._timer.start()

    def release(self) -> None:
        """One simulator closed; on the last, automatic collection is given back if wanted."""
        if self._users == 0:
            return
        self._users -= 1
        if self._users == 0:
            self._timer.stop()
            if self._wanted or gc.isenabled():
                self._wanted = False
                gc.enable()

    def tick(self) -> None:
        if gc.isenabled():  # turned on (again) by someone: from now on it is done here
            self._wanted = True
            gc.disable()
        if not self._wanted:
            return  # held off on purpose (start-up): as the automatic collector would be
        generation = _due_generation(gc.get_count(), gc.get_threshold())
        if generation is not None:
            gc.collect(generation)


def _due_generation(counts: tuple[int, int, int], thresholds: tuple[int, ...]) -> int | None:
    """The oldest generation whose count has crossed its threshold (None: nothing due, or
    collection turned off by a zero first threshold)."""
    if not thresholds or thresholds[0] == 0:
        return None
    due = None
    for generation in range(min(3, len(thresholds))):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
    return due


COLLECTOR: GuiThreadCollector | None = None


def collector() -> GuiThreadCollector:
    """The process's collector (made on first use, on the GUI thread)."""
    global COLLECTOR
    if COLLECTOR is None:
        COLLECTOR = GuiThreadCollector()
    return COLLECTOR
