"""What the listener says it heard (issue 10 §5): the parsed callback in `thingspace.received`,
refusals marked `accepted: false` with their reason, and one readable line per callback."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import aiohttp

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.codec import (
    CallbackMessage,
    DeviceId,
    PromoChange,
    build_rest_callback,
    build_soap_callback,
)
from simulator.thingspace.listener import CallbackListener
from simulator.thingspace.received import MAX_LINE_CHARS, describe_received

ICCID = str(Iccid.with_check_digit("890126012345678901"))
SEED = (Path(__file__).parent / "data" / "promo_change_seed_003.xml").read_bytes()
SOAP = {"Content-Type": "text/xml; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
WALL = "2026-11-30T06:00:00.000+00:00"


def _message(**changes: object) -> CallbackMessage:
    fields: dict[str, object] = {
        "data": PromoChange("PromoCode Dropped: SPRING17", "4/1/2017 12:00:00 AM"),
        "request_id": "req-1",
        "devices": (DeviceId.parse("Mdn", "3124705797"), DeviceId.parse("ICCID", ICCID)),
        "username": "sim-user",
        "password": "sim-secret-pass",
        "callback_count": 1,
        "max_callback_threshold": 4,
    }
    fields.update(changes)
    return CallbackMessage(**fields)  # type: ignore[arg-type]


def _listen_to(
    tmp_path: Path, bodies: list[tuple[bytes, dict[str, str]]]
) -> list[dict[str, object]]:
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(
        ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn="3124705797"
    )
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))

    async def main() -> None:
        listener = CallbackListener(carrier, "sim-user", "sim-secret-pass", events)
        port = await listener.start()
        try:
            async with aiohttp.ClientSession() as session:
                for body, headers in bodies:
                    url = f"http://127.0.0.1:{port}/"
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
        finally:
            await listener.stop()

    asyncio.run(main())
    carrier.close()
    return [dict(event.fields) for event in events.of_kind("thingspace.received")]


def test_the_received_event_carries_the_parsed_promo_change_and_no_secret(tmp_path: Path) -> None:
    message = _message()
    received = _listen_to(
        tmp_path,
        [
            (build_soap_callback(message, counters_in_soap=True), SOAP),
            (build_rest_callback(_message(callback_count=2)), JSON),  # a retry
        ],
    )
    first, retry = received
    assert first["accepted"] is True
    assert first["service"] == "PromoChanges"
    assert first["payload"] == "PromoChange"
    assert first["devices"] == ["MDN:3124705797", f"ICCID:{ICCID}"]
    assert first["data"] == {
        "change": "PromoCode Dropped: SPRING17",
        "change_date": "4/1/2017 12:00:00 AM",
    }
    assert first["credentials"] == {"username": True, "password": True}
    assert (first["request_id"], first["callback_count"], first["max_callback_threshold"]) == (
        "req-1",
        1,
        4,
    )
    assert (first["applied"], first["duplicate"], first["format"]) == (True, False, "soap")
    assert (retry["accepted"], retry["duplicate"], retry["applied"]) == (True, True, False)
    assert retry["callback_count"] == 2
    text = json.dumps(received)
    assert "sim-secret-pass" not in text
    assert "sim-user" not in text


def test_refusals_are_marked_and_carry_their_reason(tmp_path: Path) -> None:
    wrong_password = _message(password="nope", request_id="req-2")
    received = _listen_to(
        tmp_path,
        [
            (build_rest_callback(wrong_password), JSON),
            (b"{", JSON),
            (SEED, {"Content-Type": "text/plain"}),
            (build_soap_callback(_message()), SOAP),
        ],
    )
    assert [(e["accepted"], e["status"], e["outcome"]) for e in received] == [
        (False, 403, "auth.credentials"),
        (False, 400, "rest.not-json"),
        (False, 415, "body.content-type"),
        (True, 200, "promo.removed"),
    ]
    refused = received[0]
    assert "does not match" in str(refused["message"])
    # Parsed before it was refused: who it claimed to be about is kept, the secret is not.
    assert refused["devices"] == ["MDN:3124705797", f"ICCID:{ICCID}"]
    assert refused["credentials"] == {"username": True, "password": True}
    assert "nope" not in json.dumps(received)
    assert received[1]["service"] is None
    assert "Body is not JSON" in str(received[1]["message"])
    # A count of accepted events is a count of accepted callbacks.
    assert sum(1 for e in received if e["accepted"]) == 1


def test_the_readable_line_is_one_printable_bounded_line_whatever_the_sender_wrote() -> None:
    hostile = "\x1b[2J\x1b[31mowned\r\nfake line\u2028" + "x" * 5000
    fields = {
        "accepted": True,
        "status": 200,
        "format": "rest",
        "service": "PromoChanges",
        "devices": ["MDN:3124705797"],
        "request_id": hostile,
        "data": {"change": hostile, "change_date": "4/1/2017", "nested": {"a": 1}},
        "outcome": "promo.removed",
        "applied": True,
        "duplicate": False,
    }
    line = describe_received(WALL, fields)
    assert line.startswith("06:00:00 200 PromoChanges via REST for MDN:3124705797 request ")
    assert "\n" not in line
    assert "\r" not in line
    assert "\x1b" not in line
    assert line.isprintable()
    assert len(line) <= MAX_LINE_CHARS
    refused = describe_received(
        WALL,
        {
            "accepted": False,
            "status": 403,
            "format": "soap",
            "outcome": "auth.credentials",
            "message": "Username or password does not match the registered credentials.",
        },
    )
    assert refused == (
        "06:00:00 403 REJECTED SOAP auth.credentials: Username or password does not match the "
        "registered credentials."
    )


def _post_seed_copies(url: str, count: int) -> list[int]:
    async def main() -> list[int]:
        statuses = []
        async with aiohttp.ClientSession() as session:
            for number in range(count):
                body = SEED.replace(b"2c90bd28", f"{number:08x}".encode())
                async with session.post(url, data=body, headers=SOAP) as response:
                    statuses.append(response.status)
        return statuses

    return asyncio.run(main())


def test_listen_survives_a_closed_stdout_and_keeps_logging_to_the_file(
    tmp_path: Path, start_listener: Callable[..., subprocess.Popen[str]]
) -> None:
    process = start_listener()
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        process.stdout.close()  # what `listen | head -1` does once head has its line
        statuses = _post_seed_copies(url, 5)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert statuses == [200] * 5
    assert process.returncode == 0
    assert "stdout is closed; still listening" in stderr
    assert "Traceback" not in stderr
    log = [json.loads(line) for line in (tmp_path / "listener.jsonl").read_text().splitlines()]
    assert [e["status"] for e in log] == [200] * 5


def test_listen_quiet_prints_only_the_url(
    tmp_path: Path, start_listener: Callable[..., subprocess.Popen[str]]
) -> None:
    process = start_listener("--quiet")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        statuses = _post_seed_copies(url, 2)
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=10)
    assert statuses == [200, 200]
    assert stdout == ""
    assert len((tmp_path / "listener.jsonl").read_text().splitlines()) == 2
