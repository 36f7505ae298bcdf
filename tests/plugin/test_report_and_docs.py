"""The HTML report and the sequence diagram from a known event sequence; the surface page."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.report import Screenshot, write_report
from simulator.report.sequence_svg import sequence_messages
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
    assert "<script" not in page
    assert 'src="http' not in page  # nothing fetched: readable without the app


def test_the_surface_page_is_generated_from_the_surface() -> None:
    assert (DOCS / "javascript-surface.md").read_text("utf-8") == render_surface_page()
