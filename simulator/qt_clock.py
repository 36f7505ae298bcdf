"""Drives the pure virtual clock from the Qt event loop (never sleeps, never blocks)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from simulator.clock import VirtualClock

_IDLE_TICK_MS = 250  # keeps `t` in events moving with real time when no timer is due
_HELD_TICK_MS = 100  # while held (even stepped), ticks notice a hold whose deadline passed


class QtClockDriver(QObject):
    def __init__(self, clock: VirtualClock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._stopped = False
        clock.subscribe(self._rearm)
        self._rearm()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def _tick(self) -> None:
        self._clock.tick()
        self._rearm()

    def _rearm(self) -> None:
        if self._stopped:
            self._timer.stop()
            return
        if self._clock.held:
            self._timer.start(_HELD_TICK_MS)
            return
        if self._clock.scale == 0:
            self._timer.stop()
            return
        wait = self._clock.real_seconds_until_next()
        ms = _IDLE_TICK_MS if wait is None else min(_IDLE_TICK_MS, int(wait * 1000) + 1)
        self._timer.start(max(1, ms))


class MainThreadPoster(QObject):
    """Runs callables on the thread this object lives on (the GUI thread), from any thread."""

    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._run)
        self._closed = False

    def close(self) -> None:
        """Drop whatever arrives from now on: the objects it would touch are gone."""
        self._closed = True

    def post(self, function: Callable[[], None]) -> None:
        # A signal emitted from another thread is queued to the receiver's thread.
        self._posted.emit(function)

    @Slot(object)
    def _run(self, function: Callable[[], None]) -> None:
        if not self._closed:
            function()
