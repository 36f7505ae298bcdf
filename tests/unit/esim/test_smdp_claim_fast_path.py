"""The one-statement claim and installation-result record decide as the full transactions did.

A claim is one conditional UPDATE when the row still holds what the order was read with; when
anything changed since (behaviour, confirmation-code failures, state, EID binding), the full
transaction decides from the row, so a stale read never claims what it should not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from smdp_fake_euicc import FakeClock, FakeEuicc

from esim.smdp import Es9Error, OrderState, OrderStore, ProfileSpec, generate_iccid
from esim.smdp.behaviours import OrderBehaviour
from esim.smdp.notification_ledger import NotificationLedger, Replay

TID = "0A" * 16


@contextmanager
def statements(store: OrderStore) -> Iterator[list[str]]:
    seen: list[str] = []
    db: sqlite3.Connection = store._db
    db.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.set_trace_callback(None)


def new_store(tmp_path: Path) -> OrderStore:
    # A clock that does not move: a change made "at the same time" must still be noticed.
    return OrderStore.open(tmp_path / "orders.sqlite", clock=FakeClock())


def test_a_fresh_claim_is_one_statement(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    eid = FakeEuicc().eid
    with statements(store) as seen:
        claimed = store.claim(order, eid, TID, b"cert")
    assert [sql.split()[0] for sql in seen] == ["UPDATE"]
    assert claimed.state is OrderState.DOWNLOADING
    assert claimed.downloaded_by == eid
    assert claimed.transaction_id == TID
    assert store.euicc_certificate(order.order_id) == b"cert"


def test_a_behaviour_changed_since_the_read_is_decided_from_the_row(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    store.set_behaviour(order.matching_id, OrderBehaviour(expired=True))
    with pytest.raises(Es9Error) as raised:
        store.claim(order, FakeEuicc().eid, TID, b"cert")
    assert raised.value.rule == "order.expired"
    found = store.get(order.matching_id)
    assert found is not None
    assert found.state is OrderState.EXPIRED


def test_an_eid_bound_since_the_read_is_decided_from_the_row(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    with store.transaction() as db:  # bound to another eUICC behind the stale read's back
        db.execute(
            "UPDATE orders SET eid = ? WHERE order_id = ?",
            (FakeEuicc.with_new_eid().eid, order.order_id),
        )
    with pytest.raises(Es9Error) as raised:
        store.claim(order, FakeEuicc().eid, TID, b"cert")
    assert raised.value.rule == "order.eid-mismatch"


def test_wrong_codes_counted_since_the_read_are_decided_from_the_row(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(
        ProfileSpec(generate_iccid(), size_bytes=2000),
        confirmation_code="1234",
        behaviour=OrderBehaviour(confirmation_code_attempts=1),
    )
    claimed = store.claim(order, FakeEuicc().eid, TID, b"cert")
    store.record_wrong_confirmation_code(claimed)  # the one attempt used: the order fails
    with pytest.raises(Es9Error) as raised:
        store.claim(order, FakeEuicc().eid, "0B" * 16, b"cert")
    assert raised.value.rule == "order.confirmation-code-retries"


def test_a_claimed_order_read_before_its_claim_is_refused(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    store.claim(order, FakeEuicc().eid, TID, b"cert")
    with pytest.raises(Es9Error) as raised:
        store.claim(order, FakeEuicc.with_new_eid().eid, "0B" * 16, b"other")
    assert raised.value.rule == "order.single-use"
    assert store.euicc_certificate(order.order_id) == b"cert"


def test_an_installation_result_is_recorded_once_in_one_statement(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    ledger = NotificationLedger(store)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    with statements(store) as seen:
        first = ledger.admit("89049032123451234512345678901235", 7, "install", order)
    assert first.replay is None
    assert [sql.split()[0] for sql in seen] == ["INSERT"]
    again = ledger.admit("89049032123451234512345678901235", 7, "install", order)
    assert again.replay is Replay.DUPLICATE
    assert again.detail == "EID 89049032123451234512345678901235 seqNumber 7 (install) was handled"
