"""Record a session: the steps that came from outside the app, each with its barrier."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from simulator.events import Event

from .file_format import Recording
from .keys import EventKeys, LogFollower

if TYPE_CHECKING:
    from simulator.app import Simulator

# Order states the operator sets (ES2+, the Operator panel); any other is the download's doing.
_OPERATOR_STATES = frozenset({"allocated", "linked", "confirmed", "released", "cancelled"})


class SessionRecorder:
    """Watches one simulator and notes every step that came from outside the app."""

    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator
        self._keys = EventKeys()
        self.steps: list[dict[str, Any]] = []
        self._orders: dict[str, tuple[str, str]] = {}
        self._toasts: list[str] = []
        self._callbacks: set[str] = set()
        self._transaction = ""
        self._follower = LogFollower(simulator.events)
        simulator.events.subscribe(self._observe)

    def note(self, action: str, **fields: Any) -> None:
        """A step taken by the test (launch, clock advance, network plan, card busy…)."""
        self._catch_up()
        self._snapshot_orders()
        self.steps.append({"action": action, "after": self._keys.counts(), **fields})

    def _snapshot_orders(self) -> None:
        for order in self._simulator.esim.orders.orders():
            state = str(order.state)
            behaviour = order.behaviour.to_json()
            before = self._orders.get(order.matching_id)
            if before == (state, behaviour) or (
                before is not None and state not in _OPERATOR_STATES and before[1] == behaviour
            ):
                continue
            if before is not None and state not in _OPERATOR_STATES:
                state = before[0]  # only the behaviour changed; the download moved the state
            self._orders[order.matching_id] = (state, behaviour)
            self.steps.append(
                {
                    "action": "order",
                    "after": self._keys.counts(),
                    "matching_id": order.matching_id,
                    "spec": order.spec.to_dict(),
                    "eid": order.eid,
                    "state": state,
                    "behaviour": json.loads(behaviour),
                    "new": before is None,
                }
            )

    def _observe(self, _event: Event) -> None:
        self._catch_up()

    def _catch_up(self) -> None:
        for event in self._follower.new_events():
            self._take(event)

    def _take(self, event: Event) -> None:
        if event.kind == "portal.launch":
            # From the test, the Continue button or Try again: the same step either way.
            self._transaction = str((event.fields.get("params") or {}).get("transactionId", ""))
            self._snapshot_orders()
            self.steps.append({"action": "launch", "after": self._keys.counts()})
        elif event.kind == "bridge.call":
            self._snapshot_orders()
            self.steps.append(
                {
                    "action": "call",
                    "after": self._keys.counts(),
                    "object": event.fields.get("object"),
                    "method": event.fields.get("method"),
                    "call_kind": event.fields.get("call_kind"),
                    "args": event.fields.get("args"),
                    "operationId": event.fields.get("operationId"),
                    "document": urlsplit(str(event.fields.get("origin", ""))).path or "/",
                    "transactionId": self._transaction,
                }
            )
        elif event.kind == "ui.toast" and event.fields.get("actions"):
            self._toasts.append(str(event.fields.get("toast")))
        elif event.kind == "ui.toast-answered":
            toast = str(event.fields.get("toast"))
            index = self._toasts.index(toast) if toast in self._toasts else -1
            self.steps.append(
                {
                    "action": "toast",
                    "after": self._keys.counts(),
                    "index": index,
                    "answer": event.fields.get("action"),
                }
            )
        elif event.kind == "portal.callback" and event.fields.get("delivered"):
            self._callbacks.add(str(event.fields.get("function")))
        self._keys.add(event)

    def recording(self) -> Recording:
        self._catch_up()
        device = self._simulator.device
        return Recording(
            device={
                "kind": device.kind.value,
                "imei": str(device.imei),
                "eid": str(device.eid),
                "market": device.market,
                "location": device.location,
            },
            portal_host=urlsplit(self._simulator.portal_uri).hostname or "",
            steps=[dict(step) for step in self.steps],
            keys=list(self._keys.keys),
            callbacks=sorted(self._callbacks),
        )

    def close(self) -> None:
        self._simulator.events.unsubscribe(self._observe)
