"""The HTML report: one self-contained page (inline CSS and script, images as data: URIs),
readable without the app. Pure: no Qt (screenshots arrive as PNG bytes).

The title is the flow or test and its outcome (PASS/FAIL and the failing assertion); then
labelled summary badges, the device, the sequence diagram beside an inspector (click a row:
that event's JSON and the screenshot nearest in time), the contract checks, the screenshots
(click: full size) and the filterable event table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from simulator.events import Event
from simulator.report import page_parts
from simulator.report.assets import CSS, SCRIPT
from simulator.report.screens import Screenshot
from simulator.report.sequence_svg import render_sequence_svg, sequence_messages

_PASSED = frozenset({"passed", "pass", "ok", "0", "skipped"})


def verdict(outcome: str) -> str:
    """ "PASS" or "FAIL" for a pytest outcome or an exit status; "" when there is none."""
    if not outcome:
        return ""
    return "PASS" if outcome.strip().lower() in _PASSED else "FAIL"


def _json_for_script(value: object) -> str:
    # Inside <script type="application/json"> the page's text must stay data: no "<" at all
    # (no "</script>", no "<!--"), as JSON's own escape, which JSON.parse reads back.
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_report(
    events: Iterable[Event],
    screenshots: Sequence[Screenshot] = (),
    *,
    title: str = "",
    outcome: str = "",
    details: str = "",
    failure: str = "",
) -> str:
    """The report page as text (see `write_report`)."""
    events = list(events)
    started = next((e for e in events if e.kind == "app.started"), None)
    portal = str(started.fields.get("portal", "")) if started else ""
    device = started.fields.get("device", {}) if started else {}
    name = title or "Mobile Plans session"
    result = verdict(outcome)
    heading = f"{name} — {result}" if result else name
    if result == "FAIL" and failure:
        heading += f": {failure.splitlines()[0][:160]}"
    outcome_html = f'<span class="outcome {result}">{result}</span>' if result else ""
    failure_html = (
        f'<div class="failure">{escape(failure)}</div>' if result == "FAIL" and failure else ""
    )
    details_html = (
        f"<section><details><summary><h2 style='display:inline'>Failure details</h2></summary>"
        f"<pre>{escape(details)}</pre></details></section>"
        if details
        else ""
    )
    svg = render_sequence_svg(sequence_messages(events))
    lines = [dict(e) for e in events]
    shots = [
        {"seq": s.seq, "t": round(s.t, 3), "screen": s.screen, "text": s.text} for s in screenshots
    ]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(heading)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>{outcome_html}{escape(name)}</h1>{failure_html}
<div>Portal {escape(portal) or "(none)"}</div></header><main>
<section><h2>Summary</h2>{page_parts.badges(events, len(screenshots))}</section>
<section><h2>Device</h2>{page_parts.device_table(device)}</section>{details_html}
<section><h2>Sequence</h2><p class="info">Click a row to see its event and the screenshot
nearest in time.</p><div class="diagram">{svg}</div></section>
<section><h2>Contract checks</h2>{page_parts.checks(events)}</section>
<section><h2>Screens</h2>{page_parts.screens(screenshots)}</section>
<section><h2>Events</h2>{page_parts.event_table(events)}</section>
</main><aside id="inspector" aria-live="polite"></aside>
<div id="lightbox" title="Click to close"><img alt="full size"></div>
<script type="application/json" id="events-json">{_json_for_script(lines)}</script>
<script type="application/json" id="shots-json">{_json_for_script(shots)}</script>
<script>{SCRIPT}</script></body></html>
"""


def write_report(
    simulator_events: Iterable[Event],
    screenshots: Sequence[Screenshot],
    path: Path,
    *,
    title: str = "",
    outcome: str = "",
    details: str = "",
    failure: str = "",
) -> Path:
    """Write the self-contained HTML report of a run or a test to `path`; returns it.

    `outcome` is a pytest outcome ("passed", "failed") or an exit status ("0"); `failure` the
    failing assertion in one line, `details` the full failure text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(
        simulator_events,
        screenshots,
        title=title,
        outcome=outcome,
        details=details,
        failure=failure,
    )
    path.write_text(text, encoding="utf-8")
    return path
