"""The normalised event sequence: comparable keys of a session's events, in two lanes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from simulator.events import Event

# SM-DP+ actions the operator takes (ES2+, the Operator panel): recorded as steps, not outcomes.
_OPERATOR_ACTIONS = frozenset({"created", "confirmed", "released", "cancelled", "linked"})
# Timing-dependent or per-run noise: never part of the compared sequence.
_UNCOMPARED = frozenset({"app.started", "portal.loaded", "demo.step", "clock.skipped", "app.exit"})
# The walled garden sees the page's subresource requests when Chromium makes them, which is
# not ordered with the bridge's calls: comparing them would make replays flaky.
_GARDEN_KINDS = frozenset({"network.blocked", "network.outside-garden", "walled_garden.state"})
_GARDEN_RULE_PREFIX = "walled-garden."
# The Gateway page's images arrive when their host answers, not in step with the service's
# calls (and the sample operator's port is in their URIs): compared, they would make replays flaky.
_IMAGE_KIND = "gateway.image"
_IMAGE_API = "Gateway image"
# The SM-DP+'s fresh matching IDs (esim.smdp.orders.new_matching_id): random per run.
_MATCHING_ID = re.compile(r"\b[0-9A-HJ-NP-Z]{5}(?:-[0-9A-HJ-NP-Z]{5}){3}\b")
# ICCIDs (ITU-T E.118: 89…, 19 or 20 digits): an operator's backend allocates fresh ones per run.
_ICCID = re.compile(r"(?<![0-9])89[0-9]{17,18}F?(?![0-9])")
# A server on this PC (the bundled sample operator's moBaseUrl) listens on a fresh port per run.
_LOOPBACK_PORT = re.compile(r"(//(?:127\.0\.0\.1|localhost|\[::1\])):[0-9]{1,5}(?=[/\"?#])")


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
    (operation ids become `op1`, `op2`…, the SM-DP+'s matching IDs `mid1`… and ICCIDs `iccid1`…
    by first appearance, wherever they occur, activation codes included: a backend allocates
    fresh ones on every run); repeated progress lines collapse.
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._operations: dict[str, str] = {}
        self._matching_ids: dict[str, str] = {}
        self._iccids: dict[str, str] = {}
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

    def matching_id(self, value: object) -> str:
        text = str(value)
        if text not in self._matching_ids:
            self._matching_ids[text] = f"mid{len(self._matching_ids) + 1}"
        return self._matching_ids[text]

    def _iccid(self, text: str) -> str:
        digits = text.rstrip("F")
        if digits not in self._iccids:
            self._iccids[digits] = f"iccid{len(self._iccids) + 1}"
        return self._iccids[digits]

    def _scrub(self, value: object) -> object:
        text = json.dumps(value, sort_keys=True, default=str)
        text = _MATCHING_ID.sub(lambda found: self.matching_id(found.group(0)), text)
        text = _ICCID.sub(lambda found: self._iccid(found.group(0)), text)
        text = _LOOPBACK_PORT.sub(r"\1:<port>", text)
        for original, ordinal in self._matching_ids.items():
            text = text.replace(original, ordinal)
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
        if kind in _UNCOMPARED or kind in _GARDEN_KINDS or kind.startswith("thingspace."):
            return None
        if kind == "contract.violation" and str(f.get("rule", "")).startswith(_GARDEN_RULE_PREFIX):
            return None
        if kind == _IMAGE_KIND or (kind == "contract.violation" and f.get("api") == _IMAGE_API):
            return None
        if kind == "portal.launch":
            params = dict(f.get("params") or {})
            self._transactions.add(str(params.pop("transactionId", "")))
            self._transactions.discard("")
            headers = f.get("headers") or {}
            launch = {
                "params": params,
                "lpa_errors": headers.get("X-MP-LPAError-Codes"),
                "lpa_error_iccids": headers.get("X-MP-LPAError-ICCIDs"),
            }
            scrubbed = self._scrub(launch)
            return scrubbed if isinstance(scrubbed, dict) else launch
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
        if kind == "operator_api.request":
            # the sample operator's port and the transaction id are new on every run
            request = {"api": f.get("api"), "method": f.get("method"), "path": _path(f.get("url"))}
            scrubbed = self._scrub(request)
            return scrubbed if isinstance(scrubbed, dict) else request
        if kind == "operator_api.response":
            skipped = ("transactionId", "elapsed_ms")
            answer = {name: value for name, value in f.items() if name not in skipped}
            scrubbed = self._scrub(answer)
            return scrubbed if isinstance(scrubbed, dict) else answer
        if kind == "smdp.order":
            if f.get("matching_id"):
                self.matching_id(f.get("matching_id"))
            if f.get("action") in _OPERATOR_ACTIONS or f.get("action") == "operator-notified":
                return None
            order = {k: f.get(k) for k in ("action", "matching_id", "iccid", "state")}
            scrubbed = self._scrub(order)
            return scrubbed if isinstance(scrubbed, dict) else order
        picked: dict[str, Any] = {}
        for name, value in f.items():
            if name in ("doc", "url", "origin", "wall", "toast", "callbackId", "call_seq", "seq"):
                continue
            if name == "operation":
                picked[name] = self.operation(value)
            elif name in ("message", "text") and kind not in ("ui.toast",):
                continue
            elif name == "title" and kind == "ui.toast":
                continue  # the first line of its `text`; recordings made before it came agree
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


def lane_of(key: str) -> str:
    """``page`` or ``app``: the operator's service APIs are the app's side, their findings
    included (a ``contract.violation`` about them names the object "MO service")."""
    kind, _t, fields = json.loads(key)
    if kind not in PAGE_KINDS:
        return "app"
    return "app" if isinstance(fields, dict) and fields.get("object") == "MO service" else "page"


def lanes(keys: Iterable[str]) -> dict[str, list[str]]:
    """The keys split into the `page` and `app` lanes, each in order."""
    split: dict[str, list[str]] = {"page": [], "app": []}
    for key in keys:
        split[lane_of(key)].append(key)
    return split


def _path(url: object) -> str:
    parts = urlsplit(str(url or ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def event_keys(events: Iterable[Event]) -> list[str]:
    """The normalised, comparable form of an event sequence (see `EventKeys`)."""
    keys = EventKeys()
    for event in events:
        keys.add(event)
    return keys.keys
