"""Bench the pytest plugin: the example suite serially and with -n 2, and the fixture's
set-up cost per test (target ≤ 0.5 s after the first). Prints figures; never asserts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).parents[2]
PLUGIN = "simulator.pytest_plugin"

SETUP_COST = """
import time

import pytest

TIMES = []


@pytest.mark.parametrize("n", range(8))
def test_setup(mobile_plans, n):
    started = time.perf_counter()
    mobile_plans.simulator  # built on first use: eUICC, SM-DP+, page, window
    built = time.perf_counter()
    mobile_plans.launch()
    TIMES.append((built - started, time.perf_counter() - built))


def test_zz_report():
    build = [b for b, _ in TIMES]
    launch = [l for _, l in TIMES]
    print(f"\\nBENCH first build {build[0]*1000:.0f} ms, later builds median "
          f"{sorted(build[1:])[len(build[1:])//2]*1000:.0f} ms (max {max(build[1:])*1000:.0f} ms); "
          f"launch to bridge median {sorted(launch)[len(launch)//2]*1000:.0f} ms")
"""


def _plugin_args() -> list[str]:
    installed = any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", PLUGIN]


def _pytest(folder: Path, *args: str) -> tuple[float, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *_plugin_args(), "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - started, done.stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        examples = Path(temp) / "examples"
        shutil.copytree(ROOT / "examples", examples)
        for label, extra in (("serial", ()), ("-n 2", ("-n", "2"))):
            seconds, out = _pytest(examples, "-q", *extra)
            summary = out.strip().splitlines()[-1] if out.strip() else "(no output)"
            print(f"example suite {label:>6}: {seconds:6.1f} s wall  [{summary}]")
        setup = Path(temp) / "setup"
        setup.mkdir()
        (setup / "pytest.ini").write_text("[pytest]\nqt_api = pyside6\n")
        (setup / "test_setup.py").write_text(SETUP_COST)
        seconds, out = _pytest(setup, "-q", "-s")
        figures = [line for line in out.splitlines() if line.startswith("BENCH")]
        print(
            f"fixture set-up ({seconds:.1f} s wall for 8 tests): "
            + (figures[0].removeprefix("BENCH ") if figures else out[-500:])
        )


if __name__ == "__main__":
    main()
