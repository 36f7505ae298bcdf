"""The Contract panel and the Timeline over a long session: grouped by launch, unique call
numbers, rule links, a row leading to its call, Clear, Export, every kind summarised, `seq`
order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from simulator.clock import VirtualClock
from simulator.events import Event, EventLog
from simulator.ui.panels.contract import CALL, LINK, ContractPanel
from simulator.ui.panels.timeline import TimelinePanel, summarize


@pytest.fixture
def log() -> EventLog:
    return EventLog(VirtualClock(0, real_now=lambda: 0.0))


@pytest.fixture
def panels(qtbot: QtBot, log: EventLog) -> tuple[ContractPanel, TimelinePanel]:
    contract = ContractPanel()
    timeline = TimelinePanel()
    qtbot.addWidget(contract)
    qtbot.addWidget(timeline)
    contract.eventRequested.connect(timeline.show_event)
    log.subscribe(contract.add)
    log.subscribe(timeline.add)
    return contract, timeline


def _launch_and_break(log: EventLog, url: str, call_seq: int) -> Event:
    log.emit("portal.launch", url=url, params={}, headers={})
    call = log.emit(
        "bridge.call",
        object="MobilePlans",
        method="notifyCancelledPurchase",
        call_kind="call",
        args=[{"t": "object", "v": []}],
        seq=call_seq,
    )
    log.emit(
        "contract.violation",
        rule="metadata.required.missing",
        severity="error",
        message="purchaseMetadata.moDirectStatus is missing",
        spec="docs/rules.md#metadata.required.missing",
        object="MobilePlans",
        method="notifyCancelledPurchase",
        call_seq=call_seq,
    )
    return call


def _text(panel: ContractPanel, row: int, column: int) -> str:
    text = panel.model.index(row, column).data()
    return "" if text is None else str(text)


def test_violations_are_grouped_by_launch_with_unique_call_numbers(
    qtbot: QtBot, log: EventLog, panels: tuple[ContractPanel, TimelinePanel]
) -> None:
    contract, _ = panels
    first = _launch_and_break(log, "https://contoso.example/?n=1", call_seq=4)
    second = _launch_and_break(log, "https://contoso.example/?n=2", call_seq=4)
    log.emit("contract.violation", rule="metadata.field.unknown", severity="info", message="x")
    assert len(contract.violations()) == 3
    assert contract.model.rowCount() == 5  # two launch headers, three violations
    assert _text(contract, 0, 0).startswith("Launch 1 · https://contoso.example/?n=1")
    assert _text(contract, 2, 0).startswith("Launch 2 · https://contoso.example/?n=2")
    assert _text(contract, 1, CALL) == f"MobilePlans.notifyCancelledPurchase (event #{first.seq})"
    assert _text(contract, 3, CALL) == f"MobilePlans.notifyCancelledPurchase (event #{second.seq})"
    assert first.seq != second.seq
    assert _text(contract, 1, LINK) == "docs/rules.md#metadata.required.missing"
    assert contract.summary.text() == "2 errors, 0 warnings, 1 note"


def test_a_row_shows_its_rule_and_leads_to_its_call(
    qtbot: QtBot, log: EventLog, panels: tuple[ContractPanel, TimelinePanel]
) -> None:
    contract, timeline = panels
    call = _launch_and_break(log, "https://contoso.example/", call_seq=2)
    contract.violations()  # shown now
    contract.table.clicked.emit(contract.model.index(1, LINK))
    shown = contract.rule_view.toPlainText()
    assert "metadata.required.missing" in shown
    assert "A required metadata field is missing" in shown
    assert f"event #{call.seq}" in shown
    assert '"method": "notifyCancelledPurchase"' in shown
    timeline.filter.setText("contract.violation")  # hides the call
    with qtbot.waitSignal(contract.eventRequested) as requested:
        contract.table.clicked.emit(contract.model.index(1, CALL))
    assert requested.args == [call.seq]
    assert timeline.filter.text() == ""
    selected = timeline.table.selectionModel().selectedRows()
    assert [timeline.proxy.data(index) for index in selected] == [call.seq]
    assert json.loads(timeline.detail.toPlainText()) == dict(call)


def test_clear_and_export_as_json_lines(
    qtbot: QtBot, log: EventLog, panels: tuple[ContractPanel, TimelinePanel], tmp_path: Path
) -> None:
    contract, timeline = panels
    _launch_and_break(log, "https://contoso.example/", call_seq=2)
    violations = contract.export(tmp_path / "violations.jsonl").read_text().splitlines()
    assert violations == [e.to_json() for e in log.of_kind("contract.violation")]
    everything = timeline.export(tmp_path / "timeline.jsonl").read_text().splitlines()
    assert everything == [e.to_json() for e in log]
    contract.clear()
    timeline.clear()
    assert contract.model.rowCount() == 0
    assert contract.summary.text() == "No contract violations."
    assert timeline.model.rowCount() == 0
    log.emit("app.exit", code=0)
    assert timeline.export(tmp_path / "after.jsonl").read_text().count("\n") == 1
    assert contract.export(tmp_path / "none.jsonl").read_text() == ""


def test_the_timeline_shows_events_in_seq_order(
    qtbot: QtBot, log: EventLog, panels: tuple[ContractPanel, TimelinePanel]
) -> None:
    _, timeline = panels

    # A listener registered before the Timeline answers one event with another, so the
    # Timeline hears the answer (seq 2) before the event that caused it (seq 1).
    def answer(event: Event) -> None:
        if event.kind == "flow.state":
            log.emit("carrier.line", iccid="8988247000101997790", state="active")

    log.unsubscribe(timeline.add)
    log.subscribe(answer)
    log.subscribe(timeline.add)
    log.emit("flow.state", flow="inline-download", state="connected")
    log.emit("ui.screen", screen="portal")
    timeline._append_pending()
    seqs = [timeline.model.event_at(row).seq for row in range(timeline.model.rowCount())]
    assert seqs == [1, 2, 3]
    # and a straggler arriving after newer events is put in its place
    late = Event(0, 0.0, "", "app.started", {"portal": "https://contoso.example/"})
    timeline.model.extend([late])
    assert timeline.model.event_at(0) is late


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("ui.toast", {"toast": "t1", "text": "Ready", "actions": ["Download"]}, "text=Ready"),
        (
            "portal.callback",
            {"property": "registrationChangedScript", "delivered": False, "reason": "unset"},
            "NOT delivered",
        ),
        ("ui.toast-answered", {"toast": "t1", "answer": "Download"}, "answer=Download"),
        ("clock.skipped", {"seconds": 900}, "seconds=900"),
        ("bridge.ready", {}, "(no fields)"),
    ],
)
def test_every_kind_has_a_summary(kind: str, fields: dict[str, object], expected: str) -> None:
    summary = summarize(Event(1, 0.0, "", kind, fields))
    assert expected in summary
    assert summary.strip()


def test_a_rule_source_link_opens_in_the_browser_and_nothing_else_does(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, panels: tuple[ContractPanel, TimelinePanel]
) -> None:
    contract, _ = panels
    opened: list[str] = []
    monkeypatch.setattr(
        "simulator.ui.panels.contract.QDesktopServices.openUrl",
        lambda url: opened.append(url.toString()),
    )
    contract.show_rule("metadata.required.missing")
    assert "learn.microsoft.com" in contract.rule_view.toMarkdown()
    page = "https://learn.microsoft.com/windows-hardware/drivers/mobilebroadband/x"
    contract.rule_view.anchorClicked.emit(QUrl(page))
    contract.rule_view.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == [page]


def test_a_rule_from_another_page_links_that_page_not_the_rules_page(
    qtbot: QtBot, log: EventLog, panels: tuple[ContractPanel, TimelinePanel]
) -> None:
    """Walled-garden and operator-API rules are documented on their own pages (their `spec`)."""
    contract, _ = panels
    page = "docs/catalog-and-walled-garden.md#walled-garden.host-not-allowed"
    log.emit("portal.launch", url="https://contoso.example/", params={}, headers={})
    log.emit(
        "contract.violation",
        rule="walled-garden.host-not-allowed",
        severity="warning",
        message="cdn.example is outside the walled garden",
        spec=page,
    )
    contract.violations()  # shown now
    assert _text(contract, 1, LINK) == page
    contract.table.clicked.emit(contract.model.index(1, LINK))
    shown = contract.rule_view.toPlainText()
    assert page in shown
    assert "no entry in" not in shown
