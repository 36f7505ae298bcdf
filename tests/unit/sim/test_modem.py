"""The modem follows the card outside the flows: an enabled profile registers, a disabled or
deleted one leaves the network, a denied line is left alone."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from types import SimpleNamespace

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.modem import follow_the_card, follow_the_card_once_built
from simulator.network import NetworkPlan, Registration, SimulatedNetwork

A, B = "8999001000000000018", "8999001000000000026"


@dataclass(frozen=True)
class Profile:
    iccid: str
    state: str


def network() -> SimulatedNetwork:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    return SimulatedNetwork(clock, EventLog(clock))


def test_the_enabled_profile_registers_and_reaches_its_planned_outcome() -> None:
    net = network()
    net.set_plan(A, NetworkPlan(Registration.ROAMING, 3))
    follow_the_card([Profile(A, "enabled"), Profile(B, "disabled")], net)
    assert net.state(A) is Registration.SEARCHING
    assert net.state(B) is Registration.NONE
    net.clock.advance(3)
    assert net.state(A) is Registration.ROAMING


def test_a_registered_line_is_not_registered_again() -> None:
    net = network()
    follow_the_card([Profile(A, "enabled")], net)
    net.clock.advance(8)
    follow_the_card([Profile(A, "enabled")], net)
    assert net.state(A) is Registration.HOME
    assert [e.fields["state"] for e in net.events.of_kind("network.registration")] == [
        "searching",
        "home",
    ]


def test_a_disabled_or_deleted_profile_leaves_the_network() -> None:
    net = network()
    follow_the_card([Profile(A, "enabled"), Profile(B, "disabled")], net)
    follow_the_card([Profile(A, "disabled"), Profile(B, "enabled")], net)
    assert net.state(A) is Registration.DEREGISTERED
    assert net.state(B) is Registration.SEARCHING
    follow_the_card([Profile(A, "disabled")], net)  # B deleted while searching
    assert net.state(B) is Registration.DEREGISTERED
    net.clock.advance(60)  # its search was cancelled: it never turns up as registered
    assert net.state(B) is Registration.DEREGISTERED


def test_a_denied_line_stays_denied() -> None:
    net = network()
    net.deny(A)
    follow_the_card([Profile(A, "enabled")], net)
    assert net.state(A) is Registration.DENIED


def test_the_card_is_followed_on_the_posting_thread_once_built_and_not_after_a_failure() -> None:
    posted: list[object] = []
    net = network()
    built: Future[object] = Future()
    follow_the_card_once_built(built, net, posted.append)
    built.set_result(
        SimpleNamespace(world=SimpleNamespace(profiles=lambda: [Profile(A, "enabled")]))
    )
    assert net.state(A) is Registration.NONE  # nothing runs on the builder's thread
    (run,) = posted
    run()  # type: ignore[operator]
    assert net.state(A) is Registration.SEARCHING

    failed: Future[object] = Future()
    follow_the_card_once_built(failed, net, posted.append)
    failed.set_exception(OSError("the data directory cannot be used"))
    assert len(posted) == 1
