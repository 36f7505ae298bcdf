"""The `mobileplans-sim` command as users and CI call it (DESIGN.md §4.1): exit 0, 1, 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _sim(*args: str, tmp: Path | None, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args]
        + ([] if tmp is None else ["--data-dir", str(tmp / "data")]),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_headless_run_until_an_event_writes_the_event_log(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    shot = tmp_path / "shot.png"
    result = _sim(
        "run",
        "--headless",
        "--events",
        str(log),
        "--until",
        "portal.loaded",
        "--timeout",
        "60",
        "--screenshot",
        str(shot),
        tmp=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all({"seq", "t", "wall", "kind"} <= set(e) for e in events)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "app.started"
    assert "portal.launch" in kinds
    assert "portal.loaded" in kinds
    assert kinds[-1] == "app.exit"
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_timeout_before_the_awaited_event_exits_1(tmp_path: Path) -> None:
    result = _sim("run", "--headless", "--until", "never.happens", "--timeout", "3", tmp=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]


def test_usage_errors_exit_2_and_name_the_rule(tmp_path: Path) -> None:
    bad_eid = _sim(
        "run", "--headless", "--eid", "89033023422130000000000199055798", tmp=tmp_path, timeout=30
    )
    assert bad_eid.returncode == 2
    assert "EID" in bad_eid.stderr
    http = _sim("run", "--headless", "--portal", "http://example.test/", tmp=tmp_path, timeout=30)
    assert http.returncode == 2
    assert "https" in http.stderr


def test_demo_plays_a_flow_to_its_last_event(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    result = _sim(
        "demo",
        "async-connectivity",
        "--headless",
        "--events",
        str(log),
        "--timeout",
        "60",
        tmp=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events = [json.loads(line) for line in log.read_text().splitlines()]
    states = [e["state"] for e in events if e["kind"] == "flow.state"]
    assert "registration-error-expected" in states
    assert states[-1] == "connected"
    connected = next(e for e in events if e.get("state") == "connected")
    assert connected["t"] >= 3600  # a 60-minute interval, on the stepped clock


def test_flows_lists_every_demo() -> None:
    result = _sim("flows", tmp=None, timeout=30)
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {
        "inline-download",
        "delayed-download",
        "async-connectivity",
        "balance",
        "cancel",
        "legacy-handoff",
    } <= set(names)
