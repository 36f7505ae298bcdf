"""``thingspace listen`` in a subprocess and ``thingspace send`` against it (DESIGN.md §4.2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.thingspace.carrier import CarrierModel
from simulator.thingspace.cli import DEMO_ICCID, main

ROOT = Path(__file__).resolve().parents[3]


def _listen(tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
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
        text=True,
    )


def test_send_promo_change_to_the_headless_listener(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = _listen(tmp_path, "--username", "sim-user", "--password", "sim-pass")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        base = ["thingspace", "send", "PromoChanges", "--to", url, "--device", "Mdn:3124705797"]
        wrong = main([*base, "--username", "sim-user", "--password", "nope"])
        right = main(
            [
                *base,
                "--username",
                "sim-user",
                "--password",
                "sim-pass",
                "--format",
                "rest",
                "--field",
                "ChangeDate=4/1/2017 12:00:00 AM",
                "--events",
                str(tmp_path / "sender.jsonl"),
            ]
        )
        received = [json.loads(process.stdout.readline()) for _ in range(2)]
    finally:
        process.terminate()
        status = process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert status == 0  # SIGTERM is a clean stop

    assert (wrong, right) == (1, 0)
    assert [(e["kind"], e["status"], e["applied"]) for e in received] == [
        ("thingspace.received", 403, False),
        ("thingspace.received", 200, True),
    ]
    sent = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["kind"], e["status"], e["format"]) for e in sent] == [
        ("thingspace.sent", 403, "soap"),
        ("thingspace.sent", 200, "rest"),
    ]
    log = (tmp_path / "listener.jsonl").read_text().splitlines()
    assert [json.loads(line)["status"] for line in log] == [403, 200]
    assert json.loads((tmp_path / "sender.jsonl").read_text())["attempt"] == 1
    carrier = CarrierModel.open(tmp_path / "data" / "thingspace-listener")  # its own sub-path
    line = carrier.line(DEMO_ICCID)
    carrier.close()
    assert line is not None
    assert line.promotion_codes == ()


def test_send_exit_status_for_no_listener_and_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    dead = ["thingspace", "send", "PromoChanges", "--to", "http://127.0.0.1:9/", "--timeout", "2"]
    assert main(dead) == 1
    assert main([*dead, "--device", "Mdn"]) == 2
    assert main([*dead, "--device", "Imei:123"]) == 2
    assert main([*dead, "--field", "Nonsense=1"]) == 2
    assert main(["thingspace", "send", "NoSuchService", "--to", "http://127.0.0.1:9/"]) == 2
    errors = capsys.readouterr().err
    assert "KIND:ID" in errors
    assert "device.identifier-invalid" in errors
    assert "service.unknown" in errors
