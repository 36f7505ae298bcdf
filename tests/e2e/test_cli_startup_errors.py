"""A data directory the eSIM world cannot use is still a clear usage error (exit 2), although that
world is built while the portal loads, after the page may already have loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_until_loaded(data: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    command = [sys.executable, "-m", "simulator.cli", "run", "--headless"]
    return subprocess.run(
        [*command, "--data-dir", str(data), "--until", "portal.loaded", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_damaged_certificate_set_is_exit_2_with_the_rule_even_after_the_portal_loaded(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = _run_until_loaded(data)
    assert first.returncode == 0, first.stderr[-2000:]
    [ci_certificate] = (data / "esim" / "pki" / "CertificateIssuer").glob("CERT_*.der")
    ci_certificate.write_bytes(b"not a certificate")

    again = _run_until_loaded(data)

    assert again.returncode == 2
    assert f"the data directory {data} cannot be used: pki.damaged-set" in again.stderr
    assert "Traceback" not in again.stderr
    assert again.stderr.count("cannot be used") == 1
