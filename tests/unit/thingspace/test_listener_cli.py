"""``thingspace listen`` in a subprocess and ``thingspace send`` against it (DESIGN.md §4.2)."""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.data_dir import THINGSPACE_LISTENER
from simulator.thingspace.carrier import CarrierModel
from simulator.thingspace.cli import DEMO_ICCID, main


def test_send_promo_change_to_the_headless_listener(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    start_listener: Callable[..., subprocess.Popen[str]],
) -> None:
    process = start_listener("--username", "sim-user", "--password", "sim-pass")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        base = ["thingspace", "send", "PromoChanges", "--to", url, "--device", "Mdn:3124705797"]
        base.append("--json")
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
        printed = [process.stdout.readline().rstrip("\n") for _ in range(2)]
    finally:
        process.terminate()
        status = process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert status == 0  # SIGTERM is a clean stop

    assert (wrong, right) == (1, 0)
    # One readable line per callback on stdout; the whole events in the JSON Lines file.
    assert " 403 REJECTED SOAP auth.credentials: Username or password does not match" in printed[0]
    assert " 200 PromoChanges via REST for MDN:3124705797 request '" in printed[1]
    assert "change='PromoCode Dropped.', change_date='4/1/2017 12:00:00 AM'" in printed[1]
    assert printed[1].endswith("-> promo.removed (applied)")
    received = [json.loads(line) for line in (tmp_path / "listener.jsonl").read_text().splitlines()]
    assert [(e["kind"], e["status"], e["applied"], e["accepted"]) for e in received] == [
        ("thingspace.received", 403, False, False),
        ("thingspace.received", 200, True, True),
    ]
    assert received[1]["data"] == {
        "change": "PromoCode Dropped.",
        "change_date": "4/1/2017 12:00:00 AM",
    }
    assert received[1]["credentials"] == {"username": True, "password": True}
    assert "sim-pass" not in (tmp_path / "listener.jsonl").read_text()
    sent = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["kind"], e["status"], e["format"]) for e in sent] == [
        ("thingspace.sent", 403, "soap"),
        ("thingspace.sent", 200, "rest"),
    ]
    log = (tmp_path / "listener.jsonl").read_text().splitlines()
    assert [json.loads(line)["status"] for line in log] == [403, 200]
    assert json.loads((tmp_path / "sender.jsonl").read_text())["attempt"] == 1
    carrier = CarrierModel.open(tmp_path / "data" / THINGSPACE_LISTENER)
    line = carrier.line(DEMO_ICCID)
    carrier.close()
    assert line is not None
    assert line.promotion_codes == ()


def test_send_exit_status_for_no_listener_and_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    dead = ["thingspace", "send", "PromoChanges", "--to", "http://127.0.0.1:9/", "--timeout", "2"]
    assert main([*dead, "--device", "Mdn:3124705797"]) == 1
    assert main(dead) == 2  # no --device
    assert main([*dead, "--device", "Mdn"]) == 2
    assert main([*dead, "--device", "Imei:123"]) == 2
    assert main([*dead, "--device", "Mdn:3124705797", "--field", "Nonsense=1"]) == 2
    assert main(["thingspace", "send", "NoSuchService", "--to", "http://127.0.0.1:9/"]) == 2
    errors = capsys.readouterr().err
    assert "--device KIND:ID is required" in errors
    assert "device.identifier-invalid" in errors
    assert "service.unknown" in errors


def test_send_retries_on_the_schedule_asked_and_prints_each_attempt(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = ["thingspace", "send", "PromoChanges", "--device", "Mdn:3124705797"]
    assert main([*command, "--to", "http://127.0.0.1:9/", "--retry", "3", "--timeout", "1"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" at ")[0] for line in lines] == [
        "attempt 1/3",
        "attempt 2/3",
        "attempt 3/3",
    ]
    assert all("no answer" in line and "+" in line for line in lines)
    # The attempts are spaced on the real clock: 1 s apart for --retry N.
    starts = [float(line.split(" at +")[1].split(" s:")[0]) for line in lines]
    assert starts[1] >= 1.0
    assert starts[2] >= 2.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--to", "127.0.0.1:8443"], "is not an http:// or https:// URL"),
        (["--to", "http://127.0.0.1:9/", "--retry", "often"], "--retry 'often'"),
        (["--to", "http://127.0.0.1:9/", "--retry", "0"], "from 1 to 100"),
        (["--to", "http://127.0.0.1:9/", "--field", "Change="], "Change cannot be empty"),
    ],
)
def test_send_usage_errors_are_one_line_or_a_json_object(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["thingspace", "send", "PromoChanges", "--device", "Mdn:3124705797", *arguments]
    assert main(command) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert main([*command, "--json"]) == 2
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] is False
    assert message in answer["message"]


def test_send_posts_the_platforms_sample_byte_for_byte_by_default() -> None:
    """Apart from RequestId, ChangeDate and the device, `send PromoChanges` posts the platform's
    own PromoChange sample: no attempt counters in SOAP unless --soap-counters."""
    from simulator.thingspace.codec import build_soap_callback
    from simulator.thingspace.send_command import add_send_command, build_message

    parser = argparse.ArgumentParser()
    add_send_command(parser.add_subparsers(dest="thingspace_command"))
    args = parser.parse_args(
        [
            "send",
            "PromoChanges",
            "--to",
            "http://127.0.0.1:9/",
            "--device",
            "Mdn:3124705797",
            "--field",
            "Change=PromoCode Dropped.",
            "--field",
            "ChangeDate=4/1/2017 12:00:00 AM",
            "--field",
            "RequestId=2c90bd28-ece4-42ef-9f02-7e3bd4fbff33",
        ]
    )
    seed = Path(__file__).parent / "data" / "promo_change_seed_003.xml"
    assert build_soap_callback(build_message(args)) == seed.read_bytes()


def test_listen_json_prints_each_callback_as_its_event_line(
    start_listener: Callable[..., subprocess.Popen[str]],
) -> None:
    process = start_listener("--json")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        command = ["thingspace", "send", "PromoChanges", "--to", url, "--device", "Mdn:3124705797"]
        assert main([*command, "--quiet"]) == 0
        event = json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert event["kind"] == "thingspace.received"
    assert event["accepted"] is True
    assert event["service"] == "PromoChanges"
