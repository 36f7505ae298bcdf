"""The HTML report: one self-contained page (inline CSS, images as data: URIs), readable
without the app. Pure: no Qt (screenshots arrive as PNG bytes)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from simulator.contract.rulebook.sources import sources_text
from simulator.contract.surface import OBJECTS, SCRIPT_PROPERTIES
from simulator.events import Event
from simulator.report.screens import Screenshot
from simulator.report.sequence_svg import render_sequence_svg, sequence_messages

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;
background:#f6f7f9}
header{background:#1f4e8c;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
main{padding:10px 28px 40px;max-width:1400px}section{background:#fff;border:1px solid #dde2e8;
border-radius:8px;padding:14px 18px;margin:16px 0;overflow-x:auto}
h2{font-size:17px;margin:0 0 10px}table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#f0f3f7}td.k{white-space:nowrap;font-family:ui-monospace,monospace}
.ok{color:#2e7d32;font-weight:600}.error{color:#b3261e;font-weight:600}
.warning{color:#9a6700;font-weight:600}.info{color:#555}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;margin-right:6px;font-size:12px;
background:#eef2f8;color:#1f4e8c}.badge.bad{background:#fbe9e7;color:#b3261e}
.shots{display:flex;flex-wrap:wrap;gap:14px}.shots figure{margin:0;width:440px}
.shots img{width:100%;border:1px solid #ccd3dc;border-radius:4px}
figcaption{font-size:12px;color:#444}pre{white-space:pre-wrap;font-size:12px;margin:0}
details summary{cursor:pointer;color:#1f4e8c}
"""

# Kinds too chatty for the timeline table (each is summarised in the diagram instead).
_QUIET = frozenset({"lpa.progress"})


def _method_spec(obj: str, method: str) -> str:
    spec = OBJECTS.get(obj)
    found = spec.method(method) if spec is not None else None
    if found is not None:
        return sources_text(found.spec)
    if method in SCRIPT_PROPERTIES:
        return sources_text("§1.1, §1.4")
    return "not in the documented surface"


def _fields_text(event: Event) -> str:
    parts = []
    for name, value in event.fields.items():
        if value in (None, "", [], {}):
            continue
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        parts.append(f"{name}={text if len(text) <= 300 else text[:299] + '…'}")
    return " ".join(parts)


def _timeline(events: Sequence[Event]) -> str:
    rows = []
    for event in events:
        if event.kind in _QUIET:
            continue
        severity = (
            str(event.fields.get("severity", "")) if event.kind == "contract.violation" else ""
        )
        rows.append(
            f'<tr><td class="k">#{event.seq}</td><td class="k">{event.t:g}</td>'
            f'<td class="k {escape(severity)}">{escape(event.kind)}</td>'
            f"<td>{escape(_fields_text(event))}</td></tr>"
        )
    quiet = sum(1 for e in events if e.kind in _QUIET)
    note = f"<p class='info'>{quiet} lpa.progress events are summarised in the diagram.</p>"
    return (
        "<table><tr><th>#</th><th>t (virtual s)</th><th>kind</th><th>fields</th></tr>"
        + "".join(rows)
        + "</table>"
        + (note if quiet else "")
    )


def _checks(events: Sequence[Event]) -> str:
    violations = [e for e in events if e.kind == "contract.violation"]
    # A call's findings follow it in the log; `call_seq` is numbered per document, so it is
    # matched against the latest call with that number, never across documents.
    by_call: dict[int, list[Event]] = {}
    latest: dict[object, int] = {}
    for event in events:
        if event.kind == "bridge.call":
            latest[event.fields.get("seq")] = event.seq
        elif event.kind == "contract.violation" and event.fields.get("call_seq") in latest:
            by_call.setdefault(latest[event.fields.get("call_seq")], []).append(event)
    rows = []
    for call in (e for e in events if e.kind == "bridge.call"):
        obj, method = str(call.fields.get("object", "")), str(call.fields.get("method", ""))
        found = by_call.get(call.seq, [])
        worst = "ok"
        for level in ("info", "warning", "error"):
            if any(v.fields.get("severity") == level for v in found):
                worst = level
        verdict = "passed" if worst in ("ok", "info") else worst
        details = "".join(
            f'<div class="{escape(str(v.fields.get("severity")))}">'
            f"{escape(str(v.fields.get('severity')))}: {escape(str(v.fields.get('rule')))} — "
            f"{escape(str(v.fields.get('message')))} <i>({escape(str(v.fields.get('spec')))})</i>"
            "</div>"
            for v in found
        )
        name = f"{obj}.{method}" if obj else method
        rows.append(
            f'<tr><td class="k">#{call.seq}</td><td class="k">{escape(name)}</td>'
            f"<td>{escape(_method_spec(obj, method))}</td>"
            f'<td class="{"ok" if verdict == "passed" else escape(verdict)}">{verdict}</td>'
            f"<td>{details}</td></tr>"
        )
    loose = [v for v in violations if v.fields.get("call_seq") is None]
    for v in loose:
        rows.append(
            f'<tr><td class="k">#{v.seq}</td><td class="k">'
            f"{escape(str(v.fields.get('object')))}.{escape(str(v.fields.get('method')))}</td>"
            f"<td>{escape(str(v.fields.get('spec')))}</td>"
            f'<td class="{escape(str(v.fields.get("severity")))}">'
            f"{escape(str(v.fields.get('severity')))}</td>"
            f"<td>{escape(str(v.fields.get('rule')))} — {escape(str(v.fields.get('message')))}</td>"
            "</tr>"
        )
    if not rows:
        return "<p>The portal made no calls to the app.</p>"
    return (
        "<table><tr><th>#</th><th>call</th><th>spec</th><th>result</th><th>findings</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _screens(screenshots: Sequence[Screenshot]) -> str:
    if not screenshots:
        return "<p>No screenshots were taken.</p>"
    figures = []
    for shot in screenshots:
        data = base64.b64encode(shot.png).decode("ascii")
        caption = f"#{shot.seq} t={shot.t:g} — {shot.screen}" + (
            f": {shot.text}" if shot.text else ""
        )
        figures.append(
            f'<figure><img alt="{escape(shot.screen)} screen" '
            f'src="data:image/png;base64,{data}"><figcaption>{escape(caption)}</figcaption>'
            "</figure>"
        )
    return '<div class="shots">' + "".join(figures) + "</div>"


def render_report(
    events: Iterable[Event],
    screenshots: Sequence[Screenshot] = (),
    *,
    title: str = "",
    outcome: str = "",
    details: str = "",
) -> str:
    """The report page as text (see `write_report`)."""
    events = list(events)
    kinds = Counter(e.kind for e in events)
    started = next((e for e in events if e.kind == "app.started"), None)
    portal = str(started.fields.get("portal", "")) if started else ""
    device = started.fields.get("device", {}) if started else {}
    errors = [
        e for e in events if e.kind == "contract.violation" and e.fields.get("severity") == "error"
    ]
    badges = [
        f'<span class="badge">{kinds.get("bridge.call", 0)} portal calls</span>',
        f'<span class="badge{" bad" if errors else ""}">{len(errors)} contract errors</span>',
        f'<span class="badge">{len(screenshots)} screenshots</span>',
        f'<span class="badge">{events[-1].t:g} virtual s</span>' if events else "",
    ]
    if outcome:
        bad = outcome not in ("passed", "ok", "0")
        badges.insert(0, f'<span class="badge{" bad" if bad else ""}">{escape(outcome)}</span>')
    heading = title or "Mobile Plans session"
    svg = render_sequence_svg(sequence_messages(events))
    failure = f"<section><h2>Failure</h2><pre>{escape(details)}</pre></section>" if details else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(heading)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body><header><h1>{escape(heading)}</h1>
<div>Portal {escape(portal)} · device {escape(json.dumps(device))}</div></header><main>
<section><h2>Summary</h2>{"".join(badges)}</section>{failure}
<section><h2>Sequence</h2>{svg}</section>
<section><h2>Contract checks</h2>{_checks(events)}</section>
<section><h2>Screens</h2>{_screens(screenshots)}</section>
<section><details open><summary><h2 style="display:inline">Timeline</h2></summary>
{_timeline(events)}</details></section>
</main></body></html>
"""


def write_report(
    simulator_events: Iterable[Event],
    screenshots: Sequence[Screenshot],
    path: Path,
    *,
    title: str = "",
    outcome: str = "",
    details: str = "",
) -> Path:
    """Write the self-contained HTML report of a run or a test to `path`; returns it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(
        simulator_events, screenshots, title=title, outcome=outcome, details=details
    )
    path.write_text(text, encoding="utf-8")
    return path
