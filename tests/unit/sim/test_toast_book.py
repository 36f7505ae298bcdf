"""Which toasts stay on screen as flows move on (simulator.ui.toast_book, no Qt)."""

from __future__ import annotations

from typing import Any

from simulator.events import Event
from simulator.ui.toast_book import ToastBook

OP = "op-1"


def event(kind: str, **fields: Any) -> Event:
    return Event(0, 0.0, "", kind, fields)


def state(name: str, operation: str = OP) -> Event:
    return event("flow.state", flow="delayed-download", operation=operation, state=name)


def toast(toast_id: str, text: str, *actions: str) -> Event:
    return event("ui.toast", toast=toast_id, text=text, actions=list(actions))


def test_delayed_notice_replaced_by_the_question_and_the_question_by_the_download() -> None:
    book = ToastBook()
    book.observe(state("scheduled"))
    added, withdrawn = book.observe(toast("toast-1", "will be installed later"))
    assert added is not None
    assert added.operation == OP
    assert withdrawn == []
    assert [t.toast_id for t in book.shown] == ["toast-1"]
    # 30 minutes later: the flow moves on, then asks.
    assert book.observe(state("toast-shown")) == (None, ["toast-1"])
    added, withdrawn = book.observe(toast("toast-2", "ready to download", "Download", "Not now"))
    assert added is not None
    assert added.actions == ("Download", "Not now")
    assert withdrawn == []
    # Answered elsewhere (the pytest plugin, a demo): the download starts, the question goes.
    assert book.observe(state("downloading")) == (None, ["toast-2"])
    assert book.shown == []


def test_a_newer_toast_of_the_same_flow_replaces_the_older_one() -> None:
    book = ToastBook()
    book.observe(state("scheduled"))
    book.observe(toast("toast-1", "first"))
    added, withdrawn = book.observe(toast("toast-2", "second", "Download"))
    assert added is not None
    assert withdrawn == ["toast-1"]


def test_toasts_of_different_flows_stack() -> None:
    book = ToastBook()
    book.observe(state("scheduled", "a"))
    book.observe(toast("toast-1", "a later"))
    book.observe(state("scheduled", "b"))
    book.observe(toast("toast-2", "b later"))
    assert [t.operation for t in book.shown] == ["a", "b"]
    assert book.observe(state("cancelled", "a")) == (None, ["toast-1"])
    assert [t.toast_id for t in book.shown] == ["toast-2"]


def test_an_outcome_notice_stays_until_closed() -> None:
    book = ToastBook()
    book.observe(state("connected"))
    added, _ = book.observe(toast("toast-3", "You're connected to the cellular network"))
    assert added is not None
    assert added.outcome
    assert book.observe(state("done")) == (None, [])
    book.closed("toast-3")
    assert book.shown == []


def test_answered_event_and_explicit_operation_field() -> None:
    book = ToastBook()
    book.observe(state("scheduled", "other"))
    book.observe(event("ui.toast", toast="t", text="x", actions=["Download"], operation=OP))
    assert book.shown[0].operation == OP
    assert book.observe(state("downloading", "other")) == (None, [])
    assert book.observe(event("ui.toast-answered", toast="t", action="Download")) == (None, ["t"])
    assert book.observe(event("ui.toast-answered", toast="t", action="Download")) == (None, [])


def test_a_repeated_state_is_no_move() -> None:
    book = ToastBook()
    book.observe(state("toast-shown"))
    book.observe(toast("toast-2", "ready", "Download", "Not now"))
    # notifyOperationCancel after the toast is refused: the flow logs its same state again.
    ignored = event(
        "flow.state", flow="delayed-download", operation=OP, state="toast-shown", cancel="ignored"
    )
    assert book.observe(ignored) == (None, [])
    assert [t.toast_id for t in book.shown] == ["toast-2"]
