"""`simulator.early_start`: automatic collection is held off through the command line's imports
only when the process is the `mobileplans-sim` command; the other commands get it back once
parsed, and a program or test importing the command line is left as it was."""

from __future__ import annotations

import gc
import subprocess
import sys
import types
from pathlib import Path

import pytest

import simulator.cli  # noqa: F401  (imported as a test imports it: nothing may be held)
from simulator import early_start

ROOT = Path(__file__).resolve().parents[3]


def _module(spec_name: str | None) -> types.ModuleType:
    module = types.ModuleType("__main__")
    module.__spec__ = None if spec_name is None else types.SimpleNamespace(name=spec_name)  # type: ignore[assignment]
    return module


@pytest.mark.parametrize(
    ("spec_name", "argv", "expected"),
    [
        ("simulator.cli", ["/work/simulator/cli.py", "run"], True),  # python -m simulator.cli
        (None, ["/usr/local/bin/mobileplans-sim", "run"], True),  # the console script
        (None, ["C:\\venv\\Scripts\\mobileplans-sim.exe"], sys.platform == "win32"),
        (None, ["mobileplans-sim"], True),
        ("pytest", ["/usr/bin/pytest", "tests"], False),
        (None, ["-c"], False),
        (None, [], False),
        (None, ["/opt/mobileplans-sim-tools/run.py"], False),
    ],
)
def test_only_the_command_itself_is_the_command(
    spec_name: str | None, argv: list[str], expected: bool
) -> None:
    assert early_start.is_the_command(_module(spec_name), argv) is expected


def test_importing_the_command_line_leaves_collection_as_it_was() -> None:
    assert not early_start.holds_collection()
    assert gc.isenabled()
    early_start.resume_collection()  # holds nothing: changes nothing
    assert gc.isenabled()


def _as_the_command(code: str) -> list[str]:
    script = (
        "import gc, sys\n"
        "sys.argv = ['/usr/local/bin/mobileplans-sim']\n"
        "from simulator import cli, early_start\n"
        "print(gc.isenabled(), early_start.holds_collection())\n" + code
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return out.split()


def test_the_command_holds_collection_until_a_command_other_than_run_is_parsed() -> None:
    printed = _as_the_command(
        "cli.main(['flows', '--json'])\nprint(gc.isenabled(), early_start.holds_collection())"
    )
    assert printed[:2] == ["False", "True"]
    assert printed[-2:] == ["True", "False"]
