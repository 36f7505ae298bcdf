"""One asyncio loop on a background thread, where every server of the app runs.

The GUI thread never blocks on the network (DESIGN.md §3): it submits coroutines here and
gets results back through callbacks that the Qt side turns into queued signals.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class InFlight:
    """The coroutines one owner runs on a :class:`BackgroundLoop`, to cancel them together when
    it closes: a task left running after its HTTP client closed could open a connection
    nobody closes. Touched on the loop's thread only."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """``work``, counted as in flight until it ends."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            return await work
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def cancel_all(self) -> None:
        """Cancel what is in flight and wait for it to end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # a closed transport lets go of its socket on the next turn


class BackgroundLoop:
    def __init__(self, name: str = "mobileplans-servers") -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run `coro` to completion from another thread (set-up and tear-down only)."""
        return self.submit(coro).result(timeout)

    def stop(self) -> None:
        if not self._loop.is_running():
            return
        # Stopping goes on whatever a task did when cancelled.
        with contextlib.suppress(Exception):
            self.run(_settle(), timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


async def _settle() -> None:
    """Cancel what is still in flight (an exchange nobody waits for any more, a fetch the page
    no longer shows) and let the connections they close go, as `asyncio.run` does at its end:
    a loop stopped under them leaves their sockets to the garbage collector (ResourceWarning)."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for _ in range(3):  # a closed transport lets go of its socket a turn or two later
        await asyncio.sleep(0)
