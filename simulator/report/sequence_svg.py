"""A sequence diagram (SVG) of the messages between Portal, App, LPA, eUICC and SM-DP+, and
the operator's service APIs ("MO service") when the session called them.

The same actors as the documents' diagrams. Arrows are derived from event kinds, as they
happened: `bridge.call` Portal→App, `portal.callback` App→Portal, each `lpa.progress` stage
LPA→eUICC (ES10) or LPA→SM-DP+ (ES9+), `smdp.order` a note at the SM-DP+, `euicc.profile` a
note at the eUICC, `network.registration` a note at the App, `operator_api.request`
App→MO service and `operator_api.response` back (the Mobile Plans service's calls, drawn from
the app that stands in for it). Pure: no Qt.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

from simulator.events import Event

MO_SERVICE = "MO service"
ACTORS = ("Portal", "App", "LPA", "eUICC", "SM-DP+")
"""The lifelines of every diagram; MO service joins beside the App when the session has rows
for it (``actors_of``)."""

# esim/lpa/download.py's stages: which interface each one crosses (SGP.22 §3.1.3).
STAGE_TARGET = {
    "GetEUICCInfo1": ("LPA", "eUICC", "ES10b GetEUICCInfo1 / GetEUICCChallenge"),
    "InitiateAuthentication": ("LPA", "SM-DP+", "ES9+ InitiateAuthentication"),
    "AuthenticateServer": ("LPA", "eUICC", "ES10b AuthenticateServer"),
    "AuthenticateClient": ("LPA", "SM-DP+", "ES9+ AuthenticateClient"),
    "PrepareDownload": ("LPA", "eUICC", "ES10b PrepareDownload"),
    "GetBoundProfilePackage": ("LPA", "SM-DP+", "ES9+ GetBoundProfilePackage"),
    "LoadBoundProfilePackage": ("LPA", "eUICC", "ES10b LoadBoundProfilePackage"),
    "HandleNotification": ("LPA", "SM-DP+", "ES9+ HandleNotification"),
    "Done": ("LPA", "App", "profile installed"),
}


@dataclass(frozen=True)
class Message:
    """One arrow (`source` → `target`) or, when they are equal, a note on a lifeline."""

    seq: int
    t: float
    source: str
    target: str
    label: str
    style: str = "call"  # call | reply | note | error | warning


def _args(event: Event) -> str:
    parts = []
    for arg in event.fields.get("args") or []:
        value = arg.get("v") if isinstance(arg, dict) else arg
        if isinstance(arg, dict) and arg.get("t") == "object":
            value = "{" + ", ".join(str(k) for k, _ in arg.get("v") or []) + "}"
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        parts.append(text if len(text) <= 40 else text[:39] + "…")
    return ", ".join(parts)


def _path(url: object) -> str:
    """The request's path and query: the host is the same on every row."""
    parts = urlsplit(str(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _answer(fields: Mapping[str, Any]) -> str:
    """What the operator's answer meant, in a few words."""
    status = fields.get("status") or "no answer"
    balances, gateways = fields.get("balances"), fields.get("gatewayIds")
    notifications = fields.get("notificationIds")
    if isinstance(balances, list):
        types = [str(b.get("type")) for b in balances if isinstance(b, dict)]
        detail = ", ".join(types) or "no balance"
    elif isinstance(gateways, list):
        detail = _ids("gatewayId", gateways)
    elif isinstance(notifications, list):
        detail = _ids("notificationId", notifications)
    elif fields.get("retryAfter") is not None:
        detail = f"Retry-After {fields['retryAfter']}"
    else:
        detail = ""
    return f"{status} {fields.get('api')}" + (f": {detail}" if detail else "")


def _ids(name: str, ids: list[Any]) -> str:
    return f"{name} " + ", ".join(str(i) for i in ids) if ids else f"no usable {name}"


def actors_of(messages: Iterable[Message]) -> tuple[str, ...]:
    """The lifelines a diagram of ``messages`` needs."""
    if any(MO_SERVICE in (m.source, m.target) for m in messages):
        return (*ACTORS[:2], MO_SERVICE, *ACTORS[2:])
    return ACTORS


def sequence_messages(events: Iterable[Event]) -> list[Message]:
    """The diagram's rows, in event order; consecutive load segments collapse into one row."""
    rows: list[Message] = []
    last_stage: tuple[object, str] | None = None
    segments = 0
    for event in events:
        f = event.fields
        kind = event.kind
        if kind != "lpa.progress" and kind != "ui.screen":
            last_stage = None
        if kind == "bridge.call":
            name = f"{f.get('object')}.{f.get('method')}" if f.get("object") else f.get("method")
            label = (
                f"{name} = {_args(event)}"
                if f.get("call_kind") == "set"
                else f"{name}({_args(event)})"
            )
            rows.append(Message(event.seq, event.t, "Portal", "App", label))
        elif kind == "portal.callback":
            argument = str(f.get("argument", ""))
            label = f"{f.get('function') or f.get('property')}({argument})"
            style = "reply" if f.get("delivered") else "error"
            rows.append(Message(event.seq, event.t, "App", "Portal", label, style))
        elif kind == "flow.state" and f.get("state") in ("downloading", "retrying"):
            code = str(f.get("activation_code", ""))
            rows.append(Message(event.seq, event.t, "App", "LPA", f"download({code})"))
        elif kind == "flow.state" and f.get("state") == "enabling":
            rows.append(Message(event.seq, event.t, "App", "LPA", f"enable({f.get('iccid')})"))
        elif kind == "lpa.progress":
            stage = str(f.get("stage"))
            key = (f.get("operation"), stage)
            if key == last_stage and rows:
                segments += 1
                previous = rows[-1]
                label = f"{STAGE_TARGET[stage][2]} ×{segments} ({f.get('bytes')} bytes)"
                rows[-1] = Message(
                    previous.seq, previous.t, previous.source, previous.target, label
                )
                continue
            last_stage, segments = key, 1
            source, target, label = STAGE_TARGET.get(stage, ("LPA", "LPA", stage))
            rows.append(Message(event.seq, event.t, source, target, label))
        elif kind == "lpa.error":
            label = f"{f.get('activation_error')} at {f.get('step')}"
            rows.append(Message(event.seq, event.t, "LPA", "App", label, "error"))
        elif kind == "smdp.order":
            label = f"order {f.get('matching_id')}: {f.get('action')} ({f.get('state')})"
            rows.append(Message(event.seq, event.t, "SM-DP+", "SM-DP+", label, "note"))
        elif kind == "euicc.profile":
            label = f"profile {f.get('iccid')}: {f.get('state')}"
            rows.append(Message(event.seq, event.t, "eUICC", "eUICC", label, "note"))
        elif kind == "network.registration":
            label = f"registration {f.get('iccid')}: {f.get('state')}"
            rows.append(Message(event.seq, event.t, "App", "App", label, "note"))
        elif kind == "operator_api.request":
            label = f"{f.get('api')} {f.get('method', 'GET')} {_path(f.get('url', ''))}"
            rows.append(Message(event.seq, event.t, "App", MO_SERVICE, label))
        elif kind == "operator_api.response":
            style = "reply" if f.get("ok") else "error"
            rows.append(Message(event.seq, event.t, MO_SERVICE, "App", _answer(f), style))
        elif kind == "contract.violation" and f.get("severity") != "info":
            # a warning (a picture of another size, a Content-Type) is not drawn as a failure
            warning = f.get("severity") == "warning"
            label = f"{'⚠' if warning else '✗'} {f.get('rule')}"
            # the operator's APIs' findings sit on their lifeline, the portal's on the App's
            where = MO_SERVICE if f.get("object") == MO_SERVICE else "App"
            style = "warning" if warning else "error"
            rows.append(Message(event.seq, event.t, where, where, label, style))
    return rows


_LEFT = 70
_GAP = 190
_TOP = 60
_ROW = 26
_CHAR = 6.3  # average width of an 11 px sans-serif character, for sizing notes and labels
_COLOURS = {
    "call": "#1f4e8c",
    "reply": "#2e7d32",
    "note": "#555",
    "error": "#b3261e",
    "warning": "#8a5a00",
}


def _fit(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _extent(message: Message, x: dict[str, int]) -> float:
    """The right edge of a row's note or label, so the drawing is wide enough for it."""
    width = len(_fit(message.label)) * _CHAR + 12
    if message.source == message.target:
        return x[message.source] + 6 + width
    return min(x[message.source], x[message.target]) + 6 + width


def render_sequence_svg(messages: list[Message]) -> str:
    """An SVG document: a lifeline per actor, a row per message, time on the left.

    Each row is a `<g class="row" data-seq=…>` the report's script makes clickable; a label
    longer than the row shows whole in its tooltip, and the drawing widens to fit its notes."""
    actors = actors_of(messages)
    x = {actor: _LEFT + 40 + i * _GAP for i, actor in enumerate(actors)}
    width = int(max([x[actors[-1]] + 130.0, *(_extent(m, x) + 10 for m in messages)]))
    height = _TOP + _ROW * (len(messages) + 1) + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
        'font-size="11" role="img" aria-label="Sequence diagram of the session">',
        "<defs>",
    ]
    for style, colour in _COLOURS.items():
        out.append(
            f'<marker id="arrow-{style}" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    for actor in actors:
        cx = x[actor]
        out.append(
            f'<rect x="{cx - 55}" y="10" width="110" height="28" rx="5" fill="#eef2f8" '
            'stroke="#1f4e8c"/>'
            f'<text x="{cx}" y="29" text-anchor="middle" font-weight="bold" font-size="13">'
            f"{escape(actor)}</text>"
            f'<line x1="{cx}" y1="38" x2="{cx}" y2="{height - 10}" stroke="#9aa5b1" '
            'stroke-dasharray="4 4"/>'
        )
    for row, message in enumerate(messages):
        y = _TOP + _ROW * row + 10
        colour = _COLOURS[message.style]
        label = escape(_fit(message.label))
        out.append(
            f'<g class="row" data-seq="{message.seq}"><title>#{message.seq} '
            f"{escape(message.label)}</title>"
            f'<rect class="hit" x="0" y="{y - 13}" width="{width}" height="{_ROW}" '
            'fill="transparent"/>'
            f'<text x="6" y="{y + 4}" fill="#777" font-size="10">'
            f"t={message.t:g} #{message.seq}</text>"
        )
        if message.source == message.target:
            cx = x[message.source]
            box = int(len(_fit(message.label)) * _CHAR + 10)
            out.append(
                f'<rect x="{cx + 6}" y="{y - 9}" width="{box}" '
                f'height="16" fill="#fffbe6" stroke="{colour}" stroke-width="0.6"/>'
                f'<text x="{cx + 11}" y="{y + 3}" fill="{colour}">{label}</text></g>'
            )
            continue
        x1, x2 = x[message.source], x[message.target]
        dash = ' stroke-dasharray="6 3"' if message.style in ("reply", "error") else ""
        out.append(
            f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="1.4"'
            f'{dash} marker-end="url(#arrow-{message.style})"/>'
            f'<text x="{min(x1, x2) + 6}" y="{y - 4}" fill="{colour}">{label}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)
