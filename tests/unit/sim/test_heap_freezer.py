"""`mobileplans-sim` keeps full garbage collections short: what start-up built is frozen once
the portal has loaded (later loads freeze nothing more), then whatever survives each full
collection, so the next one scans only what came since and never the whole event history.
A full collection follows every young one meanwhile. Run in a child process, since a freeze is
the whole process's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import gc
from simulator.events import Event
from simulator.runner import HeapFreezer

def event(kind):
    return Event(1, 0.0, "", kind, {})

heap = HeapFreezer()
heap.observe(event("portal.launch"))
print(gc.get_freeze_count())
thresholds = gc.get_threshold()
heap.observe(event("portal.loaded"))
frozen = gc.get_freeze_count()
print(frozen > 1000 and gc.get_threshold() == (*thresholds[:2], 1))
history = [[n] for n in range(5000)]  # built after start-up, e.g. the event history
heap.observe(event("portal.loaded"))
print(gc.get_freeze_count() == frozen)  # a second load freezes nothing
gc.collect(1)
print(gc.get_freeze_count() == frozen)  # nor does a young collection
gc.collect()
print(gc.get_freeze_count() >= frozen + 5000)  # a full one does: the history survived it
heap.close()
more = [[n] for n in range(5000)]
gc.collect()
print(gc.get_freeze_count() < frozen + 10000 and gc.get_threshold() == thresholds)  # closed
"""


def _printed_by(child: str) -> list[str]:
    """What a child process running `child` printed, word by word (gc state is per process)."""
    result = subprocess.run(
        [sys.executable, "-c", child],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


def test_the_heap_is_frozen_at_the_first_load_then_after_each_full_collection() -> None:
    assert _printed_by(CHILD) == ["0", "True", "True", "True", "True", "True"]


PAUSE_CHILD = """
import gc
from typing import cast
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from simulator import qt_startup

class Page(QObject):
    loadFinished = Signal(bool)

app = QCoreApplication([])
qt_startup.STARTUP_GC_PAUSE_MS = 60_000
gc.disable()  # as `mobileplans-sim` does before its imports
loaded = Page()
qt_startup.collect_garbage_after_the_first_load(cast(qt_startup.QWebEnginePage, loaded))
print(gc.isenabled())
loaded.loadFinished.emit(False)  # a failed load counts: start-up is over either way
print(gc.isenabled())
gc.disable()
qt_startup.STARTUP_GC_PAUSE_MS = 50
never = Page()
qt_startup.collect_garbage_after_the_first_load(cast(qt_startup.QWebEnginePage, never))
print(gc.isenabled())
QTimer.singleShot(2000, app.quit)
app.exec()
print(gc.isenabled())  # no load finished: back on at the latest after the pause
"""


def test_collection_paused_for_start_up_resumes_after_the_first_load_or_at_the_latest() -> None:
    assert _printed_by(PAUSE_CHILD) == ["False", "True", "False", "True"]
