"""Hostile bodies at the listener over real HTTP: rejected, nothing applied (spec §5, §2.7)."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.listener import CallbackListener

SEED = (Path(__file__).parent / "data" / "promo_change_seed_003.xml").read_bytes()
ICCID = str(Iccid.with_check_digit("890126012345678901"))
SOAP = {"Content-Type": "text/xml; charset=utf-8"}

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
""" + SEED.replace(b"PromoCode Dropped.", b"&xxe;")

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
    + SEED.replace(b"PromoCode Dropped.", b"&lol9;")
)

PLAIN_DOCTYPE = b'<!DOCTYPE Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">\n' + SEED


def _carrier(tmp_path: Path) -> CarrierModel:
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(
        ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn="3124705797"
    )
    return carrier


def _unchanged(carrier: CarrierModel) -> bool:
    line = carrier.line(ICCID)
    return line is not None and line.promotion_codes == ("SPRING17",) and not carrier.changes()


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (XXE, "xml.dtd-forbidden"),
        (LAUGHS, "xml.dtd-forbidden"),
        (PLAIN_DOCTYPE, "xml.dtd-forbidden"),
        (SEED[:-40], "xml.not-well-formed"),
        (b"", "body.empty"),
    ],
    ids=["xxe", "billion-laughs", "doctype", "truncated", "empty"],
)
def test_hostile_soap_gets_a_fault_and_changes_nothing(
    tmp_path: Path, body: bytes, rule: str
) -> None:
    carrier = _carrier(tmp_path)
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    answers: list[tuple[int, bytes]] = []

    async def main() -> None:
        listener = CallbackListener(carrier, events=events)
        port = await listener.start()
        try:
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{port}/"
                async with session.post(url, data=body, headers=SOAP) as response:
                    answers.append((response.status, await response.read()))
        finally:
            await listener.stop()

    asyncio.run(main())

    ((status, answer),) = answers
    assert 400 <= status < 500
    assert b"<s:Fault>" in answer
    assert rule.encode() in answer
    assert b"root:" not in answer  # nothing of /etc/passwd leaks back
    assert _unchanged(carrier)
    (event,) = events.of_kind("thingspace.received")
    assert (event.fields["applied"], event.fields["outcome"]) == (False, rule)


def test_declared_oversized_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    carrier = _carrier(tmp_path)
    statuses: list[int] = []

    async def main() -> None:
        listener = CallbackListener(carrier, max_bytes=64 * 1024)
        port = await listener.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            # Headers only: a listener that waited for 50 MB would never answer.
            writer.write(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                b"Content-Length: 52428800\r\n\r\n" + SEED
            )
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), timeout=5)
            statuses.append(int(status_line.split()[1]))
            writer.close()
            await writer.wait_closed()
        finally:
            await listener.stop()

    asyncio.run(main())
    assert statuses == [413]
    assert _unchanged(carrier)


def test_50_mb_chunked_body_is_streamed_rejected_early_and_memory_stays_bounded(
    tmp_path: Path,
) -> None:
    carrier = _carrier(tmp_path)
    total = 50 * 1024 * 1024
    chunk = b"<a>" + b"x" * (64 * 1024 - 7) + b"</a>"
    sent = 0
    outcome: list[object] = []

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield SEED[: SEED.index(b"<Data>")]
        while sent < total:
            sent += len(chunk)
            yield chunk

    async def main() -> None:
        listener = CallbackListener(carrier)  # default cap: 1 MiB
        port = await listener.start()
        try:
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{port}/"
                try:
                    async with session.post(url, data=body(), headers=SOAP) as response:
                        outcome.append(response.status)
                except (aiohttp.ClientError, ConnectionError) as error:
                    outcome.append(type(error).__name__)  # the listener hung up mid-upload
        finally:
            await listener.stop()

    tracemalloc.start()
    try:
        asyncio.run(main())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert outcome in ([413], ["ClientOSError"], ["ServerDisconnectedError"]), outcome
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while receiving 50 MB"
    assert _unchanged(carrier)
    assert sent < total, "the listener read the whole 50 MB before refusing it"
