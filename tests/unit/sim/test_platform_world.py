"""The operator platform inside the app, without Qt: PlatformWorld on a stepped clock.

The test thread plays the GUI thread: `post` queues callables from any thread and
`GuiThread.drain` runs them here, as the app's MainThreadPoster does on the Qt thread.
"""

from __future__ import annotations

import queue
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from esim.identifiers import Iccid
from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import Event, EventLog
from simulator.network import Registration, SimulatedNetwork
from simulator.platform_world import BUILTIN_SERVICES, WELCOME_PROMOTION, PlatformWorld
from simulator.thingspace.carrier import LineStatus
from simulator.thingspace.codec import CallbackMessage, DeviceId, UnverifiedFields
from simulator.thingspace.codec.unverified import DeviceSuspendStatus
from simulator.thingspace.delivery import DeliveryTarget, EntryState, RetrySchedule
from simulator.thingspace.registrations import SANDBOX_ACCOUNT, RegisteredVia

ICCID = str(Iccid.with_check_digit("8999001000000000042"))
DAY = 86_400.0


class GuiThread:
    """A stand-in for the Qt main thread: `post` from anywhere, `drain` here."""

    def __init__(self) -> None:
        self.thread = threading.current_thread()
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def post(self, function: Callable[[], None]) -> None:
        self._queue.put(function)

    def drain(self) -> int:
        assert threading.current_thread() is self.thread
        ran = 0
        while True:
            try:
                function = self._queue.get_nowait()
            except queue.Empty:
                return ran
            function()
            ran += 1


@dataclass
class Rig:
    loop: BackgroundLoop
    clock: VirtualClock
    events: EventLog
    network: SimulatedNetwork
    gui: GuiThread
    world: PlatformWorld
    threads: list[str]

    def settle(self) -> None:
        """Let every delivery in flight finish, then run what it posted to the 'GUI'."""
        self.loop.run(self.world.deliverer.settle())
        self.gui.drain()

    def kinds(self, kind: str) -> list[Event]:
        return self.events.of_kind(kind)

    def enable_profile(self, iccid: str = ICCID, operation: str = "op-1") -> None:
        self.events.emit(
            "flow.state", flow="inline-download", operation=operation, state="enabled", iccid=iccid
        )


def make_world(
    tmp_path: Path, loop: BackgroundLoop, clock: VirtualClock, events: EventLog, gui: GuiThread
) -> tuple[PlatformWorld, SimulatedNetwork]:
    network = SimulatedNetwork(clock, events)
    plans = {"op-1": "Contoso 10 GB"}
    world = PlatformWorld(
        tmp_path / "thingspace",
        loop,
        clock,
        events,
        gui.post,
        network=network,
        plan_lookup=lambda operation: plans.get(operation, ""),
        imei="356938035643809",
    )
    return world, network


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    loop = BackgroundLoop()
    clock = VirtualClock(0, real_now=lambda: 0.0)
    events = EventLog(clock)
    gui = GuiThread()
    threads: list[str] = []
    events.subscribe(lambda event: threads.append(threading.current_thread().name))
    world, network = make_world(tmp_path, loop, clock, events, gui)
    events.subscribe(world.observe)
    yield Rig(loop, clock, events, network, gui, world, threads)
    world.close()
    gui.drain()
    loop.stop()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_builtin_listener_is_registered_for_the_line_services(rig: Rig) -> None:
    found = {r.service: r for r in rig.world.registrations.for_account(SANDBOX_ACCOUNT)}
    assert set(found) == set(BUILTIN_SERVICES)
    for registration in found.values():
        assert registration.url == rig.world.listener_url
        assert registration.via is RegisteredVia.SOAP
        assert registration.username == rig.world.username
        assert registration.password == rig.world.password
        assert 0 < len(registration.password) <= 40  # §2.2
    assert rig.clock.pending() == []  # no line yet: no billing timer


def test_panel_args_are_the_panels_keywords(rig: Rig) -> None:
    args = rig.world.panel_args()
    assert set(args) == {
        "carrier",
        "registrations",
        "deliverer",
        "listener_url",
        "username",
        "password",
        "account",
    }
    assert args["listener_url"] == rig.world.listener_url
    assert args["deliverer"] is rig.world.deliverer


def test_enabled_profile_gets_a_line_with_a_welcome_promotion(rig: Rig) -> None:
    rig.events.emit("flow.state", flow="inline-download", operation="op-1", state="installed")
    assert rig.world.carrier.lines() == []

    rig.enable_profile()
    line = rig.world.carrier.line(ICCID)
    assert line is not None
    assert line.plan == "Contoso 10 GB"  # from the flow's plan name
    assert line.status is LineStatus.ACTIVE
    assert str(line.imei) == "356938035643809"
    assert [(p.code, p.ends_on) for p in line.promotions] == [
        (WELCOME_PROMOTION, datetime(2017, 4, 1))  # the first billing-cycle end
    ]
    (created,) = rig.kinds("carrier.line")
    assert created.fields["change"] == "created"
    assert created.fields["iccid"] == ICCID
    assert created.fields["promotions"] == [{"code": WELCOME_PROMOTION, "ends_on": "2017-04-01"}]
    assert [t.label for t in rig.clock.pending()] == ["thingspace billing cycle end 2017-04-01"]

    rig.enable_profile(operation="op-2")  # enabled again later: the same line
    assert len(rig.world.carrier.lines()) == 1
    assert len(rig.kinds("carrier.line")) == 1


def test_without_a_plan_name_the_line_gets_the_operators_plan(rig: Rig) -> None:
    rig.enable_profile(operation="app-7")
    line = rig.world.carrier.line(ICCID)
    assert line is not None
    assert line.plan == "Contoso Mobile plan"


def test_bad_iccid_in_a_flow_event_changes_nothing(rig: Rig) -> None:
    rig.enable_profile(iccid="not-an-iccid")
    assert rig.world.carrier.lines() == []
    (refused,) = rig.kinds("carrier.line")
    assert refused.fields["change"] == "refused"


def test_billing_cycle_end_sends_promo_change_into_the_listener_and_onto_the_line(
    rig: Rig,
) -> None:
    rig.enable_profile()
    rig.clock.advance(31 * DAY + 120)  # past 2017-04-01 and the one-minute send delay
    rig.settle()

    (sent,) = rig.kinds("thingspace.sent")
    assert sent.fields["service"] == "PromoChanges"
    assert sent.fields["status"] == 200
    assert sent.fields["format"] == "soap"
    (received,) = rig.kinds("thingspace.received")
    assert received.fields["applied"] is True
    assert received.fields["outcome"] == "promo.removed"
    changed = rig.kinds("carrier.line")[-1]
    assert changed.fields["change"] == "promo.removed"
    assert changed.fields["promotions"] == []
    assert changed.fields["plan"] == "Contoso 10 GB"
    assert changed.fields["status"] == "active"
    line = rig.world.carrier.line(ICCID)
    assert line is not None
    assert line.promotions == ()
    # Order on the GUI thread: received, then what it changed on the line.
    assert received.seq < changed.seq
    # Every event was emitted on the 'GUI' thread, never on the server loop.
    assert set(rig.threads) == {rig.gui.thread.name}


def suspend_status(state: str, request_id: str) -> CallbackMessage:
    return CallbackMessage(
        data=DeviceSuspendStatus(UnverifiedFields((("State", state),))),
        request_id=request_id,
        devices=(DeviceId.parse("ICCID", ICCID),),
    )


def test_device_suspend_status_denies_registration_and_resume_registers_again(rig: Rig) -> None:
    rig.enable_profile()
    rig.network.register(ICCID)
    rig.clock.advance(10)
    assert rig.network.state(ICCID) is Registration.HOME

    (entry,) = rig.world.platform.send(suspend_status("Suspend", "s-1"))
    rig.settle()
    assert entry.state is EntryState.DELIVERED
    assert rig.network.state(ICCID) is Registration.DENIED
    line = rig.world.carrier.line(ICCID)
    assert line is not None
    assert line.status is LineStatus.SUSPENDED
    assert rig.kinds("carrier.line")[-1].fields["status"] == "suspended"
    assert rig.kinds("network.registration")[-1].fields["state"] == "denied"

    rig.world.platform.send(suspend_status("Resume", "s-2"))
    rig.settle()
    assert rig.kinds("carrier.line")[-1].fields["status"] == "active"
    assert rig.network.state(ICCID) is Registration.SEARCHING
    rig.clock.advance(10)
    assert rig.network.state(ICCID) is Registration.HOME
    assert set(rig.threads) == {rig.gui.thread.name}


def test_retries_are_put_on_the_clock_through_post(rig: Rig) -> None:
    target = DeliveryTarget(closed_port_url(), RegisteredVia.REST)
    (entry,) = rig.world.deliverer.submit(target, [suspend_status("Suspend", "r-1")])
    rig.loop.run(rig.world.deliverer.settle())
    assert len(entry.attempts) == 1
    assert entry.attempts[0].status is None
    assert rig.clock.pending() == []  # the loop thread did not touch the clock
    assert rig.kinds("thingspace.sent") == []  # nor the event log

    rig.gui.drain()
    assert [t.label for t in rig.clock.pending()] == ["thingspace retry r-1 #2"]
    assert rig.kinds("thingspace.sent")[0].fields["attempt"] == 1

    schedule = RetrySchedule.documented()
    for number in range(2, schedule.max_attempts + 1):
        rig.clock.advance(300)
        rig.settle()
        assert len(entry.attempts) == number
    assert [a.at for a in entry.attempts] == list(schedule.offsets)
    assert entry.state is EntryState.ARCHIVED
    assert rig.clock.pending() == []


def test_close_cancels_pending_retries(rig: Rig) -> None:
    target = DeliveryTarget(closed_port_url(), RegisteredVia.REST)
    rig.world.deliverer.submit(target, [suspend_status("Suspend", "c-1")])
    rig.settle()
    assert len(rig.clock.pending()) == 1
    rig.world.close()
    assert rig.clock.pending() == []
    rig.world.close()  # idempotent


def test_reopening_replaces_the_stale_builtin_registration_and_keeps_others(
    tmp_path: Path,
) -> None:
    loop = BackgroundLoop()
    clock = VirtualClock(0, real_now=lambda: 0.0)
    events = EventLog(clock)
    gui = GuiThread()
    try:
        first, _ = make_world(tmp_path, loop, clock, events, gui)
        first.registrations.unregister(SANDBOX_ACCOUNT, "CarrierService")
        first.registrations.register(
            SANDBOX_ACCOUNT, "CarrierService", "https://listener.example:9001/cs"
        )
        first.close()

        second, _ = make_world(tmp_path, loop, clock, events, gui)
        try:
            listed = second.registrations.for_account(SANDBOX_ACCOUNT)
            found = {r.service.value: r.url for r in listed}
            assert found.pop("CarrierService") == "https://listener.example:9001/cs"
            assert set(found.values()) == {second.listener_url}
            assert len(found) == len(BUILTIN_SERVICES) - 1
        finally:
            second.close()
    finally:
        gui.drain()
        loop.stop()
