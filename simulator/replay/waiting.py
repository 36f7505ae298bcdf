"""Wait on the Qt event loop: how the replayer, the pytest driver and `simulator.check` wait."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Run the Qt event loop until `predicate()` is true or `timeout` seconds pass."""
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        QTest.qWait(10)
    return True
