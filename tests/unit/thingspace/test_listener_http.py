"""The reference listener over real HTTP on 127.0.0.1 (spec §2.3, §2.6, §2.7)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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

SEED = (Path(__file__).parent / "data" / "promo_change_seed_003.xml").read_bytes()
ICCID = str(Iccid.with_check_digit("890126012345678901"))
SOAP = {"Content-Type": "text/xml; charset=utf-8"}
JSON = {"Content-Type": "application/json"}

Scenario = Callable[[CallbackListener, aiohttp.ClientSession, str], Awaitable[None]]


def _run(
    tmp_path: Path, scenario: Scenario, *, username: str = "", password: str = ""
) -> tuple[CarrierModel, EventLog]:
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(
        ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn="3124705797"
    )
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))

    async def main() -> None:
        listener = CallbackListener(carrier, username, password, events)
        port = await listener.start()
        try:
            async with aiohttp.ClientSession() as session:
                await scenario(listener, session, f"http://127.0.0.1:{port}/callbacks/promo")
        finally:
            await listener.stop()

    asyncio.run(main())
    return carrier, events


def _promos(carrier: CarrierModel) -> tuple[str, ...]:
    line = carrier.line(ICCID)
    assert line is not None
    return line.promotion_codes


def test_seed_sample_byte_for_byte_is_accepted_and_removes_the_promotion(tmp_path: Path) -> None:
    statuses: list[int] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        async with session.post(url, data=SEED, headers=SOAP) as response:
            statuses.append(response.status)
            assert b"Envelope" in await response.read()

    carrier, events = _run(tmp_path, scenario)

    assert statuses == [200]
    assert _promos(carrier) == ()
    (received,) = events.of_kind("thingspace.received")
    assert received.fields["service"] == "PromoChanges"
    assert received.fields["request_id"] == "2c90bd28-ece4-42ef-9f02-7e3bd4fbff33"
    assert received.fields["devices"] == ["MDN:3124705797"]
    assert (received.fields["applied"], received.fields["status"]) == (True, 200)


def test_retry_with_higher_callback_count_is_acknowledged_but_applied_once(
    tmp_path: Path,
) -> None:
    message = CallbackMessage(
        PromoChange("PromoCode Dropped: SPRING17", "4/1/2017 12:00:00 AM"),
        request_id="req-1",
        devices=(DeviceId.parse("mdn", "3124705797"),),
        username="sim-user",
        password="sim-pass",
        callback_count=1,
        max_callback_threshold=4,
    )
    retry = CallbackMessage(**{**message.__dict__, "callback_count": 2})
    other_device = CallbackMessage(
        **{**message.__dict__, "devices": (DeviceId.parse("ICCID", ICCID),)}
    )
    statuses: list[int] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        for body, headers in (
            (build_rest_callback(message), JSON),
            (build_rest_callback(retry), JSON),
            (build_soap_callback(retry), SOAP),
            (build_rest_callback(other_device), JSON),  # same RequestId, other device: new
        ):
            async with session.post(url, data=body, headers=headers) as response:
                statuses.append(response.status)

    carrier, events = _run(tmp_path, scenario, username="sim-user", password="sim-pass")

    assert statuses == [200, 200, 200, 200]
    received = events.of_kind("thingspace.received")
    assert [e.fields["duplicate"] for e in received] == [False, True, True, False]
    assert [e.fields["applied"] for e in received] == [True, False, False, False]
    assert received[3].fields["outcome"] == "promo.not-on-line"  # already removed by the first
    assert _promos(carrier) == ()


def test_wrong_credentials_are_refused_with_403_and_nothing_applied(tmp_path: Path) -> None:
    good = CallbackMessage(
        PromoChange("PromoCode Dropped.", "4/1/2017 12:00:00 AM"),
        request_id="req-2",
        devices=(DeviceId.parse("Mdn", "3124705797"),),
        username="sim-user",
        password="sim-pass",
    )
    wrong_password = CallbackMessage(**{**good.__dict__, "password": "sim-pasS"})
    wrong_user = CallbackMessage(**{**good.__dict__, "username": ""})
    results: list[tuple[int, bytes]] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        for body, headers in (
            (build_soap_callback(wrong_password), SOAP),
            (build_rest_callback(wrong_user), JSON),
            (SEED, SOAP),  # the seed's empty credentials are wrong here too
        ):
            async with session.post(url, data=body, headers=headers) as response:
                results.append((response.status, await response.read()))

    carrier, events = _run(tmp_path, scenario, username="sim-user", password="sim-pass")

    assert [status for status, _ in results] == [403, 403, 403]
    assert b"<s:Fault>" in results[0][1]
    assert b"auth.credentials" in results[0][1]
    assert b'"error": "auth.credentials"' in results[1][1]
    assert _promos(carrier) == ("SPRING17",)
    assert carrier.changes() == []
    assert {e.fields["outcome"] for e in events.of_kind("thingspace.received")} == {
        "auth.credentials"
    }


def test_wrong_or_missing_content_type_is_415_and_nothing_applied(tmp_path: Path) -> None:
    statuses: list[int] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "text/html"):
            async with session.post(url, data=SEED, headers={"Content-Type": content_type}) as r:
                statuses.append(r.status)
        async with session.post(url, data=SEED, skip_auto_headers=["Content-Type"]) as r:
            statuses.append(r.status)
        # SOAP sent as JSON: the JSON parser refuses it (400), it is never read as XML.
        async with session.post(url, data=SEED, headers=JSON) as r:
            statuses.append(r.status)

    carrier, _ = _run(tmp_path, scenario)

    assert statuses == [415, 415, 415, 415, 400]
    assert _promos(carrier) == ("SPRING17",)


def test_application_soap_xml_is_accepted_too(tmp_path: Path) -> None:
    statuses: list[int] = []

    async def scenario(_: CallbackListener, session: aiohttp.ClientSession, url: str) -> None:
        headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        async with session.post(url, data=SEED, headers=headers) as response:
            statuses.append(response.status)

    carrier, _ = _run(tmp_path, scenario)
    assert statuses == [200]
    assert _promos(carrier) == ()
