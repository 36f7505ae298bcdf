"""Issue 4 benchmarks: `demo FLOW --headless`, process start to the flow's last event.

inline-download ends at the registration callback (`connected`); async-connectivity plays a
60-minute re-registration interval on the stepped clock. Targets: 3 s wall each. Prints only.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5


def wall(flow: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "simulator.cli",
                "demo",
                flow,
                "--headless",
                "--data-dir",
                data,
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        return time.perf_counter() - start


if __name__ == "__main__":
    for flow in ("inline-download", "async-connectivity"):
        times = sorted(wall(flow) for _ in range(RUNS))
        print(
            f"demo {flow} --headless: median {statistics.median(times):.2f} s, "
            f"max {times[-1]:.2f} s over {RUNS} runs, fresh data dir each (target <= 3 s)"
        )
