"""Record a session: the steps the test took from outside the app, each with its barrier.

What the portal does (its calls into the app) is not a step: it is what a replay must
reproduce by loading the same portal and taking the same steps. The steps are the person's
(clicks, typing, script run in the page through the fixture), the operator's (orders and
how the SM-DP+ treats them), the network's plans, the clock's advances and the answers given
to the app's own screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.events import Event

from .file_format import Recording
from .keys import EventKeys, LogFollower

if TYPE_CHECKING:
    from simulator.app import Simulator


class SessionRecorder:
    """Watches one simulator; the test's driver notes each step it takes."""

    def __init__(
        self,
        simulator: Simulator,
        portal: dict[str, Any],
        operator_config: dict[str, Any] | None = None,
    ) -> None:
        self._simulator = simulator
        self._portal = dict(portal)
        self._operator_config = operator_config  # recorded_config's form, credentials left out
        self._keys = EventKeys()
        self.steps: list[dict[str, Any]] = []
        self._toasts: list[str] = []
        self._matching_ids: list[str] = []
        self._follower = LogFollower(simulator.events)
        simulator.events.subscribe(self._observe)

    def note(self, action: str, **fields: Any) -> None:
        """A step taken by the test, noted just before it is taken."""
        self._catch_up()
        self.steps.append({"action": action, "after": self._keys.counts(), **fields})

    def order_index(self, matching_id: str) -> int:
        """The creation rank of an order (how a replay finds its own counterpart)."""
        self._catch_up()
        return self._matching_ids.index(matching_id) if matching_id in self._matching_ids else -1

    def _observe(self, _event: Event) -> None:
        self._catch_up()

    def _catch_up(self) -> None:
        for event in self._follower.new_events():
            self._take(event)

    def _take(self, event: Event) -> None:
        if event.kind == "smdp.order" and event.fields.get("action") == "created":
            self._matching_ids.append(str(event.fields.get("matching_id")))
        elif event.kind == "ui.toast" and event.fields.get("actions"):
            self._toasts.append(str(event.fields.get("toast")))
        elif event.kind == "catalog.picked":
            # A tile clicked, select_provider() or --provider: the same step, taken before the
            # events it causes (its own event included), as a replay takes it.
            self.steps.append(
                {
                    "action": "select-provider",
                    "after": self._keys.counts(),
                    "operator": str(event.fields.get("operator")),
                }
            )
        elif event.kind == "ui.control":
            # a person used the Gateway page's button or a control of the MO service panel
            values = {k: v for k, v in event.fields.items() if k not in ("action", "after")}
            self.steps.append({"action": "control", "after": self._keys.counts(), **values})
        elif event.kind == "catalog.choose-operator":
            self.steps.append({"action": "choose-operator", "after": self._keys.counts()})
        elif event.kind == "ui.toast-answered":
            # Answered through the fixture or by a click on the toast: the same step.
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
        self._keys.add(event)

    def recording(self) -> Recording:
        self._catch_up()
        device = self._simulator.device
        identity = {
            "kind": device.kind.value,
            "imei": str(device.imei),
            "eid": str(device.eid),
            "market": device.market,
            "location": device.location,
        }
        if device.kind.value == "psim" and device.physical_iccid:
            identity["iccid"] = device.physical_iccid
        if device.stated_hardware is not None:  # else the simulator's default PC
            identity["make"] = device.stated_hardware.make
            identity["model"] = device.stated_hardware.model
        return Recording(
            device=identity,
            portal=dict(self._portal),
            steps=[dict(step) for step in self.steps],
            keys=list(self._keys.keys),
            matching_ids=list(self._matching_ids),
            calendar_start=self._simulator.calendar_start.isoformat(),
            iccid_ranges=[f"{r.start}-{r.end}" for r in self._simulator.config.iccid_ranges],
            operator_config=self._operator_config,
            walled_garden=str(self._simulator.config.walled_garden),
        )

    def close(self) -> None:
        self._simulator.events.unsubscribe(self._observe)
