"""The HTML report and the sequence diagram from a known event sequence; the surface page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.report import Screenshot, write_report
from simulator.report.html import render_report
from simulator.report.screens import looks_blank
from simulator.report.sequence_svg import Message, render_sequence_svg, sequence_messages
from simulator.report.surface_page import render_surface_page

DOCS = Path(__file__).parents[2] / "docs"
PNG = bytes.fromhex("89504e470d0a1a0a")  # a PNG signature is enough for a data: URI


def _session() -> EventLog:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    log.emit("app.started", portal="https://contoso.mobileplans.test/", device={"kind": "esim"})
    call = {"t": "string", "v": "1$smdp.mobileplans.test$ABC"}
    log.emit(
        "bridge.call",
        object="MobilePlansInlineOperations",
        method="notifyProfileDownload",
        call_kind="call",
        args=[{"t": "object", "v": []}, call],
        seq=2,
    )
    log.emit(
        "contract.violation",
        rule="metadata.planName.empty",
        severity="error",
        message="planName is empty",
        spec="docs/rules.md#metadata.planName.empty",
        call_seq=2,
    )
    log.emit("flow.state", flow="inline-download", state="downloading", activation_code="AC")
    for stage in ("InitiateAuthentication", "LoadBoundProfilePackage", "LoadBoundProfilePackage"):
        log.emit("lpa.progress", operation="op", stage=stage, bytes=10, total=20)
    log.emit("smdp.order", action="downloaded", matching_id="ABC", state="downloaded")
    log.emit("euicc.profile", iccid="8999", state="enabled")
    log.emit("network.registration", iccid="8999", state="home")
    log.emit(
        "portal.callback",
        property="registrationChangedScript",
        function="f",
        argument=json.dumps({"networkRegistrationState": "home"}),
        delivered=True,
    )
    return log


def test_sequence_rows_follow_the_documents_actors() -> None:
    rows = [(m.source, m.target, m.style) for m in sequence_messages(_session())]
    assert rows == [
        ("Portal", "App", "call"),
        ("App", "App", "error"),
        ("App", "LPA", "call"),
        ("LPA", "SM-DP+", "call"),
        ("LPA", "eUICC", "call"),  # two load segments, one row
        ("SM-DP+", "SM-DP+", "note"),
        ("eUICC", "eUICC", "note"),
        ("App", "App", "note"),
        ("App", "Portal", "reply"),
    ]


def test_the_report_is_one_self_contained_page(tmp_path: Path) -> None:
    shot = Screenshot(3, 0.0, "progress-popup", "Installing eSIM profile", PNG)
    page = write_report(_session(), [shot], tmp_path / "r.html", title="inline").read_text()
    assert page.count("<svg") == 1
    assert "data:image/png;base64," in page
    assert "Inline profile download and connectivity" in page  # the method's own section
    assert "metadata.planName.empty" in page
    assert 'src="http' not in page  # nothing fetched: readable without the app
    assert "<script src" not in page
    assert "<title>inline</title>" in page  # no outcome given, none claimed


def _badge(page: str, label: str) -> str:
    match = re.search(r"<b>([^<]*)</b><span>" + re.escape(label) + "</span>", page)
    assert match is not None, label
    return match.group(1)


def test_the_title_badges_and_device_say_what_happened() -> None:
    events = list(_session())
    shots = [Screenshot(3, 0.0, "progress-popup", "", PNG)]
    failed = render_report(
        events,
        shots,
        title="tests/test_portal.py::test_inline",
        outcome="failed",
        failure="AssertionError: assert 'portal' == 'error'",
    )
    assert (
        "<title>tests/test_portal.py::test_inline — FAIL: AssertionError: assert "
        "&#x27;portal&#x27; == &#x27;error&#x27;</title>" in failed
    )
    assert '<span class="outcome FAIL">FAIL</span>' in failed
    assert _badge(failed, "events") == str(len(events))
    assert _badge(failed, "portal call") == "1"  # singular
    assert _badge(failed, "contract error") == "1"
    assert _badge(failed, "contract warnings") == "0"
    assert _badge(failed, "screenshot") == "1"
    assert _badge(failed, "virtual time") == "0 s"
    assert '<th>SIM</th><td class="k">eSIM</td>' in failed  # a table, not raw JSON
    assert "· device {" not in failed  # the old header's raw JSON
    passed = render_report(events, [], title="demo inline-download", outcome="0")
    assert "<title>demo inline-download — PASS</title>" in passed
    assert _badge(passed, "screenshots") == "0"
    assert "1 lpa.progress event" not in passed
    assert "3 lpa.progress events are summarised" in passed


def test_the_diagram_rows_are_clickable_and_notes_fit() -> None:
    long_note = "x" * 100
    messages = [*sequence_messages(_session()), Message(99, 1.0, "SM-DP+", "SM-DP+", long_note)]
    svg = render_sequence_svg(messages)
    found = re.search(r'width="(\d+)"', svg)
    assert found is not None
    width = int(found.group(1))
    assert width > 880 + 100 * 6  # the SM-DP+ lifeline plus the whole note
    assert svg.count('<g class="row"') == len(messages)
    assert 'data-seq="99"' in svg
    assert long_note in svg
    session = list(_session())
    page = render_report(session)
    embedded = re.search(r'id="events-json">(.*?)</script>', page)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == [dict(e) for e in session]
    assert 'id="filter"' in page


def test_a_portal_that_never_paints_is_blank_and_a_page_is_not(qapp: object) -> None:
    from PySide6.QtGui import QColor, QImage

    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    assert looks_blank(image)
    for x in range(60, 140):
        image.setPixel(x, 50, QColor("black").rgb())
    assert not looks_blank(image)
    assert looks_blank(QImage())


def test_the_surface_page_is_generated_from_the_surface() -> None:
    assert (DOCS / "javascript-surface.md").read_text("utf-8") == render_surface_page()


def test_portal_text_cannot_break_out_of_the_report(tmp_path: Path) -> None:
    log = _session()
    hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    log.emit("portal.callback", property="p", function=hostile, argument=hostile, delivered=True)
    page = render_report(log, title=hostile, outcome="failed", failure=hostile)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    embedded = re.search(r'id="events-json">(.*?)</script>', page, re.DOTALL)
    assert embedded is not None
    assert json.loads(embedded.group(1))[-1]["argument"] == hostile  # intact, as data
