"""Fixtures shared by the ThingSpace tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def start_listener(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """`start_listener("--json")`: `thingspace listen --demo-line` in its own process, with its
    data and event log under tmp_path and stdout and stderr piped; killed if a test leaves it."""
    started: list[subprocess.Popen[str]] = []

    def start(*extra: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulator.thingspace.cli",
                "thingspace",
                "listen",
                "--data-dir",
                str(tmp_path / "data"),
                "--events",
                str(tmp_path / "listener.jsonl"),
                "--demo-line",
                *extra,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)
