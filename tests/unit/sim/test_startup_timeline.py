"""The start-up timeline (`MOBILEPLANS_STARTUP_TIMELINE`): off it records nothing; on, a run
prints every step from the interpreter to `loadFinished`, in order, from the process's start."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator import startup_timeline
from simulator.startup_timeline import format_timeline, process_start


def test_off_a_mark_records_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup_timeline, "_marks", None)
    startup_timeline.mark("anything")
    assert not startup_timeline.enabled()
    assert startup_timeline._marks is None


def test_on_marks_are_kept_until_reported_then_no_more(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(startup_timeline, "_marks", [])
    monkeypatch.setattr(startup_timeline, "_reported", False)
    monkeypatch.setenv(startup_timeline.ENV, repr(time.time() - 0.5))
    startup_timeline.mark("first")
    startup_timeline.mark("second")
    startup_timeline.report()
    startup_timeline.mark("after the report")  # a long run keeps nothing more
    startup_timeline.report()  # printed once
    err = capsys.readouterr().err
    assert err.count("start-up timeline") == 1
    assert err.index("first") < err.index("second")
    assert "after the report" not in err
    assert startup_timeline._marks is not None
    assert len(startup_timeline._marks) == 2


def test_the_launchers_start_time_is_used_when_given() -> None:
    moment = time.time() - 0.25
    assert process_start(repr(moment)) == (moment, "as given by the launcher")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    "value", ["1", "yes", "", "nan", "inf", "-inf", "1e400", "12", "1700000000"]
)
def test_otherwise_the_start_is_read_from_proc(value: str) -> None:
    start, how = process_start(value)
    assert how.startswith("from /proc")
    # this test process started before now, to the clock tick
    assert -0.02 <= time.time() - start < 24 * 3600
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "from simulator.startup_timeline import process_start as p; "
            "import time; s, _ = p('1'); print(time.time() - s)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    assert -0.02 <= float(started.stdout) < 5  # a new process: its age, not the machine's


def test_the_table_is_in_time_order_with_each_steps_length() -> None:
    marks = [
        ("b", 100.030, 0.5, 0.25, "MainThread"),
        ("a", 100.010, 0.4, 0.1, "worker"),
    ]
    lines = format_timeline(marks, 100.0, "given").splitlines()
    assert lines[1].split() == ["10.0", "+10.0", "400.0", "100.0", "worker", "a"]
    assert lines[2].split() == ["30.0", "+20.0", "500.0", "250.0", "MainThread", "b"]
