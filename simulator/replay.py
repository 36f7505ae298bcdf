"""Record a session and replay it deterministically, so a bug seen once becomes a regression test.

A recording holds what came from outside the app: the portal's calls in order (with the document
they came from), the operator's orders on the stub SM-DP+ (state and behaviour as observed), the
clock advances, the answers to toasts and error screens, the network plans. Everything else (LPA,
eUICC, SM-DP+ downloads, network registration, callbacks) is the app's own doing and is what a
replay must reproduce.

Each step carries a barrier: how many normalised events (`event_keys`) had been logged when it was
taken. The replayer takes a step only once the fresh simulator has logged as many, so the steps
interleave with the app's asynchronous work exactly as they did when recorded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from simulator.events import Event

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.runtime import Runtime

FORMAT = "mobileplans-session/1"

# SM-DP+ actions the operator takes (ES2+, the Operator panel): recorded as steps, not outcomes.
_OPERATOR_ACTIONS = frozenset({"created", "confirmed", "released", "cancelled", "linked"})
_OPERATOR_STATES = frozenset({"allocated", "linked", "confirmed", "released", "cancelled"})
# Timing-dependent or per-run noise: never part of the compared sequence.
_UNCOMPARED = frozenset({"app.started", "portal.loaded", "demo.step", "clock.skipped", "app.exit"})


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Run the Qt event loop until `predicate()` is true or `timeout` seconds pass."""
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        QTest.qWait(10)
    return True


# -- the normalised event sequence ------------------------------------------------------------


class LogFollower:
    """Hands over a log's events once each, in log order.

    A listener that emits (the platform answering `flow.state` with `carrier.line`) makes
    listeners registered after it see the nested event first; reading the log by position
    instead keeps the order the log itself has.
    """

    def __init__(self, log: Iterable[Event]) -> None:
        self._log = log
        self._seen = 0

    def new_events(self) -> list[Event]:
        events = list(self._log)[self._seen :]
        self._seen += len(events)
        return events


class EventKeys:
    """Turns events into comparable keys: kind, virtual time and the fields that matter.

    Wall times, document ids, transaction ids and the portal's random operation ids are left out
    (operation ids become `op1`, `op2`… by first appearance); repeated progress lines collapse.
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._operations: dict[str, str] = {}
        self._transactions: set[str] = set()
        self._last_screen: str | None = None
        self._last_progress: tuple[str, str] | None = None

    def operation(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        text = str(value)
        if text not in self._operations:
            self._operations[text] = f"op{len(self._operations) + 1}"
        return self._operations[text]

    def _scrub(self, value: object) -> object:
        text = json.dumps(value, sort_keys=True, default=str)
        for transaction in self._transactions:
            text = text.replace(transaction, "<transactionId>")
        for original, ordinal in self._operations.items():
            text = text.replace(original, ordinal)
        return json.loads(text)

    def add(self, event: Event) -> str | None:
        """The key of `event` (appended to `keys`), or None when it is not compared."""
        fields = self._fields(event)
        if fields is None:
            return None
        key = json.dumps([event.kind, round(event.t, 3), fields], sort_keys=True, default=str)
        self.keys.append(key)
        return key

    def counts(self) -> dict[str, int]:
        """How many keys each lane holds (see `lanes`)."""
        return {lane: len(keys) for lane, keys in lanes(self.keys).items()}

    def _fields(self, event: Event) -> dict[str, Any] | None:
        f = event.fields
        kind = event.kind
        if kind in _UNCOMPARED or kind.startswith("thingspace."):
            return None
        if kind == "portal.launch":
            params = dict(f.get("params") or {})
            self._transactions.add(str(params.pop("transactionId", "")))
            self._transactions.discard("")
            headers = f.get("headers") or {}
            return {"params": params, "lpa_errors": headers.get("X-MP-LPAError-Codes")}
        if kind == "bridge.call":
            self.operation(f.get("operationId"))
            return {
                "object": f.get("object"),
                "method": f.get("method"),
                "call_kind": f.get("call_kind"),
                "args": self._scrub(f.get("args")),
            }
        if kind == "lpa.progress":
            progress = (str(f.get("operation")), str(f.get("stage")))
            if progress == self._last_progress:
                return None
            self._last_progress = progress
            return {"operation": self.operation(f.get("operation")), "stage": f.get("stage")}
        if kind == "ui.screen":
            screen = str(f.get("screen"))
            if screen == self._last_screen:
                return None
            self._last_screen = screen
            return {"screen": screen}
        if kind == "smdp.order":
            if f.get("action") in _OPERATOR_ACTIONS or f.get("action") == "operator-notified":
                return None
            return {k: f.get(k) for k in ("action", "matching_id", "iccid", "state")}
        picked: dict[str, Any] = {}
        for name, value in f.items():
            if name in ("doc", "url", "origin", "wall", "toast", "callbackId", "call_seq", "seq"):
                continue
            if name == "operation":
                picked[name] = self.operation(value)
            elif name in ("message", "text") and kind not in ("ui.toast",):
                continue
            else:
                picked[name] = self._scrub(value)
        return picked


# What the page says and hears (its own round trips through Chromium) is one lane; what the
# app, the LPA, the card and the network do is the other. Each lane's order is deterministic;
# how the two interleave depends on Chromium's timing, so they are compared apart.
PAGE_KINDS = frozenset(
    {
        "bridge.call",
        "bridge.ready",
        "bridge.rejected",
        "bridge.sequence-gap",
        "contract.command",
        "contract.violation",
        "portal.callback",
    }
)


def lanes(keys: Iterable[str]) -> dict[str, list[str]]:
    """The keys split into the `page` and `app` lanes, each in order."""
    split: dict[str, list[str]] = {"page": [], "app": []}
    for key in keys:
        split["page" if json.loads(key)[0] in PAGE_KINDS else "app"].append(key)
    return split


def event_keys(events: Iterable[Event]) -> list[str]:
    """The normalised, comparable form of an event sequence (see `EventKeys`)."""
    keys = EventKeys()
    for event in events:
        keys.add(event)
    return keys.keys


# -- the recording ------------------------------------------------------------------------------


@dataclass
class Recording:
    """A saved session: the device, the portal, the steps, and the keys they produced."""

    device: dict[str, str]
    portal_host: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)  # functions the portal defined

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "format": FORMAT,
            "device": self.device,
            "portal_host": self.portal_host,
            "callbacks": self.callbacks,
            "steps": self.steps,
            "keys": [json.loads(k) for k in self.keys],
        }
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Recording:
        document = json.loads(path.read_text("utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} recording")
        return cls(
            device=dict(document["device"]),
            portal_host=str(document["portal_host"]),
            steps=list(document["steps"]),
            keys=[json.dumps(k, sort_keys=True, default=str) for k in document["keys"]],
            callbacks=list(document.get("callbacks", [])),
        )


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


# -- replaying ----------------------------------------------------------------------------------


class ReplayMismatchError(AssertionError):
    """The replay logged a different sequence; the message shows where they part."""


@dataclass
class ReplayResult:
    expected: list[str]
    actual: list[str]
    simulator: Simulator

    @property
    def matches(self) -> bool:
        return lanes(self.expected) == lanes(self.actual)

    def difference(self) -> str:
        """Where the first lane that differs parts from the recording, or "identical"."""
        actual = lanes(self.actual)
        for lane, expected in lanes(self.expected).items():
            got = actual[lane]
            for index, (want, have) in enumerate(zip(expected, got, strict=False)):
                if want != have:
                    return (
                        f"{lane} event #{index + 1} differs:\n  recorded {want}\n  replayed {have}"
                    )
            if len(expected) != len(got):
                longer = expected if len(expected) > len(got) else got
                return (
                    f"{lane}: recorded {len(expected)} events, replayed {len(got)}; next: "
                    + longer[min(len(expected), len(got))]
                )
        return "identical"


_REPLAY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mobile Plans replay</title></head>
<body><p>Replaying a recorded Mobile Plans session.</p>
<script>
window.__replayOps = {};
window.__replayReceived = [];
for (const name of %s) {
    window[name] = function (argument) { window.__replayReceived.push([name, argument]); };
}
</script></body></html>
"""


def js_literal(tagged: Mapping[str, Any], operations: Mapping[str, str], tid: str) -> str:
    """A JavaScript expression for one recorded argument (`encode_js_value`'s wire form).

    The portal's operation contexts become the replay's own (`window.__replayOps`) and the
    recorded launch's transaction id becomes the current launch's (`tid`, a JS expression).
    """
    tag = tagged.get("t")
    value = tagged.get("v")
    if tag == "null":
        return "null"
    if tag == "boolean":
        return "true" if value else "false"
    if tag == "number":
        return str(value) if not isinstance(value, float) or not value.is_integer() else repr(value)
    if tag == "string":
        text = str(value)
        parts = [json.dumps(piece) for piece in text.split(tid)] if tid else [json.dumps(text)]
        return " + __tid + ".join(parts) if len(parts) > 1 else parts[0]
    if tag == "function":
        return f"(function {tagged.get('name') or ''}() {{}})"
    if tag == "array":
        return "[" + ", ".join(js_literal(item, operations, tid) for item in value or []) + "]"
    if tag == "object":
        entries = [(str(k), v) for k, v in value or []]
        for name, item in entries:
            if name == "Id" and item.get("t") == "string" and str(item.get("v")) in operations:
                return f"window.__replayOps[{json.dumps(str(item.get('v')))}]"
        inner = ", ".join(f"{json.dumps(k)}: {js_literal(v, operations, tid)}" for k, v in entries)
        return "{" + inner + "}"
    if tag == "bigint":
        return f"BigInt({json.dumps(str(value))})"
    if tag == "symbol":
        return f"Symbol({json.dumps(str(value))})"
    return "undefined"


class Replayer:
    """Plays a `Recording` against a fresh simulator on `runtime` (the caller's QApplication)."""

    def __init__(self, recording: Recording, runtime: Runtime, data_dir: Path) -> None:
        from simulator.app import Simulator, SimulatorConfig
        from simulator.device import SimulatedDevice
        from simulator.portal.hosting import Site
        from simulator.portal.tls import is_hosted_name

        self.recording = recording
        self.runtime = runtime
        host = recording.portal_host if is_hosted_name(recording.portal_host) else ""
        self._host = host or "replay.mobileplans.test"
        page_dir = data_dir / "replay-page"
        page_dir.mkdir(parents=True, exist_ok=True)
        (page_dir / "index.html").write_text(
            _REPLAY_PAGE % json.dumps(recording.callbacks), "utf-8"
        )
        runtime.front.attach(self._host, Site(root=page_dir))
        device = recording.device
        self.simulator = Simulator(
            SimulatorConfig(
                portal_url=f"https://{self._host}/",
                device=SimulatedDevice.configure(
                    kind=device["kind"],
                    imei=device["imei"],
                    eid=device["eid"],
                    market=device["market"],
                    location=device["location"],
                ),
                time_scale=0.0,
                data_dir=data_dir / "simulator",
            ),
            runtime,
        )
        self._keys = EventKeys()
        self._toasts: list[str] = []
        self._operations: dict[str, str] = {}
        self._follower = LogFollower(self.simulator.events)
        self.simulator.events.subscribe(self._observe)

    def _observe(self, _event: Event) -> None:
        for event in self._follower.new_events():
            self._keys.add(event)
            if event.kind == "ui.toast" and event.fields.get("actions"):
                self._toasts.append(str(event.fields.get("toast")))

    def run(self, timeout: float = 30.0) -> ReplayResult:
        """Take every step at its barrier, then wait for the recorded tail; never raises on a
        difference (see `ReplayResult.matches`), only when the replay stalls."""
        try:
            for step in self.recording.steps:
                self._wait_for(dict(step["after"]), timeout)
                self._take(step)
            self._wait_for(
                {lane: len(keys) for lane, keys in lanes(self.recording.keys).items()}, timeout
            )
            # Let anything still in flight land, so extra events are seen, not hidden.
            wait_until(lambda: False, 0.2)
        finally:
            self.simulator.events.unsubscribe(self._observe)
        return ReplayResult(list(self.recording.keys), list(self._keys.keys), self.simulator)

    def _wait_for(self, counts: Mapping[str, int], timeout: float) -> None:
        def reached() -> bool:
            have = self._keys.counts()
            return all(have[lane] >= count for lane, count in counts.items())

        if not wait_until(reached, timeout):
            recorded, replayed = lanes(self.recording.keys), lanes(self._keys.keys)
            lines = []
            for lane, count in counts.items():
                have = len(replayed[lane])
                if have < count:
                    lines.append(
                        f"{lane} lane: {have} of {count} events; next recorded "
                        f"{recorded[lane][have]}; last replayed "
                        f"{replayed[lane][-1] if have else '(none)'}"
                    )
            raise ReplayMismatchError("the replay stalled: " + "; ".join(lines))

    def _take(self, step: Mapping[str, Any]) -> None:
        sim = self.simulator
        action = step["action"]
        if action == "launch":
            sim.launch()
        elif action == "order":
            self._order(step)
        elif action == "call":
            self._call(step)
        elif action == "advance":
            sim.clock.advance(float(step["seconds"]))
        elif action == "toast":
            sim.flows.toast_answered(self._toasts[int(step["index"])], str(step["answer"]))
        elif action == "error-answer":
            sim.flows.error_answered(bool(step["retry"]))
        elif action == "balance-closed":
            sim.flows.balance_closed()
        elif action == "network-plan":
            from simulator.network import NetworkPlan, Registration

            plan = NetworkPlan(Registration(step["outcome"]), float(step["searching_seconds"]))
            if step.get("iccid"):
                sim.network.set_plan(str(step["iccid"]), plan)
            else:
                sim.network.default_plan = plan
        elif action == "card-busy":
            sim.esim.set_card_busy(bool(step["busy"]))
        else:
            raise ValueError(f"unknown recorded step {action!r}")

    def _order(self, step: Mapping[str, Any]) -> None:
        from esim.smdp import OrderBehaviour, ProfileSpec
        from esim.smdp.orders import OrderState

        store = self.simulator.esim.orders
        behaviour = OrderBehaviour.from_json(json.dumps(step["behaviour"]))
        state = OrderState(step["state"])
        if step.get("new"):
            spec = step["spec"]
            store.create_order(
                ProfileSpec(
                    iccid=spec["iccid"],
                    service_provider=spec.get("service_provider", "Contoso Mobile"),
                    profile_name=spec.get("profile_name", "Contoso Mobile Unlimited"),
                ),
                step.get("eid"),
                None,
                behaviour,
                state=state,
                matching_id=step["matching_id"],
            )
            return
        order = store.set_behaviour(step["matching_id"], behaviour)
        if order.state != state:
            store.transition(order, {order.state}, state, str(state))

    def _call(self, step: Mapping[str, Any]) -> None:
        old_id = step.get("operationId")
        target = f"{step['object']}.{step['method']}" if step["object"] else str(step["method"])
        tid = str(step.get("transactionId") or "")  # the recorded launch's, swapped for ours
        args = [js_literal(a, self._operations, tid) for a in step.get("args") or []]
        prologue = "const __tid = new URLSearchParams(location.search).get('transactionId');"
        if step["call_kind"] == "set":
            body = f"{target} = {args[0] if args else 'undefined'};"
        else:
            body = f"const r = {target}({', '.join(args)});"
            if old_id:
                self._operations[str(old_id)] = str(old_id)
                body += f" window.__replayOps[{json.dumps(str(old_id))}] = r;"
        self.simulator.page.runJavaScript(f"(function () {{ {prologue} {body} }})();", 0)

    def close(self) -> None:
        self.simulator.close()
        self.runtime.front.detach(self._host)


def replay(
    recording: Recording | Path, runtime: Runtime, data_dir: Path, *, timeout: float = 30.0
) -> ReplayResult:
    """Replay `recording` on a fresh simulator; the caller closes `result.simulator`."""
    if isinstance(recording, Path):
        recording = Recording.load(recording)
    replayer = Replayer(recording, runtime, data_dir)
    return replayer.run(timeout)
