"""Prompt shutdown of a served SM-DP+ on SIGINT/SIGTERM, whatever a request is doing.

The first signal asks the event loop to stop (in-flight requests get
:data:`esim.smdp.server.SHUTDOWN_GRACE_SECONDS`, then they are cancelled). The handler is a
plain :func:`signal.signal` handler, so it runs even while a request keeps the loop's thread
busy; if the loop has not finished after ``force_after_seconds`` (a request that never yields),
or on a second signal, ``on_force`` runs and the process exits with status 128 + signal number.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

DEFAULT_FORCE_AFTER_SECONDS = 5.0


def exit_promptly_on_signals(
    loop: asyncio.AbstractEventLoop,
    stop: asyncio.Event,
    on_force: Callable[[], None],
    force_after_seconds: float = DEFAULT_FORCE_AFTER_SECONDS,
) -> None:
    """Install the handlers (call from the main thread, with ``loop`` running there)."""
    received: list[int] = []

    def force(signum: int) -> None:
        try:
            on_force()
        finally:
            os._exit(128 + signum)

    def handle(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:
            force(signum)
        loop.call_soon_threadsafe(stop.set)
        watchdog = threading.Timer(force_after_seconds, force, args=(signum,))
        watchdog.daemon = True
        watchdog.start()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
