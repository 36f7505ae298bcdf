"""Wait on the Qt event loop: how the replayer, the pytest driver and `simulator.check` wait."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_MS = 5


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Run the Qt event loop until `predicate()` is true or `timeout` seconds pass.

    The loop runs all the time, checking every few milliseconds: `QTest.qWait` sleeps between
    short bursts of event processing, and Chromium's work on this thread (a page load) waited
    through those sleeps (launch to bridge took ~450 ms instead of ~150 ms)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    if predicate():
        return True
    deadline = time.monotonic() + timeout
    outcome = [False]
    failure: list[BaseException] = []
    loop = QEventLoop()

    def check() -> None:
        # Objects deleted later from outside any loop go now, as QTest.qWait would do.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        try:
            outcome[0] = predicate()
        except BaseException as error:  # raised to the caller below, as before
            failure.append(error)
        if outcome[0] or failure or time.monotonic() >= deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(POLL_MS)
    timer.timeout.connect(check)
    timer.start()
    try:
        loop.exec()
    finally:
        timer.stop()
    if failure:
        raise failure[0]
    return outcome[0]
