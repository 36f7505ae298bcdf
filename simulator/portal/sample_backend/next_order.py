"""How the next eSIM order the sample backend places will behave (the Operator panel sets it).

A presenter or tester picks a misbehaviour before clicking through the portal: the order the
portal places next is bound to another eUICC, needs a confirmation code, is not released yet,
has expired, fails at an ES9+ step or answers slowly. The plan is used once, by one order.

Set on the GUI thread, taken on the server loop's thread: a lock guards the slot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from esim.smdp import OrderBehaviour

OTHER_EID = "89049032000000000000000000000066"
"""A valid EID (mod 97 = 1) of some other eUICC: an order bound to it is an EID mismatch."""


@dataclass(frozen=True)
class NextOrderPlan:
    """What to do differently for one order; all defaults is a plain order."""

    behaviour: OrderBehaviour = field(default_factory=OrderBehaviour)
    release_after_minutes: int = 0  # not released until this long after the order is placed
    eid_mismatch: bool = False
    confirmation_code: str | None = None

    def __post_init__(self) -> None:
        if self.release_after_minutes < 0:
            raise ValueError("release_after_minutes cannot be negative")
        if self.confirmation_code is not None and not self.confirmation_code.strip():
            raise ValueError("a confirmation code is not empty")

    def behaviour_at(self, now: float) -> OrderBehaviour:
        """The order's behaviour when it is placed at clock value ``now``."""
        if not self.release_after_minutes:
            return self.behaviour
        return replace(self.behaviour, release_at=now + self.release_after_minutes * 60)

    def order_eid(self, launch_eid: str | None) -> str | None:
        """The EID the order is bound to: the launch's, or another card's for a mismatch."""
        return OTHER_EID if self.eid_mismatch else launch_eid

    def describe(self) -> str:
        parts = []
        if self.release_after_minutes:
            parts.append(f"released {self.release_after_minutes} min after it is placed")
        if self.behaviour.expired:
            parts.append("expired")
        if self.eid_mismatch:
            parts.append("bound to another eUICC (EID mismatch)")
        if self.confirmation_code is not None:
            parts.append(f"confirmation code {self.confirmation_code}")
        if self.behaviour.confirmation_code_attempts != OrderBehaviour().confirmation_code_attempts:
            parts.append(f"{self.behaviour.confirmation_code_attempts} CC attempts")
        if self.behaviour.fail_at is not None:
            parts.append(f"fails at {self.behaviour.fail_at.value}")
        if self.behaviour.latency_seconds:
            parts.append(f"+{self.behaviour.latency_seconds:g} s latency")
        if self.behaviour.corrupt_package:
            parts.append("corrupt package")
        return ", ".join(parts) or "a plain order"


class NextOrderSlot:
    """Holds at most one plan; the next eSIM order takes it (and empties the slot)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan: NextOrderPlan | None = None

    def set(self, plan: NextOrderPlan | None) -> None:
        with self._lock:
            self._plan = plan

    def peek(self) -> NextOrderPlan | None:
        with self._lock:
            return self._plan

    def take(self) -> NextOrderPlan | None:
        with self._lock:
            plan, self._plan = self._plan, None
            return plan
