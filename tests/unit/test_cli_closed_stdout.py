"""Both commands end quietly when the reader of their output goes away (`... | head`), as a
Unix tool does: no traceback, the shell's SIGPIPE status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from esim.cli_output import EXIT_READER_GONE


@pytest.mark.parametrize(
    ("command", "status"),
    [
        (["-m", "simulator.cli", "flows"], EXIT_READER_GONE),
        (["-m", "esim.cli", "euicc", "info", "--data-dir", "{tmp}"], EXIT_READER_GONE),
        # argparse's own printing already ignores a failed write of the help
        (["-m", "simulator.cli", "--help"], 0),
        (["-m", "esim.cli", "--help"], 0),
    ],
)
def test_a_closed_standard_output_ends_the_command_quietly(
    command: list[str], status: int, tmp_path: Path
) -> None:
    command = [word.replace("{tmp}", str(tmp_path)) for word in command]
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before the command writes a byte
    try:
        finished = subprocess.run(
            [sys.executable, *command],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writing)
    assert "Traceback" not in finished.stderr, finished.stderr
    assert "BrokenPipeError" not in finished.stderr
    assert finished.returncode == status
