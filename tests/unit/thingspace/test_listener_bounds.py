"""The listener's bounds (issue 11 §3, §7): 4xx for broken text, capped fields and memory,
a body deadline, exact content types, and a failing event sink that changes no answer."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.listener import MAX_REQUEST_ID_CHARS, CallbackListener

ICCID = str(Iccid.with_check_digit("890126012345678901"))
JSON = {"Content-Type": "application/json"}
SEED = (Path(__file__).parent / "data" / "promo_change_seed_003.xml").read_bytes()


def rest_body(**changes: Any) -> bytes:
    document: dict[str, Any] = {
        "username": "",
        "password": "",
        "requestId": "req-1",
        "deviceIds": [{"id": "3124705797", "kind": "mdn"}],
        "promoChange": {"change": "PromoCode Dropped.", "changeDate": "4/1/2017 12:00:00 AM"},
        "callbackCount": 1,
        "maxCallbackThreshold": 4,
    }
    document.update(changes)
    return json.dumps(document).encode()


Scenario = Callable[[CallbackListener, aiohttp.ClientSession, str], Awaitable[None]]


def _run(
    tmp_path: Path, scenario: Scenario, events: Any = None, **options: Any
) -> tuple[CarrierModel, CallbackListener]:
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(
        ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn="3124705797"
    )
    if events is None:
        events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    listener = CallbackListener(carrier, events=events, **options)

    async def main() -> None:
        port = await listener.start()
        try:
            async with aiohttp.ClientSession() as session:
                await scenario(listener, session, f"http://127.0.0.1:{port}/")
        finally:
            await listener.stop()

    asyncio.run(main())
    return carrier, listener


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, **headers: str) -> Any:
    async with session.post(url, data=body, headers=headers or JSON) as response:
        text = await response.text()
        return response.status, json.loads(text) if text.startswith("{") else text


@pytest.mark.parametrize(
    "body",
    [
        rest_body(username="\ud800"),
        rest_body(password="x\udfffy"),
        rest_body(requestId="\ud800"),
        rest_body(deviceIds=[{"id": "\udc00", "kind": "mdn"}]),
        rest_body(promoChange={"change": "\ud83d", "changeDate": "4/1/2017 12:00:00 AM"}),
        rest_body(**{"\ud800": 1}),
    ],
    ids=["username", "password", "request-id", "device", "payload", "key"],
)
def test_a_lone_surrogate_anywhere_is_a_400_and_the_listener_goes_on(
    tmp_path: Path, body: bytes
) -> None:
    answers: list[Any] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        answers.append(await _post(session, url, body))
        answers.append(await _post(session, url, rest_body(requestId="after")))

    _, listener = _run(tmp_path, scenario)
    (status, error), (after, _) = answers
    assert status == 400
    assert error["error"] == "rest.lone-surrogate"
    assert "lone surrogate" in error["message"]
    assert after == 200
    assert listener.stats.accepted == 1


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/jsonXYZ", 415),
        ("application/json+evil", 415),
        ("application/json2; charset=utf-8", 415),
        ("xapplication/json", 415),
        ("application/ json", 415),
        ("text/xmlfoo", 415),
        ("application/soap+xmlx", 415),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON", 200),
    ],
)
def test_content_types_are_matched_exactly(tmp_path: Path, content_type: str, status: int) -> None:
    statuses: list[int] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        statuses.append(
            (await _post(session, url, rest_body(), **{"Content-Type": content_type}))[0]
        )

    _run(tmp_path, scenario)
    assert statuses == [status]


def test_oversized_fields_are_refused_and_memory_stays_flat(tmp_path: Path) -> None:
    answers: list[Any] = []
    growth: list[int] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for number in range(30):
            request_id = f"{number}-" + "x" * 900_000
            answers.append(await _post(session, url, rest_body(requestId=request_id)))
        growth.append(tracemalloc.get_traced_memory()[0] - before)
        tracemalloc.stop()
        answers.append(await _post(session, url, rest_body(username="u" * 300)))
        devices = [{"id": f"{3124705797 + n}", "kind": "mdn"} for n in range(300)]
        answers.append(await _post(session, url, rest_body(deviceIds=devices)))
        answers.append(await _post(session, url, rest_body(requestId="r" * MAX_REQUEST_ID_CHARS)))

    _, listener = _run(tmp_path, scenario)
    assert {status for status, _ in answers[:-1]} == {400}
    assert {error["error"] for _, error in answers[:-1]} == {"callback.field-too-large"}
    assert answers[-1][0] == 200  # the longest RequestId allowed is still accepted
    assert growth[0] < 3_000_000, f"30 refused 900 KB RequestIds kept {growth[0]:,} bytes"
    assert listener.stats.accepted == 1


def test_the_dedupe_memory_is_bounded_and_still_catches_recent_retries(tmp_path: Path) -> None:
    statuses: list[int] = []

    async def scenario(
        listener: CallbackListener, session: aiohttp.ClientSession, url: str
    ) -> None:
        for number in range(60):
            statuses.append((await _post(session, url, rest_body(requestId=f"r{number}")))[0])
        statuses.append((await _post(session, url, rest_body(requestId="r59")))[0])

    _, listener = _run(tmp_path, scenario, dedupe_capacity=20)
    assert statuses == [200] * 61
    assert len(listener._seen) == 20
    assert all(len(digest) == 32 for digest in listener._seen)
    assert (listener.stats.accepted, listener.stats.duplicates) == (60, 1)


def test_a_body_that_never_finishes_gets_408_within_the_deadline(tmp_path: Path) -> None:
    answers: list[bytes] = []

    async def scenario(listener: CallbackListener, _: aiohttp.ClientSession, url: str) -> None:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"requestId": '
        )
        await writer.drain()
        # The sender stalls; the listener answers on its own, well before this wait runs out.
        answers.append(await asyncio.wait_for(reader.read(4096), timeout=20))
        writer.close()
        async with aiohttp.ClientSession() as session:
            answers.append(str((await _post(session, url, rest_body()))[0]).encode())

    _, listener = _run(tmp_path, scenario, body_timeout=0.3)
    assert answers[0].startswith(b"HTTP/1.1 408")
    assert b"body.timeout" in answers[0]
    assert answers[1] == b"200"
    assert listener.stats.by_rule == {"body.timeout": 1}


class _BrokenSink:
    def __init__(self) -> None:
        self.calls = 0

    def emit(self, kind: str, **fields: object) -> object:
        self.calls += 1
        raise BrokenPipeError(32, "Broken pipe")


def test_an_event_sink_that_fails_changes_no_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    statuses: list[int] = []
    sink = _BrokenSink()

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        for number in range(3):
            statuses.append((await _post(session, url, rest_body(requestId=f"r{number}")))[0])
        statuses.append((await _post(session, url, b"{", **JSON))[0])
        statuses.append((await _post(session, url, SEED, **{"Content-Type": "text/xml"}))[0])

    carrier, listener = _run(tmp_path, scenario, events=sink)
    assert statuses == [200, 200, 200, 400, 200]
    assert sink.calls == 5
    assert listener.stats.event_failures == 5
    # Said once in the log, not once per callback.
    assert len([r for r in caplog.records if "could not be recorded" in r.getMessage()]) == 1
    line = carrier.line(ICCID)
    assert line is not None
    assert line.promotion_codes == ()


def _declared(encoding: str, codec: str = "utf-8") -> bytes:
    text = SEED.decode()
    return f'<?xml version="1.0" encoding="{encoding}"?>\n{text}'.encode(codec)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (_declared("utf-7"), 400),
        (_declared("idna"), 400),
        (_declared("rot13"), 400),
        (_declared("EBCDIC"), 400),
        (_declared("nonsense", "utf-16"), 400),
        (b"\xef\xbb\xbf" + _declared("latin1"), 400),
        (_declared("UTF-16", "utf-16"), 200),
        (_declared("utf-8"), 200),
        (_declared("ISO-8859-1", "latin-1"), 200),
    ],
    ids=[
        "utf-7",
        "idna",
        "rot13",
        "ebcdic",
        "utf16-nonsense",
        "bom-latin1",
        "utf-16",
        "utf-8",
        "latin-1",
    ],
)
def test_only_encodings_expat_reads_itself_are_accepted(
    tmp_path: Path, body: bytes, status: int
) -> None:
    answers: list[Any] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        answers.append(await _post(session, url, body, **{"Content-Type": "text/xml"}))

    _run(tmp_path, scenario)
    assert answers[0][0] == status
    if status == 400:
        assert "<rule>xml.encoding-unsupported</rule>" in answers[0][1]


def test_bodies_in_flight_are_bounded_and_a_request_past_its_turn_gets_503(
    tmp_path: Path,
) -> None:
    answers: list[Any] = []

    async def scenario(
        listener: CallbackListener, session: aiohttp.ClientSession, url: str
    ) -> None:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        body = rest_body(requestId="slow-one")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:10]
        )
        await writer.drain()
        slots = listener._body_slots
        assert slots is not None
        for _ in range(2000):  # until the slow sender holds the only slot
            if slots.locked():
                break
            await asyncio.sleep(0.005)
        assert slots.locked()
        answers.append(await _post(session, url, rest_body(requestId="waits")))
        writer.write(body[10:])  # the slow sender finishes: its callback is taken
        await writer.drain()
        answers.append((await asyncio.wait_for(reader.read(4096), timeout=20))[:12])
        writer.close()
        answers.append(await _post(session, url, rest_body(requestId="after")))

    _, listener = _run(tmp_path, scenario, bodies_in_flight=1, body_timeout=20, busy_timeout=0.2)
    (busy, error), slow, (after, _) = answers
    assert (busy, error["error"]) == (503, "listener.busy")
    assert slow == b"HTTP/1.1 200"
    assert after == 200
    assert listener.stats.accepted == 2
