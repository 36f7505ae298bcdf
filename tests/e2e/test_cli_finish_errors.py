"""A run that ends before the eSIM world was built, with a screenshot to take (which builds the
side panels, and so that world, first), still ends when the data directory cannot be used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(data: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    command = [sys.executable, "-m", "simulator.cli", "run", "--headless", "--data-dir", str(data)]
    return subprocess.run(
        [*command, *options],
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
