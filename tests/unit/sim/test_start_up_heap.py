"""`mobileplans-sim` freezes what start-up built once the portal has loaded, and only then:
later loads (navigations, relaunches) freeze nothing more. Run in a child process, since a
freeze is the whole process's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import gc
from simulator.events import Event
from simulator.runner import freeze_start_up_heap

def event(kind):
    return Event(1, 0.0, "", kind, {})

freeze_start_up_heap(event("portal.launch"))
before = gc.get_freeze_count()
freeze_start_up_heap(event("portal.loaded"))
frozen = gc.get_freeze_count()
kept = [[] for _ in range(1000)]  # built after start-up, e.g. the event history
freeze_start_up_heap(event("portal.loaded"))
print(before, frozen > 1000, gc.get_freeze_count() == frozen)
"""


def test_the_start_up_heap_is_frozen_once_at_the_first_load() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["0", "True", "True"]
