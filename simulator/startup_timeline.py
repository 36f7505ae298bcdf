"""A timeline of one start-up, for finding where the time to the portal's first load goes.

With `MOBILEPLANS_STARTUP_TIMELINE` set, `mobileplans-sim run|demo` records a mark at each
step of its start (imports, the QApplication, Chromium's first profile, the page, `load()`,
the portal front's first connection and answer, `loadFinished`) and prints them on stderr once
the portal has loaded: wall milliseconds from the process's start, the process's CPU
milliseconds (every thread, Chromium's browser side included) and the marking thread's own.
The variable's value is the process's start as a Unix time when a launcher knows it (the start
bench passes the moment it spawned the process); any other value reads the start from
`/proc/self/stat`, to the kernel's clock tick (10 ms). Unset, a mark costs one test.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "MOBILEPLANS_STARTUP_TIMELINE"
# (name, wall time, process CPU seconds, thread CPU seconds, thread name)
_marks: list[tuple[str, float, float, float, str]] | None = [] if os.environ.get(ENV) else None
_reported = False


def enabled() -> bool:
    return _marks is not None


def mark(name: str) -> None:
    """Record that start-up reached `name` now (any thread); nothing once reported."""
    if _marks is None or _reported:
        return
    import threading  # only when recording; imported by then anyway

    _marks.append(
        (
            name,
            time.time(),
            time.process_time(),
            time.thread_time(),
            threading.current_thread().name,
        )
    )


def process_start(value: str) -> tuple[float, str]:
    """The process's start as a Unix time, and how it is known."""
    try:
        given = float(value)
    except ValueError:
        given = 0.0
    if 0 <= time.time() - given < 24 * 3600:  # a launcher's moment, not "1", inf or a typo
        return given, "as given by the launcher"
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        ticks = os.sysconf("SC_CLK_TCK")
        # The start is in clock ticks since boot: the process's age on that same clock.
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / ticks
        return time.time() - age, f"from /proc, to 1/{ticks} s"
    except (OSError, ValueError, IndexError, AttributeError):
        first = _marks[0][1] if _marks else time.time()
        return first, "unknown: times from the first mark"


def format_timeline(
    marks: list[tuple[str, float, float, float, str]], start: float, how: str
) -> str:
    """The marks as a table: wall ms since `start`, the step's wall ms, process and thread CPU."""
    lines = [
        f"start-up timeline (process start {how}); ms: wall since start, step, process CPU, "
        "thread CPU, thread",
    ]
    previous = start
    for name, wall, cpu, thread_cpu, thread in sorted(marks, key=lambda m: m[1]):
        lines.append(
            f"{(wall - start) * 1000:8.1f} {(wall - previous) * 1000:+7.1f} {cpu * 1000:8.1f} "
            f"{thread_cpu * 1000:8.1f}  {thread:12.12} {name}"
        )
        previous = wall
    return "\n".join(lines)


def thread_cpu() -> list[tuple[str, float]]:
    """Each thread of this process (Chromium's in-process ones included; Python's by their
    Python names) with its CPU seconds so far (the scheduler's nanoseconds), most first; threads
    of one name added up; empty where /proc is not there. A thread that ended is not counted."""
    import threading  # only when recording; imported by then anyway

    python_names = {str(thread.native_id): thread.name for thread in threading.enumerate()}
    totals: dict[str, float] = {}
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return []
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/comm", encoding="utf-8", errors="replace") as comm:
                name = python_names.get(task) or comm.read().strip()
            with open(f"/proc/self/task/{task}/schedstat", encoding="ascii") as schedstat:
                nanoseconds = int(schedstat.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile, or no scheduler statistics
        totals[name] = totals.get(name, 0.0) + nanoseconds / 1e9
    return sorted(totals.items(), key=lambda item: -item[1])


def report() -> None:
    """Print the timeline on stderr, the first time only, with each thread's CPU by then."""
    global _reported
    if _marks is None or _reported:
        return
    _reported = True
    start, how = process_start(os.environ.get(ENV, ""))
    threads = ", ".join(f"{name} {cpu * 1000:.1f}" for name, cpu in thread_cpu() if cpu >= 5e-4)
    print(format_timeline(list(_marks), start, how), file=sys.stderr)
    print(f"CPU ms by thread at the last mark: {threads}", file=sys.stderr, flush=True)
