"""A run that ends before the eSIM world was built, with a screenshot to take (which builds the
side panels, and so that world, first), still ends when the data directory cannot be used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(data: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return _python("-m", "simulator.cli", "run", "--headless", "--data-dir", str(data), *options)


def _python(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_screenshot_run_ending_before_the_esim_build_still_ends_on_a_damaged_set(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = _run(data, "--until", "portal.loaded", "--timeout", "60")
    assert first.returncode == 0, first.stderr[-2000:]
    [ci_certificate] = (data / "esim" / "pki" / "CertificateIssuer").glob("CERT_*.der")
    ci_certificate.write_bytes(b"not a certificate")

    # Ends at once, long before the portal has loaded and so before the eSIM build starts.
    again = _run(data, "--timeout", "0.001", "--screenshot", str(tmp_path / "shot.png"))

    assert again.returncode == 2, again.stderr[-2000:]
    assert f"the data directory {data} cannot be used: pki.damaged-set" in again.stderr
    assert "Traceback" not in again.stderr, again.stderr


def test_a_screenshot_path_that_cannot_be_written_is_an_error_and_the_run_still_ends(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    events = tmp_path / "events.jsonl"
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")

    run = _run(
        data,
        *("--timeout", "0.001", "--events", str(events)),
        *("--screenshot", str(not_a_folder / "shot.png")),
    )

    assert run.returncode == 2, run.stderr[-2000:]
    assert "error: the screenshot or report cannot be written: " in run.stderr
    assert str(not_a_folder) in run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert '"kind":"app.exit"' in events.read_text().splitlines()[-1]


def test_a_run_whose_closing_fails_still_ends(tmp_path: Path) -> None:
    # A part that raises while the simulator closes (an operator API's client, a store) used
    # to leave the run's event loop running forever: the quit came after the close.
    script = (
        "import sys, simulator.app, simulator.cli\n"
        "def failing_close(self):\n"
        "    raise RuntimeError('a part could not close')\n"
        "simulator.app.Simulator.close = failing_close\n"
        f"sys.exit(simulator.cli.main(['run', '--headless', '--data-dir', {str(tmp_path)!r},"
        " '--timeout', '0.5']))\n"
    )
    run = _python("-c", script)
    # It ended (within the subprocess's timeout), and said what failed.
    assert "a part could not close" in run.stderr
