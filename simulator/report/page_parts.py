"""The sections of the report page: summary badges, the device, the contract checks, the
screenshots and the filterable event table. Pure: text in, HTML out."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from html import escape

from simulator.contract.rulebook.sources import sources_brief
from simulator.contract.surface import OBJECTS, SCRIPT_PROPERTIES
from simulator.events import Event
from simulator.report.screens import Screenshot

# Kinds too chatty for the event table (each is summarised in the diagram instead).
QUIET = frozenset({"lpa.progress"})


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 screenshot`, `2 screenshots`, `0 contract errors`."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def virtual_time(seconds: float) -> str:
    """Virtual seconds as a person reads them: `0 s`, `42.5 s`, `16 min 5 s`, `1 h 0 min`."""
    if seconds < 60:
        return f"{seconds:g} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def badges(events: Sequence[Event], screenshots: int) -> str:
    violations = [e for e in events if e.kind == "contract.violation"]
    errors = sum(1 for v in violations if v.fields.get("severity") == "error")
    warnings = sum(1 for v in violations if v.fields.get("severity") == "warning")
    calls = sum(1 for e in events if e.kind == "bridge.call")
    elapsed = max((e.t for e in events), default=0.0)
    items = [
        (str(len(events)), "events" if len(events) != 1 else "event", ""),
        (str(calls), "portal calls" if calls != 1 else "portal call", ""),
        (str(errors), "contract errors" if errors != 1 else "contract error", "bad" * bool(errors)),
        (
            str(warnings),
            "contract warnings" if warnings != 1 else "contract warning",
            "warn" * bool(warnings),
        ),
        (str(screenshots), "screenshots" if screenshots != 1 else "screenshot", ""),
        (virtual_time(elapsed), "virtual time", ""),
    ]
    return (
        '<div class="badges">'
        + "".join(
            f'<div class="badge {css}"><b>{escape(value)}</b><span>{escape(label)}</span></div>'
            for value, label, css in items
        )
        + "</div>"
    )


_DEVICE_LABELS = {
    "kind": "SIM",
    "imei": "IMEI",
    "eid": "EID",
    "iccid": "ICCID (physical SIM)",
    "iccids": "profile ICCIDs",
    "market": "market (region settings)",
    "location": "location",
}
_KINDS = {"esim": "eSIM", "psim": "physical SIM"}


def device_table(device: object) -> str:
    if not isinstance(device, Mapping) or not device:
        return "<p>The run did not describe its device.</p>"
    rows = []
    for key, value in device.items():
        label = _DEVICE_LABELS.get(str(key), str(key))
        if key == "kind":
            value = _KINDS.get(str(value), value)
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value) or "(none)"
        elif isinstance(value, Mapping):
            text = json.dumps(value, default=str)
        else:
            text = "(none)" if value in (None, "") else str(value)
        rows.append(f'<tr><th>{escape(label)}</th><td class="k">{escape(text)}</td></tr>')
    return '<table class="device">' + "".join(rows) + "</table>"


def _method_sources(obj: str, method: str) -> str:
    spec = OBJECTS.get(obj)
    found = spec.method(method) if spec is not None else None
    if found is not None:
        return sources_brief(found.spec)
    if method in SCRIPT_PROPERTIES:
        return sources_brief("§1.1, §1.4")
    return "not in the documented surface"


def _finding(v: Event) -> str:
    severity = escape(str(v.fields.get("severity")))
    return (
        f'<div class="{severity}">{severity}: <code>{escape(str(v.fields.get("rule")))}</code>'
        f" — {escape(str(v.fields.get('message')))} <i>(read: "
        f"{escape(str(v.fields.get('spec')))})</i></div>"
    )


#: The public page each operator API comes from (docs/operator-apis.md says more).
_API_PAGES = {
    "GetBalance": "Mobile Operator account management in Windows 10",
    "GetOffers": "Mobile Plans gateway page",
    "GetNotifications": "Mobile Plans notifications",
}


_IMAGE_API = "Gateway image"  # the findings' api (simulator.operator_api.gateway_image_loader)


def _verdict(found: Sequence[Event]) -> str:
    worst = "ok"
    for level in ("info", "warning", "error"):
        if any(v.fields.get("severity") == level for v in found):
            worst = level
    return "passed" if worst in ("ok", "info") else worst


def _check_row(seq: int, name: str, sources: str, found: Sequence[Event]) -> str:
    verdict = _verdict(found)
    return (
        f'<tr><td class="k">#{seq}</td><td class="k">{escape(name)}</td>'
        f"<td>{escape(sources)}</td>"
        f'<td class="{"ok" if verdict == "passed" else escape(verdict)}">{verdict}</td>'
        f"<td>{''.join(_finding(v) for v in found)}</td></tr>"
    )


def checks(events: Sequence[Event]) -> str:
    # A call's findings follow it in the log; `call_seq` is numbered per document, so it is
    # matched against the latest call with that number, never across documents. An operator
    # API's findings ("MO service") follow its `operator_api.response`.
    # A Gateway image's findings follow its `gateway.image`, not the API answer before it.
    by_call: dict[int, list[Event]] = {}
    latest: dict[object, int] = {}
    last_response: int | None = None
    last_image: Event | None = None
    loose: list[Event] = []
    for event in events:
        if event.kind == "bridge.call":
            latest[event.fields.get("seq")] = event.seq
        elif event.kind == "operator_api.response":
            last_response = event.seq
        elif event.kind == "gateway.image":
            last_image = event
        elif event.kind == "contract.violation":
            if event.fields.get("api") == _IMAGE_API:
                image_uri = last_image.fields.get("uri") if last_image is not None else None
                if last_image is not None and event.fields.get("uri") == image_uri:
                    by_call.setdefault(last_image.seq, []).append(event)
                else:  # a template's image count: about no one image
                    loose.append(event)
            elif event.fields.get("object") == "MO service" and last_response is not None:
                by_call.setdefault(last_response, []).append(event)
            elif event.fields.get("call_seq") in latest:
                by_call.setdefault(latest[event.fields.get("call_seq")], []).append(event)
            else:
                loose.append(event)
    rows = []
    for call in events:
        found = by_call.get(call.seq, [])
        if call.kind == "bridge.call":
            obj, method = str(call.fields.get("object", "")), str(call.fields.get("method", ""))
            name = f"{obj}.{method}" if obj else method
            rows.append(_check_row(call.seq, name, _method_sources(obj, method), found))
        elif call.kind == "operator_api.response":
            api = str(call.fields.get("api", ""))
            status = call.fields.get("status") or "no answer"
            name = f"MO service {api} ({status})"
            rows.append(_check_row(call.seq, name, _API_PAGES.get(api, ""), found))
        elif call.kind == "gateway.image":
            uri = str(call.fields.get("uri", ""))
            shown = uri if len(uri) <= 80 else uri[:79] + "…"
            status = call.fields.get("status") or "no answer"
            name = f"MO service {_IMAGE_API} {shown} ({status})"
            rows.append(_check_row(call.seq, name, _API_PAGES["GetOffers"], found))
    for v in loose:
        where = f"{v.fields.get('object')}.{v.fields.get('method')}"
        severity = escape(str(v.fields.get("severity")))
        rows.append(
            f'<tr><td class="k">#{v.seq}</td><td class="k">{escape(where)}</td><td></td>'
            f'<td class="{severity}">{severity}</td><td>{_finding(v)}</td></tr>'
        )
    if not rows:
        return "<p>The portal made no calls to the app.</p>"
    return (
        "<table><tr><th>#</th><th>call</th><th>documented in</th><th>result</th>"
        "<th>findings (each rule is explained in docs/rules.md; the operator APIs' in "
        "docs/operator-apis.md)</th></tr>" + "".join(rows) + "</table>"
    )


def screens(screenshots: Sequence[Screenshot]) -> str:
    if not screenshots:
        return "<p>No screenshots were taken.</p>"
    figures = []
    for shot in screenshots:
        data = base64.b64encode(shot.png).decode("ascii")
        caption = f"#{shot.seq} t={shot.t:g} — {shot.screen}" + (
            f": {shot.text}" if shot.text else ""
        )
        figures.append(
            f'<figure><img class="zoom" id="shot-{shot.seq}" alt="{escape(shot.screen)} screen" '
            f'title="Click for full size" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    return '<div class="shots">' + "".join(figures) + "</div>"


def _fields_text(event: Event) -> str:
    parts = []
    for name, value in event.fields.items():
        if value in (None, "", [], {}):
            continue
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        parts.append(f"{name}={text if len(text) <= 300 else text[:299] + '…'}")
    return " ".join(parts)


def event_table(events: Sequence[Event]) -> str:
    rows = []
    for event in events:
        if event.kind in QUIET:
            continue
        severity = (
            str(event.fields.get("severity", "")) if event.kind == "contract.violation" else ""
        )
        rows.append(
            f'<tr><td class="k">#{event.seq}</td><td class="k">{event.t:g}</td>'
            f'<td class="k {escape(severity)}">{escape(event.kind)}</td>'
            f"<td>{escape(_fields_text(event))}</td></tr>"
        )
    quiet = sum(1 for e in events if e.kind in QUIET)
    note = (
        f"<p class='info'>{plural(quiet, 'lpa.progress event')} "
        f"{'is' if quiet == 1 else 'are'} summarised in the diagram.</p>"
    )
    return (
        '<input id="filter" type="search" placeholder="Filter: kind, method, rule, ICCID…" '
        'aria-label="Filter the events">'
        f' <span class="info"><span id="shown">{len(rows)}</span> of {len(rows)} shown</span>'
        '<table id="events"><thead><tr><th>#</th><th>t (virtual s)</th><th>kind</th>'
        "<th>fields</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + (note if quiet else "")
    )
