"""Delivery over real HTTP: retries on the stepped clock, outbox, resend, modes (§2.3–§2.6)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiohttp import web

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.codec import (
    CallbackMessage,
    DeviceId,
    PromoChange,
    parse_rest_callback,
    parse_soap_callback,
)
from simulator.thingspace.delivery import (
    Deliverer,
    DeliveryMode,
    DeliveryTarget,
    EntryState,
    RetrySchedule,
)
from simulator.thingspace.listener import CallbackListener
from simulator.thingspace.platform import Platform
from simulator.thingspace.registrations import RegisteredVia, RegistrationStore

ICCID = str(Iccid.with_check_digit("890126012345678901"))


@dataclass
class Peer:
    """A listener stand-in that answers a scripted list of statuses and records each request."""

    clock: VirtualClock
    statuses: list[int] = field(default_factory=list)
    default: int = 200
    stall: float = 0.0
    seen: list[tuple[float, bytes, str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append((self.clock.now(), body, request.headers.get("User-Agent", "")))
        if self.stall:
            await asyncio.sleep(self.stall)  # the network peer is slow, not the logic
        return web.Response(status=self.statuses.pop(0) if self.statuses else self.default)

    def counts(self) -> list[int | None]:
        return [parse_rest_callback(body).callback_count for _, body, _ in self.seen]


def _message(n: int = 1, code: str = "SPRING17") -> CallbackMessage:
    return CallbackMessage(
        PromoChange(f"PromoCode Dropped: {code}", "4/1/2017 12:00:00 AM"),
        request_id=f"req-{n}",
        devices=(DeviceId.parse("Mdn", "3124705797"),),
    )


Scenario = Callable[[Deliverer, Peer, str], Awaitable[None]]


def _run(scenario: Scenario, **options: object) -> tuple[VirtualClock, EventLog, Peer]:
    clock = VirtualClock(0, real_now=time.monotonic)
    events = EventLog(clock)
    peer = Peer(clock)

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/cb", peer.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/cb"
        deliverer = Deliverer(clock, events, asyncio.get_running_loop(), **options)  # type: ignore[arg-type]
        try:
            await scenario(deliverer, peer, url)
        finally:
            await deliverer.close()
            await runner.cleanup()

    asyncio.run(main())
    return clock, events, peer


def test_documented_schedule_is_four_attempts_five_minutes_apart_then_archive_and_resend() -> None:
    async def scenario(deliverer: Deliverer, peer: Peer, url: str) -> None:
        peer.default = 503
        (entry,) = deliverer.submit(DeliveryTarget(url, RegisteredVia.REST), [_message()])
        await deliverer.settle()
        assert [t.due for t in deliverer.clock.pending()] == [300.0]
        deliverer.clock.advance(299.9)
        await deliverer.settle()
        assert len(peer.seen) == 1
        for _ in range(3):
            deliverer.clock.advance_to_next()
            await deliverer.settle()
        assert deliverer.clock.pending() == []
        assert entry.state is EntryState.ARCHIVED
        assert deliverer.archive() == [entry]

        peer.default = 200
        (resent,) = await deliverer.resend("req-1")
        assert (resent.number, resent.status, resent.manual) == (5, 200, True)
        assert entry.state is EntryState.DELIVERED

    _, events, peer = _run(scenario, schedule=RetrySchedule.documented())

    assert [t for t, _, _ in peer.seen] == [0.0, 300.0, 600.0, 900.0, 900.0]
    assert peer.counts() == [1, 2, 3, 4, 5]
    assert {parse_rest_callback(b).max_callback_threshold for _, b, _ in peer.seen} == {4}
    assert {agent for _, _, agent in peer.seen} == {"Verizon's callback service"}
    sent = events.of_kind("thingspace.sent")
    assert [(e.fields["attempt"], e.fields["status"]) for e in sent] == [
        (1, 503),
        (2, 503),
        (3, 503),
        (4, 503),
        (5, 200),
    ]


def test_observed_schedule_is_one_retry_about_1_5_s_later() -> None:
    async def scenario(deliverer: Deliverer, peer: Peer, url: str) -> None:
        peer.default = 403
        deliverer.submit(DeliveryTarget(url, RegisteredVia.REST), [_message()])
        await deliverer.settle()
        deliverer.clock.advance(1.4)
        await deliverer.settle()
        assert len(peer.seen) == 1
        deliverer.clock.advance(0.1)
        await deliverer.settle()
        deliverer.clock.advance(3 * 3600)  # "then nothing for three hours" (§2.4 [OBS])
        await deliverer.settle()

    _, _, peer = _run(scenario, schedule=RetrySchedule.observed())
    assert [t for t, _, _ in peer.seen] == [0.0, 1.5]
    assert peer.counts() == [1, 2]


def test_an_acknowledged_attempt_stops_the_retries() -> None:
    async def scenario(deliverer: Deliverer, peer: Peer, url: str) -> None:
        peer.statuses = [500, 503]
        (entry,) = deliverer.submit(DeliveryTarget(url, RegisteredVia.REST), [_message()])
        await deliverer.settle()
        while deliverer.clock.advance_to_next() is not None:
            await deliverer.settle()
        assert entry.state is EntryState.DELIVERED

    _, _, peer = _run(scenario)
    assert [t for t, _, _ in peer.seen] == [0.0, 300.0, 600.0]


def test_a_listener_that_never_answers_times_out_per_attempt() -> None:
    async def scenario(deliverer: Deliverer, peer: Peer, url: str) -> None:
        peer.stall = 1.0
        (entry,) = deliverer.submit(DeliveryTarget(url, RegisteredVia.REST), [_message()])
        await deliverer.settle()
        (attempt,) = entry.attempts
        assert attempt.status is None
        assert attempt.error is not None
        assert "no answer within 0.2 s" in attempt.error
        assert entry.state is EntryState.PENDING  # a retry is due in 1.5 virtual seconds

    _run(scenario, timeout=0.2, schedule=RetrySchedule.observed())


def test_refused_connection_is_a_failed_attempt() -> None:
    async def scenario(deliverer: Deliverer, peer: Peer, url: str) -> None:
        dead = url.replace("/cb", "").rsplit(":", 1)[0] + ":9/cb"  # discard port: nothing listens
        (entry,) = deliverer.submit(DeliveryTarget(dead, RegisteredVia.REST), [_message()])
        await deliverer.settle()
        assert entry.attempts[0].status is None
        assert entry.attempts[0].error

    _run(scenario)


def test_delivery_modes_in_order_shuffled_delayed() -> None:
    batch = [_message(n) for n in range(1, 13)]

    def arrival(peer: Peer) -> list[str | None]:
        return [parse_rest_callback(body).request_id for _, body, _ in peer.seen]

    async def in_order(deliverer: Deliverer, peer: Peer, url: str) -> None:
        deliverer.submit(DeliveryTarget(url, RegisteredVia.REST), batch)
        await deliverer.settle()

    async def delayed(deliverer: Deliverer, peer: Peer, url: str) -> None:
        deliverer.submit(DeliveryTarget(url, RegisteredVia.REST), batch)
        await deliverer.settle()
        assert peer.seen == []
        assert len(deliverer.clock.pending()) == len(batch)
        deliverer.clock.advance(600)
        await deliverer.settle()

    _, _, ordered = _run(in_order, mode=DeliveryMode.IN_ORDER)
    _, _, shuffled = _run(in_order, mode=DeliveryMode.SHUFFLED)
    _, _, late = _run(delayed, mode=DeliveryMode.DELAYED, max_delay=600.0)

    expected = [m.request_id for m in batch]
    assert arrival(ordered) == expected
    assert sorted(arrival(shuffled)) == sorted(expected)
    assert arrival(shuffled) != expected
    assert sorted(arrival(late)) == sorted(expected)
    assert all(0 < t <= 600 for t, _, _ in late.seen)


def test_duplicates_and_resends_reach_the_listener_and_are_applied_once(tmp_path: Path) -> None:
    clock = VirtualClock(0, real_now=time.monotonic)
    events = EventLog(clock)
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(
        ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn="3124705797"
    )
    store = RegistrationStore.open()

    async def main() -> None:
        listener = CallbackListener(carrier, "sim-user", "sim-pass", events)
        port = await listener.start()
        store.register(
            "TestAccount-2",
            "PromoChanges",
            f"http://127.0.0.1:{port}/promo",
            username="sim-user",
            password="sim-pass",
            via=RegisteredVia.SOAP,
        )
        loop = asyncio.get_running_loop()
        deliverer = Deliverer(clock, events, loop, mode=DeliveryMode.DUPLICATED)
        platform = Platform(clock, events, store, deliverer)
        try:
            entries = platform.send(_message())
            await deliverer.settle()
            await deliverer.resend("req-1")  # support resends: callbackCount goes up
        finally:
            await deliverer.close()
            await listener.stop()
        assert [e.state for e in entries] == [EntryState.DELIVERED, EntryState.DELIVERED]

    asyncio.run(main())

    received = events.of_kind("thingspace.received")
    assert [e.fields["status"] for e in received] == [200, 200, 200, 200]
    assert [e.fields["applied"] for e in received] == [True, False, False, False]
    assert [e.fields["duplicate"] for e in received] == [False, True, True, True]
    assert [e.fields["format"] for e in received] == ["soap"] * 4
    line = carrier.line(ICCID)
    assert line is not None
    assert line.promotion_codes == ()
    assert len(carrier.changes()) == 1


def test_send_without_a_registration_is_logged_and_dropped() -> None:
    clock = VirtualClock(0, real_now=time.monotonic)
    events = EventLog(clock)

    async def main() -> None:
        deliverer = Deliverer(clock, events, asyncio.get_running_loop())
        platform = Platform(clock, events, RegistrationStore.open(), deliverer)
        assert platform.send(_message()) == []
        await deliverer.close()

    asyncio.run(main())
    (event,) = events.of_kind("thingspace.sent")
    assert event.fields["url"] is None
    assert "§2.1" in str(event.fields["error"])


def test_soap_delivery_echoes_credentials_and_no_counters_like_the_sample() -> None:
    async def scenario(deliverer: Deliverer, peer: Peer, url: str) -> None:
        target = DeliveryTarget(url, RegisteredVia.SOAP, "sim-user", "sim-pass")
        deliverer.submit(target, [_message()])
        await deliverer.settle()

    _, _, peer = _run(scenario)
    message = parse_soap_callback(peer.seen[0][1])
    assert (message.username, message.password) == ("sim-user", "sim-pass")
    # The platform's SOAP samples carry no attempt counters; REST documents them.
    assert (message.callback_count, message.max_callback_threshold) == (None, None)
    assert json.dumps(message.request_id) == '"req-1"'
