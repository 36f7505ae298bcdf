"""The virtual clock: the one place where time is decided.

Logic never sleeps and never reads the wall clock: it asks a `VirtualClock` for the time and
schedules timers on it. The clock's scale is set once (by the composition root or a test):

* ``scale=1``: virtual time runs with real time;
* ``scale=60`` / ``3600``: a minute / an hour of virtual time per real second;
* ``scale=0``: stepped; time moves only when someone calls :meth:`VirtualClock.advance`.

A driver (the Qt event loop in the app, the test itself elsewhere) calls :meth:`tick` with the
real monotonic time; the clock converts it to virtual time and fires whatever fell due.

A :class:`ClockHold` stops time while something that happens "at this instant" is still on its
way (a portal callback crossing into the page): no timer fires and `now()` stands still until
every hold is released or its real-time deadline passes. Steps asked for meanwhile are kept and
played as soon as the last hold goes, so a test's `advance` never overtakes a callback.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

TimerCallback = Callable[[], None]
# ".000+00:00" … ".999+00:00": the end of a wall stamp (see VirtualClock.wall_iso).
_MILLISECONDS_UTC = tuple(f".{ms:03d}+00:00" for ms in range(1000))


MAX_STEP_SECONDS = 10 * 365 * 24 * 3600  # one advance of virtual time: ten years


@dataclass(order=True)
class _Entry:
    due: float
    order: int
    handle: TimerHandle = field(compare=False)


@dataclass(eq=False)
class TimerHandle:
    """A scheduled timer; `cancel()` it to stop it from firing."""

    label: str
    due: float
    callback: TimerCallback = field(repr=False)
    cancelled: bool = False
    fired: bool = False
    # Housekeeping no flow waits for (a billing cycle's end): a demo's skip passes it on its
    # way to the timer a flow waits for, firing it, instead of stopping at it.
    background: bool = False

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def pending(self) -> bool:
        return not (self.cancelled or self.fired)


def next_awaited(pending: list[TimerHandle]) -> TimerHandle | None:
    """The soonest of ``pending`` (soonest first) that a flow may wait for: background
    housekeeping is passed on the way, not stopped at; the soonest of all if that is all."""
    awaited = [timer for timer in pending if not timer.background] or pending
    return awaited[0] if awaited else None


@dataclass(eq=False)
class ClockHold:
    """Time stands still until :meth:`release` (or until the real-time deadline passes, when
    `on_expire` runs first: a page that never answers cannot stop the clock for good)."""

    reason: str
    deadline: float  # on the clock's real_now scale
    on_expire: Callable[[], None] | None = field(repr=False)
    release_to: Callable[[ClockHold], None] = field(repr=False)
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.release_to(self)


class VirtualClock:
    """Virtual seconds since start, timers ordered by due time then by scheduling order."""

    def __init__(
        self,
        scale: float = 1.0,
        *,
        real_now: Callable[[], float],
        wall_now: Callable[[], datetime] | None = None,
    ) -> None:
        if scale < 0:
            raise ValueError(f"time scale must be 0 (stepped) or positive, not {scale}")
        self._scale = scale
        self._real_now = real_now
        self._wall_now = wall_now or (lambda: datetime.now(UTC))
        self._real_wall = wall_now is None  # the system's clock: stamps can be cached per ms
        self._stamp_ms = -1
        self._stamp = ""
        self._stamp_second = -1
        self._stamp_parts = ""  # the second's date and time of day, e.g. 2026-11-30T08:35:32
        self._now = 0.0
        self._wall_start = self._wall_now()
        self._real_anchor = real_now()
        self._heap: list[_Entry] = []
        self._order = itertools.count()
        self._listeners: list[Callable[[], None]] = []
        self._holds: list[ClockHold] = []
        # Steps asked for while held, in order: seconds (`advance`), None (`advance_to_next`).
        self._deferred: list[float | None] = []
        self._fired_total = 0

    # -- reading -----------------------------------------------------------------------------
    def now(self) -> float:
        """Virtual seconds since the clock started."""
        return self._now

    def wall_iso(self) -> str:
        """The real date and time in ISO 8601 UTC, for the event log's `wall` field."""
        if not self._real_wall:
            return self._wall_now().astimezone(UTC).isoformat(timespec="milliseconds")
        # Every event carries one; a burst of events shares a millisecond, formatted once, and
        # the date and time of day are formatted once a second (datetime's formatting costs
        # ~30 µs when its code is not in the CPU's caches, as on a bridge call, and even an
        # f-string's ":03d" ~10 µs: the milliseconds come from a table).
        ms = time.time_ns() // 1_000_000
        if ms != self._stamp_ms:
            second = ms // 1000
            if second != self._stamp_second:
                self._stamp_second = second
                self._stamp_parts = datetime.fromtimestamp(second, UTC).isoformat()[:19]
            self._stamp = self._stamp_parts + _MILLISECONDS_UTC[ms % 1000]
            self._stamp_ms = ms
        return self._stamp

    def wall_start(self) -> datetime:
        """The real date and time the clock started; `wall_start() + now()` is virtual wall time."""
        return self._wall_start

    @property
    def scale(self) -> float:
        return self._scale

    def set_scale(self, scale: float) -> None:
        if scale < 0:
            raise ValueError(f"time scale must be 0 (stepped) or positive, not {scale}")
        self.tick()  # bank the time elapsed at the old scale first
        self._scale = scale
        self._real_anchor = self._real_now()
        self._notify()

    def pending(self) -> list[TimerHandle]:
        """Pending timers, soonest first."""
        return [e.handle for e in sorted(self._heap) if e.handle.pending]

    def next_due(self) -> float | None:
        self._drop_dead()
        return self._heap[0].due if self._heap else None

    @property
    def fired_total(self) -> int:
        """How many timers have fired since the clock started (a step deferred by a hold fires
        its timers later: compare two readings to count them)."""
        return self._fired_total

    @property
    def held(self) -> bool:
        """True while a :class:`ClockHold` keeps time still."""
        return bool(self._holds)

    def holds(self) -> list[ClockHold]:
        return list(self._holds)

    def real_seconds_until_next(self) -> float | None:
        """How long a real-time driver should wait before calling `tick` again."""
        due = self.next_due()
        if due is None or self._scale == 0:
            return None
        return max(0.0, (due - self._now) / self._scale)

    # -- scheduling --------------------------------------------------------------------------
    def call_later(
        self, seconds: float, callback: TimerCallback, label: str, *, background: bool = False
    ) -> TimerHandle:
        if seconds < 0:
            raise ValueError(f"a timer cannot be scheduled {seconds} s in the past")
        handle = TimerHandle(
            label=label, due=self._now + seconds, callback=callback, background=background
        )
        heapq.heappush(self._heap, _Entry(handle.due, next(self._order), handle))
        self._notify()
        return handle

    def cancel_all(self) -> None:
        """Cancel every pending timer and drop every hold (the simulator is shutting down)."""
        for entry in self._heap:
            entry.handle.cancel()
        self._heap.clear()
        for hold in self._holds:
            hold.released = True
        self._holds.clear()
        self._deferred.clear()

    # -- holding time ------------------------------------------------------------------------
    def hold(
        self, reason: str, *, real_timeout: float, on_expire: Callable[[], None] | None = None
    ) -> ClockHold:
        """Stop time until the returned hold is released, or `real_timeout` real seconds pass
        (checked by :meth:`tick`; `on_expire` then runs before time moves again)."""
        if real_timeout <= 0:
            raise ValueError(f"a hold needs a positive real-time timeout, not {real_timeout}")
        # `now()` is what events were stamped with: time stops there, not at a fresher reading.
        hold = ClockHold(reason, self._real_now() + real_timeout, on_expire, self._release)
        self._holds.append(hold)
        self._notify()
        return hold

    def _release(self, hold: ClockHold) -> None:
        if hold in self._holds:
            self._holds.remove(hold)
        if self._holds:
            return
        self._real_anchor = self._real_now()  # time did not run while held
        while self._deferred and not self._holds:
            step = self._deferred.pop(0)
            if step is None:
                self._jump_to_next()
            else:
                self._fire_until(self._now + step, defer_rest=True)
        self._notify()

    def _expire_holds(self, real: float) -> None:
        for hold in [h for h in self._holds if real >= h.deadline]:
            if hold.released:
                continue
            if hold.on_expire is not None:
                hold.on_expire()  # it may release the hold itself, and take new ones
            hold.release()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """`listener` is called whenever timers or the scale change (a driver re-arms)."""
        self._listeners.append(listener)

    # -- moving time -------------------------------------------------------------------------
    def tick(self) -> int:
        """Advance virtual time by the real time elapsed times the scale; fire due timers."""
        real = self._real_now()
        if self._holds:
            self._expire_holds(real)
        elapsed = real - self._real_anchor
        self._real_anchor = real
        if self._holds:
            return 0  # time stands still while held
        if self._scale == 0 or elapsed <= 0:
            return self._fire_until(self._now)
        return self._fire_until(self._now + elapsed * self._scale)

    def advance(self, seconds: float) -> int:
        """Step virtual time forward (a test, or "skip"), firing every timer on the way.

        While held, the step (or what is left of it when a timer's callback takes a hold) is
        kept and played when the last hold is released."""
        if seconds < 0:
            raise ValueError("the clock never goes backwards")
        if not math.isfinite(seconds) or seconds > MAX_STEP_SECONDS:
            # an endless step fires a monthly timer without end and leaves the calendar
            raise ValueError(
                f"a step of the clock is at most {MAX_STEP_SECONDS} s (ten years), not {seconds}"
            )
        self._real_anchor = self._real_now()
        if self._holds:
            self._deferred.append(seconds)
            return 0
        return self._fire_until(self._now + seconds, defer_rest=True)

    def advance_to_next(self) -> TimerHandle | None:
        """Jump to the next pending timer and fire it (and any due at the same instant).

        None when no timer is pending. While held, the jump is kept and made as soon as time
        may move; the timer returned is the one due next now."""
        self._drop_dead()
        if not self._heap:
            return None
        if self._holds:
            self._deferred.append(None)
            return self._heap[0].handle
        return self._jump_to_next()

    def _jump_to_next(self) -> TimerHandle | None:
        self._drop_dead()
        if not self._heap:
            return None
        first = self._heap[0].handle
        self._real_anchor = self._real_now()
        self._fire_until(max(self._now, first.due), defer_rest=True)
        return first

    def _fire_until(self, target: float, *, defer_rest: bool = False) -> int:
        fired = 0
        while True:
            self._drop_dead()
            if self._holds:
                # A callback took a hold: the rest of a step waits for it; real time is lost.
                if defer_rest and target > self._now:
                    self._deferred.insert(0, target - self._now)
                target = self._now
                break
            if not self._heap or self._heap[0].due > target:
                break
            entry = heapq.heappop(self._heap)
            self._now = max(self._now, entry.due)
            entry.handle.fired = True
            fired += 1
            self._fired_total += 1
            entry.handle.callback()
        self._now = max(self._now, target)
        if fired:
            self._notify()
        return fired

    def _drop_dead(self) -> None:
        while self._heap and not self._heap[0].handle.pending:
            heapq.heappop(self._heap)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
