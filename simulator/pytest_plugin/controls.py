"""What a test steps besides the page: the virtual clock, the eUICC, the SM-DP+, the network.

Each control reaches the simulator through its `MobilePlans` owner (built on first use) and
notes the steps that came from outside the app on the owner's recorder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from esim.smdp import Order, OrderBehaviour
from simulator.clock import MAX_STEP_SECONDS
from simulator.flows.portal_session import CALLBACK_ANSWER_SECONDS
from simulator.flows.ports import CardOutcome
from simulator.network import NetworkPlan, Registration
from simulator.pytest_plugin.failures import MobilePlansError
from simulator.replay.waiting import wait_until

# Long enough for two callbacks in one step whose pages never answer (each hold then expires).
ADVANCE_WAIT_SECONDS = 2 * CALLBACK_ANSWER_SECONDS + 5

if TYPE_CHECKING:
    from simulator.pytest_plugin.driver import MobilePlans


class ClockControl:
    """The virtual clock, stepped by the test (it never moves on its own here)."""

    def __init__(self, owner: MobilePlans) -> None:
        self._owner = owner

    @property
    def now(self) -> float:
        """Virtual seconds since the simulator started."""
        return self._owner.simulator.clock.now()

    def advance(
        self,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        timeout: float = ADVANCE_WAIT_SECONDS,
    ) -> int:
        """Move virtual time forward by the whole step, firing every timer on the way; returns
        how many fired. When it returns, `now` has moved by the step.

        A callback on its way into the portal holds the clock: it happens at the instant of the
        state change it reports, so nothing may overtake it. The step then waits for the page's
        answer (a page that never answers loses its hold after 10 real seconds) and is played
        once it comes; `timeout` real seconds bound the whole wait."""
        __tracebackhide__ = True
        total = seconds + 60 * minutes + 3600 * hours
        if total < 0:
            raise MobilePlansError(f"clock.advance: the clock never goes backwards ({total:g} s)")
        if not math.isfinite(total) or total > MAX_STEP_SECONDS:
            raise MobilePlansError(
                f"clock.advance: a step is at most {MAX_STEP_SECONDS} s (ten years), not {total:g}"
            )
        owner = self._owner
        owner.recorder.note("advance", seconds=total)
        clock = owner.simulator.clock
        fired_before = clock.fired_total
        target = clock.now() + total
        clock.advance(total)
        # Once no hold is left, every deferred part of the step has been played.
        if not wait_until(lambda: clock.now() >= target or not clock.held, timeout):
            holds = ", ".join(hold.reason for hold in clock.holds()) or "nothing"
            raise MobilePlansError(
                f"clock.advance({total:g} s): the clock was still held after {timeout:g} s"
                f" (by {holds}); {target - clock.now():g} s of the step are still to play."
                " The last events were:\n" + owner.last_events(8)
            )
        owner.settle()
        return clock.fired_total - fired_before

    def pending(self) -> list[str]:
        """Labels of the pending timers, soonest first."""
        return [handle.label for handle in self._owner.simulator.clock.pending()]


class EuiccControl:
    """The PC's eUICC: profiles, enable/disable, a busy card."""

    def __init__(self, owner: MobilePlans) -> None:
        self._owner = owner

    @property
    def eid(self) -> str:
        return self._owner.simulator.esim.eid

    def profiles(self) -> list[Any]:
        """`ProfileRecord`s (iccid, state, names) as the card holds them now."""
        return list(self._owner.simulator.esim.profiles())

    def profile(self, iccid: str) -> Any:
        for record in self.profiles():
            if record.iccid == iccid:
                return record
        raise MobilePlansError(f"the eUICC holds no profile {iccid}")

    def enable(self, iccid: str, timeout: float = 10.0) -> CardOutcome:
        self._owner.recorder.note("card-enable", iccid=iccid)
        return self._card(self._owner.simulator.esim.enable, iccid, timeout)

    def disable(self, iccid: str, timeout: float = 10.0) -> CardOutcome:
        self._owner.recorder.note("card-disable", iccid=iccid)
        return self._card(self._owner.simulator.esim.disable, iccid, timeout)

    def delete(self, iccid: str, timeout: float = 10.0) -> CardOutcome:
        self._owner.recorder.note("card-delete", iccid=iccid)
        return self._card(self._owner.simulator.esim.delete, iccid, timeout)

    def set_busy(self, busy: bool = True) -> None:
        """A running toolkit session: downloads and enables answer cardBusy."""
        self._owner.recorder.note("card-busy", busy=busy)
        self._owner.simulator.esim.set_card_busy(busy)

    def _card(self, operation: Callable[..., None], iccid: str, timeout: float) -> CardOutcome:
        __tracebackhide__ = True
        box: list[CardOutcome] = []
        operation(iccid, box.append)
        self._owner.wait(lambda: bool(box), timeout, f"the eUICC to {operation.__name__} {iccid}")
        return box[0]


class SmdpControl:
    """The stub SM-DP+: orders and how it treats them (`esim.smdp.OrderBehaviour`)."""

    def __init__(self, owner: MobilePlans) -> None:
        self._owner = owner
        self._next: OrderBehaviour | None = None

    @property
    def address(self) -> str:
        return self._owner.simulator.esim.smdp_address

    def create_order(self, **options: Any) -> Order:
        """A released order (iccid=, plan_name=, eid=, confirmation_code=, behaviour=), or
        one for a real SAIP profile package (profile=PATH, e.g. a GSMA TS.48 file)."""
        recorded = dict(options)
        if recorded.get("profile") is not None:  # a path: kept as text in a recording
            recorded["profile"] = str(recorded["profile"])
        if isinstance(recorded.get("behaviour"), OrderBehaviour):
            recorded["behaviour"] = json.loads(recorded["behaviour"].to_json())
        self._owner.recorder.note("create-order", options=recorded)
        if isinstance(options.get("behaviour"), dict):  # as a replay passes it back
            options["behaviour"] = OrderBehaviour.from_json(json.dumps(options["behaviour"]))
        return self._owner.simulator.esim.create_order(**options)

    def orders(self) -> list[Order]:
        return self._owner.simulator.esim.orders.orders()

    def order(self, matching_id_or_iccid: str) -> Order:
        store = self._owner.simulator.esim.orders
        found = store.get(matching_id_or_iccid) or store.get_by_iccid(matching_id_or_iccid)
        if found is None:
            raise MobilePlansError(f"the SM-DP+ has no order {matching_id_or_iccid}")
        return found

    def set_behaviour(
        self, order: Order | str, behaviour: OrderBehaviour | None = None, **changes: Any
    ) -> Order:
        """Replace an order's behaviour, or change some of its fields (fail_at=, expired=…)."""
        current = self.order(order if isinstance(order, str) else order.matching_id)
        wanted = behaviour or replace(current.behaviour, **changes)
        recorder = self._owner.recorder
        rank = recorder.order_index(current.matching_id)
        recorder.note("set-behaviour", order=rank, behaviour=json.loads(wanted.to_json()))
        return self._owner.simulator.esim.orders.set_behaviour(current.matching_id, wanted)

    def behave_next(self, behaviour: OrderBehaviour | None = None, **changes: Any) -> None:
        """Give orders placed from now on (by the portal's backend) this behaviour."""
        self._next = behaviour or OrderBehaviour(**changes)
        self._owner.recorder.note("behave-next", behaviour=json.loads(self._next.to_json()))

    def on_order(self, _name: str, fields: dict[str, Any]) -> None:
        # On the SM-DP+'s thread, before the operator's ES2+ call returns: in time for the
        # download the portal asks for next.
        if fields.get("action") == "created" and self._next is not None:
            matching_id = str(fields["matching_id"])
            self._owner.simulator.esim.orders.set_behaviour(matching_id, self._next)


class NetworkControl:
    """The simulated network: how each profile registers, and its state."""

    def __init__(self, owner: MobilePlans) -> None:
        self._owner = owner

    def state(self, iccid: str) -> str:
        return str(self._owner.simulator.network.state(iccid))

    def set_plan(
        self, iccid: str | None = None, outcome: str = "home", searching_seconds: float = 8.0
    ) -> None:
        """How `iccid` (or, without one, every profile) registers: home, roaming, partner,
        denied after `searching_seconds` of searching."""
        plan = NetworkPlan(Registration(outcome), searching_seconds)
        network = self._owner.simulator.network
        self._owner.recorder.note(
            "network-plan", iccid=iccid, outcome=outcome, searching_seconds=searching_seconds
        )
        if iccid is None:
            network.default_plan = plan
        else:
            network.set_plan(iccid, plan)
