from __future__ import annotations

import pytest

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.network import NetworkPlan, Registration, SimulatedNetwork


def _network() -> tuple[VirtualClock, SimulatedNetwork]:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    return clock, SimulatedNetwork(clock, EventLog(clock))


def test_registration_searches_then_reaches_the_planned_outcome() -> None:
    clock, network = _network()
    seen: list[tuple[str, Registration]] = []
    network.set_plan("8988247000100003319", NetworkPlan(Registration.ROAMING, 30))
    network.register("8988247000100003319", lambda i, s: seen.append((i, s)))
    assert network.state("8988247000100003319") is Registration.SEARCHING
    clock.advance(29)
    assert len(seen) == 1
    clock.advance(1)
    assert seen[-1] == ("8988247000100003319", Registration.ROAMING)
    assert Registration.ROAMING.connected


def test_re_registering_cancels_the_pending_search() -> None:
    clock, network = _network()
    network.register("1")
    network.deny("1")
    clock.advance(3600)
    assert network.state("1") is Registration.DENIED
    assert not Registration.DENIED.connected


@pytest.mark.parametrize("outcome", [Registration.SEARCHING, Registration.NONE])
def test_a_plan_must_end_in_an_outcome(outcome: Registration) -> None:
    _, network = _network()
    with pytest.raises(ValueError, match="registration ends"):
        network.set_plan("1", NetworkPlan(outcome))
