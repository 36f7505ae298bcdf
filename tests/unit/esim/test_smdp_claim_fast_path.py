"""The one-statement claim and installation-result record decide as the full transactions did.

A claim is one conditional UPDATE when the row still holds what the order was read with; when
anything changed since (behaviour, confirmation-code failures, state, EID binding), the full
transaction decides from the row, so a stale read never claims what it should not.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from smdp_es9_harness import FakeClock
from smdp_fake_euicc import FakeEuicc
from store_statements import new_store, statements

from esim.identifiers import Eid
from esim.smdp import Es9Error, Order, OrderState, OrderStore, ProfileSpec, generate_iccid
from esim.smdp.behaviours import OrderBehaviour
from esim.smdp.notification_ledger import NotificationLedger, Replay

TID = "0A" * 16


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


# -- finding and claiming by matching ID in one statement ---------------------------------------

EID = "89049032123451234512345678901235"
OTHER_EID = Eid.generate(prefix="89049032").digits


def test_a_released_default_order_is_found_and_claimed_in_one_statement(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    spec = ProfileSpec(generate_iccid(), size_bytes=2000)
    order = store.create_order(spec)
    events: list[dict[str, object]] = []
    store.add_listener(lambda _kind, fields: events.append(fields))
    fresh = OrderStore.open(tmp_path / "orders.sqlite", clock=FakeClock())  # spec not cached
    fresh.add_listener(lambda _kind, fields: events.append(fields))
    with statements(fresh) as seen:
        claimed = fresh.claim_released(order.matching_id, EID, TID, b"cert")
    assert [sql.split()[0] for sql in seen] == ["UPDATE"]
    assert claimed is not None
    assert claimed.spec == spec
    assert claimed.state is OrderState.DOWNLOADING
    assert (claimed.downloaded_by, claimed.transaction_id) == (EID, TID)
    assert claimed == store.get(order.matching_id)
    assert fresh.euicc_certificate(order.order_id) == b"cert"
    assert events == [{**claimed.describe(), "action": "download-started", "transaction_id": TID}]


@pytest.mark.parametrize(
    "behaviour",
    [
        OrderBehaviour(latency_seconds=0.5),
        OrderBehaviour().with_failure("authenticateClient"),
        OrderBehaviour(release_at=5000.0),
        OrderBehaviour(expires_at=500.0),
        OrderBehaviour(expired=True),
        OrderBehaviour(confirmation_code_attempts=1),
    ],
)
def test_an_order_whose_behaviour_could_refuse_or_delay_is_left_to_the_long_way(
    tmp_path: Path, behaviour: OrderBehaviour
) -> None:
    store = new_store(tmp_path)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000), behaviour=behaviour)
    assert store.claim_released(order.matching_id, EID, TID, b"cert") is None
    assert store.get(order.matching_id) == order


def test_an_order_bound_to_another_eid_is_left_to_the_long_way(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000), eid=OTHER_EID)
    assert store.claim_released(order.matching_id, EID, TID, b"cert") is None
    assert store.get(order.matching_id) == order
    claimed = store.claim_released(order.matching_id, OTHER_EID, TID, b"cert")
    assert claimed is not None
    assert claimed.downloaded_by == OTHER_EID


def test_claimed_unknown_and_exhausted_orders_are_left_to_the_long_way(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    assert store.claim_released("NO-SUCH-ORDER", EID, TID, b"cert") is None
    claimed = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    assert store.claim_released(claimed.matching_id, EID, TID, b"cert") is not None
    assert store.claim_released(claimed.matching_id, EID, "0B" * 16, b"other") is None
    assert store.euicc_certificate(claimed.order_id) == b"cert"
    exhausted = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    with store.transaction() as db:  # as many wrong codes as the default allows, still released
        db.execute("UPDATE orders SET cc_failures = 3 WHERE order_id = ?", (exhausted.order_id,))
    assert store.claim_released(exhausted.matching_id, EID, TID, b"cert") is None
    with pytest.raises(Es9Error) as raised:  # the long way refuses it, naming the rule
        store.claim(store.get(exhausted.matching_id) or exhausted, EID, TID, b"cert")
    assert raised.value.rule == "order.confirmation-code-retries"


def test_an_order_of_an_older_store_gets_the_spec_from_its_row(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    spec = ProfileSpec(generate_iccid(), size_bytes=3000)
    order = store.create_order(spec)
    with store.transaction() as db:  # as a store written before order_specs existed
        text = db.execute("SELECT spec FROM order_specs").fetchone()[0]
        db.execute("DELETE FROM order_specs")
        db.execute("UPDATE orders SET spec = ? WHERE order_id = ?", (text, order.order_id))
    fresh = OrderStore.open(tmp_path / "orders.sqlite", clock=FakeClock())
    claimed = fresh.claim_released(order.matching_id, EID, TID, b"cert")
    assert claimed is not None
    assert claimed.spec == spec


# -- an installation result and its order's change in one transaction ---------------------------


def downloaded(store: OrderStore) -> Order:
    order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
    claimed = store.claim_released(order.matching_id, EID, TID, b"cert")
    assert claimed is not None
    moved = store.transition(claimed, {OrderState.DOWNLOADING}, OrderState.DOWNLOADED, "x")
    assert moved is not None
    return moved


def install(store: OrderStore, db: sqlite3.Connection, order: Order) -> Order | None:
    in_flight = {OrderState.DOWNLOADING, OrderState.DOWNLOADED}
    return store.transition_in(db, order, in_flight, OrderState.INSTALLED)


def test_an_installation_result_and_its_change_commit_together(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    ledger = NotificationLedger(store)
    order = downloaded(store)
    with statements(store) as seen:
        admitted, changed = ledger.admit_installation(
            EID, 7, order, lambda db: install(store, db, order)
        )
    assert [sql.split()[0] for sql in seen] == ["BEGIN", "INSERT", "UPDATE", "COMMIT"]
    assert admitted
    assert changed is not None
    assert changed.state is OrderState.INSTALLED
    assert changed == store.get(order.matching_id)
    again = ledger.admit_installation(EID, 7, order, lambda db: install(store, db, order))
    assert again == (False, None)
    assert ledger.admit(EID, 7, "install", order).replay is Replay.DUPLICATE


def test_a_change_that_fails_leaves_the_result_unrecorded(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    ledger = NotificationLedger(store)
    order = downloaded(store)

    def failing(db: sqlite3.Connection) -> Order | None:
        install(store, db, order)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        ledger.admit_installation(EID, 7, order, failing)
    assert store.get(order.matching_id) == order  # neither the change …
    assert ledger.admit(EID, 7, "install", order).replay is None  # … nor the record stayed
