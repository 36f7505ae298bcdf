"""The JSON Lines event log is written from a background thread: lines in order, every line on
close, the lines of a run that forgot to close at exit, the lines of a killed run up to the
last moments, and an event that cannot be written fails where it is emitted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from simulator.clock import VirtualClock
from simulator.events import EventLog, JsonLinesWriter

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import sys, time
from pathlib import Path
from simulator.clock import VirtualClock
from simulator.events import EventLog, JsonLinesWriter
log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
log.subscribe(JsonLinesWriter(Path(sys.argv[1])))
for number in range(20):  # a few lines: they would sit in a buffer unless flushed
    log.emit("x.step", number=number)
print("emitted", flush=True)
if sys.argv[2] == "hang":
    time.sleep(600)
"""


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _child(path: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), mode],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


def test_every_line_in_order_on_close_and_none_after(tmp_path: Path) -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    writer = JsonLinesWriter(tmp_path / "events.jsonl")
    log.subscribe(writer)
    senders = [
        threading.Thread(target=lambda n=n: [log.emit("x.step", thread=n) for _ in range(200)])
        for n in range(4)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    writer.close()
    writer.close()  # twice is harmless
    log.emit("x.late")
    lines = _lines(tmp_path / "events.jsonl")
    assert [line["seq"] for line in lines] == list(range(1, 801))
    assert lines == [json.loads(event.to_json()) for event in log][:800]


def test_a_run_that_never_closes_its_writer_still_gets_every_line_out(tmp_path: Path) -> None:
    child = _child(tmp_path / "events.jsonl", "exit")
    output, _ = child.communicate(timeout=60)
    assert (child.returncode, output) == (0, "emitted\n")
    assert [line["number"] for line in _lines(tmp_path / "events.jsonl")] == list(range(20))


def test_a_killed_run_keeps_the_lines_written_before_its_last_moments(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    child = _child(path, "hang")
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "emitted\n"
        deadline = time.monotonic() + 30  # a generous bound, not a measurement
        while time.monotonic() < deadline and path.read_text().count("\n") < 20:
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert [line["number"] for line in _lines(path)] == list(range(20))


def test_an_event_that_cannot_be_written_fails_where_it_is_emitted(tmp_path: Path) -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    writer = JsonLinesWriter(tmp_path / "events.jsonl")
    log.subscribe(writer)
    with pytest.raises(UnicodeEncodeError):
        log.emit("x.bad", text="half a pair: \ud800")
    log.emit("x.good")
    writer.close()
    assert [line["kind"] for line in _lines(tmp_path / "events.jsonl")] == ["x.good"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_said_once_and_the_run_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    writer = JsonLinesWriter(Path("/dev/full"))
    log.subscribe(writer)
    for number in range(10):
        log.emit("x.step", number=number)
    writer.flush()
    for number in range(10):
        log.emit("x.step", number=number)  # dropped, quietly: the person was told
    writer.close()
    assert len(log) == 20
    said = capsys.readouterr().err.splitlines()
    assert said == [
        "events: writing /dev/full failed ([Errno 28] No space left on device); "
        "no more events are written"
    ]
