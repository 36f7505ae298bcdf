"""How fast this machine runs Python this minute: printed by `make bench` before and after the
benchmarks, so their figures can be read against the speed they were measured at.

On a shared machine (a virtual machine whose host has other guests) the same pure-Python loop
has taken 0.21 s in one minute and 0.42 s in the next. Figures that are ratios measured in the
same rounds (start-up against the bare page, the bridge against its floor) largely cancel that
out; absolute ones (milliseconds of CPU per download, microseconds per parse) do not. A bench
run whose probe reads well above the quiet figure measured a slow minute, not a slower program.

Run: .venv/bin/python tests/bench/machine_speed.py [label]. Prints; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

ITERATIONS = 1_000_000
SAMPLES = 7


def loop_ms() -> float:
    """Milliseconds for a fixed loop of integer additions (the interpreter's plain speed)."""
    start = time.perf_counter()
    total = 0
    for index in range(ITERATIONS):
        total += index
    return (time.perf_counter() - start) * 1000


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "now"
    samples = sorted(loop_ms() for _ in range(SAMPLES))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine speed ({label}): a fixed Python loop of {ITERATIONS:,} additions took "
        f"median {statistics.median(samples):.0f} ms (fastest {samples[0]:.0f}, slowest "
        f"{samples[-1]:.0f}) of {SAMPLES}; load {load:.1f}. Larger means a slower minute: "
        f"compare bench runs at similar speeds."
    )


if __name__ == "__main__":
    main()
