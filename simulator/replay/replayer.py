"""Replay a recording on a fresh simulator and compare the events it logs, lane by lane."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.events import Event

from .file_format import Recording
from .keys import EventKeys, LogFollower, lanes
from .waiting import wait_until

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.runtime import Runtime


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
