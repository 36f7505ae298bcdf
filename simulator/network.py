"""The simulated cellular network: how each profile registers, on the virtual clock. Pure.

Per ICCID a test or the Device panel chooses the outcome (home, roaming, partner, denied) and
how long the modem searches first; `register` then plays `searching` → outcome on the clock,
reporting each state change (Mobile Plans callbacks doc MobilePlansNetworkRegistrationState).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from simulator.clock import TimerHandle, VirtualClock
from simulator.events import EventLog


class Registration(StrEnum):
    NONE = "none"
    DEREGISTERED = "deregistered"
    SEARCHING = "searching"
    HOME = "home"
    ROAMING = "roaming"
    PARTNER = "partner"
    DENIED = "denied"

    @property
    def connected(self) -> bool:
        return self in (Registration.HOME, Registration.ROAMING, Registration.PARTNER)


OUTCOMES = (Registration.HOME, Registration.ROAMING, Registration.PARTNER, Registration.DENIED)


@dataclass
class NetworkPlan:
    """What happens when a profile tries to register."""

    outcome: Registration = Registration.HOME
    searching_seconds: float = 8.0


StateListener = Callable[[str, Registration], None]


@dataclass
class SimulatedNetwork:
    clock: VirtualClock
    events: EventLog
    default_plan: NetworkPlan = field(default_factory=NetworkPlan)
    _plans: dict[str, NetworkPlan] = field(default_factory=dict)
    _states: dict[str, Registration] = field(default_factory=dict)
    _timers: dict[str, TimerHandle] = field(default_factory=dict)

    def plan_for(self, iccid: str) -> NetworkPlan:
        return self._plans.get(iccid, self.default_plan)

    def set_plan(self, iccid: str, plan: NetworkPlan) -> None:
        if plan.outcome not in OUTCOMES:
            raise ValueError(f"a registration ends {', '.join(OUTCOMES)}, not {plan.outcome}")
        if plan.searching_seconds < 0:
            raise ValueError("searching time cannot be negative")
        self._plans[iccid] = plan

    def state(self, iccid: str) -> Registration:
        return self._states.get(iccid, Registration.NONE)

    def states(self) -> dict[str, Registration]:
        return dict(self._states)

    def register(self, iccid: str, on_change: StateListener | None = None) -> None:
        """Start registering `iccid`: `searching` now, the planned outcome after the search."""
        self.cancel(iccid)
        plan = self.plan_for(iccid)
        self._set(iccid, Registration.SEARCHING, on_change)

        def finish() -> None:
            self._timers.pop(iccid, None)
            self._set(iccid, plan.outcome, on_change)

        self._timers[iccid] = self.clock.call_later(
            plan.searching_seconds, finish, f"network registration of {iccid}"
        )

    def deregister(self, iccid: str, on_change: StateListener | None = None) -> None:
        self.cancel(iccid)
        if self._states.get(iccid) not in (None, Registration.DEREGISTERED):
            self._set(iccid, Registration.DEREGISTERED, on_change)

    def deny(self, iccid: str, on_change: StateListener | None = None) -> None:
        """The network refuses the line (a suspended line, an expected async-connectivity error)."""
        self.cancel(iccid)
        self._set(iccid, Registration.DENIED, on_change)

    def cancel(self, iccid: str) -> None:
        timer = self._timers.pop(iccid, None)
        if timer is not None:
            timer.cancel()

    def _set(self, iccid: str, state: Registration, on_change: StateListener | None) -> None:
        self._states[iccid] = state
        self.events.emit("network.registration", iccid=iccid, state=str(state))
        if on_change is not None:
            on_change(iccid, state)
