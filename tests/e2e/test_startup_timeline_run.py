"""`MOBILEPLANS_STARTUP_TIMELINE`: a headless run prints each step of its start, from the
interpreter to the portal's `loadFinished`, in time order."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from simulator import startup_timeline

ROOT = Path(__file__).resolve().parents[2]


def test_a_headless_run_prints_each_step_in_order(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env[startup_timeline.ENV] = repr(time.time())
    command = [sys.executable, "-m", "simulator.cli", "run", "--headless"]
    command += ["--data-dir", str(tmp_path), "--until", "portal.loaded", "--timeout", "60"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.split("start-up timeline", 1)[1].splitlines()[1:]
    names = [line.split(maxsplit=5)[5] for line in lines if line[:1].isspace()]
    walls = [float(line.split()[0]) for line in lines if line[:1].isspace()]
    assert walls == sorted(walls)
    expected = [
        "interpreter ready: the simulator package loads",
        "command line parsed",
        "QApplication made",
        "load() issued",
        "certificate error signalled",
        "loadFinished",
    ]
    assert [name for name in names if name in expected] == expected
    # The portal front's thread marks its own steps: the page's document is served during the
    # load (its place against the GUI thread's certificate mark is a matter of scheduling).
    served = names.index("portal front: answer to / written")
    assert names.index("load() issued") < served < names.index("loadFinished")
    assert "CPU ms by thread at the last mark: MainThread" in run.stderr
