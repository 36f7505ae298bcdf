"""The injected-failure look of initiateAuthentication is remembered only while it must hold.

Once no order fails at a step, the store answers without a query until this connection writes
a behaviour or any other connection (another worker, another program) commits; every such
write is seen at the next question.
"""

from __future__ import annotations

from pathlib import Path

from store_statements import new_store, statements

from esim.smdp import OrderState, ProfileSpec, generate_iccid
from esim.smdp.behaviours import OrderBehaviour, Step
from esim.smdp.expiry import release_order

STEP = Step.INITIATE_AUTHENTICATION
FAILING = OrderBehaviour().with_failure(STEP)


def spec() -> ProfileSpec:
    return ProfileSpec(generate_iccid(), size_bytes=2000)


def test_no_armed_failure_is_remembered_until_anything_changes(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    store.create_order(spec())
    assert store.released_failure(STEP) is None
    with statements(store) as seen:
        assert store.released_failure(STEP) is None
    assert seen == ["PRAGMA data_version"]


def test_a_failing_order_created_here_is_seen(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    assert store.released_failure(STEP) is None
    store.create_order(spec(), behaviour=FAILING)
    assert store.released_failure(STEP) == FAILING


def test_a_behaviour_set_here_is_seen_and_cleared(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(spec())
    assert store.released_failure(STEP) is None
    store.set_behaviour(order.matching_id, FAILING)
    assert store.released_failure(STEP) == FAILING
    store.set_behaviour(order.matching_id, OrderBehaviour())
    assert store.released_failure(STEP) is None


def test_a_failure_armed_by_another_connection_is_seen(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    worker = new_store(tmp_path)  # another process of --workers N, or the CLI
    order = store.create_order(spec())
    assert store.released_failure(STEP) is None
    worker.set_behaviour(order.matching_id, FAILING)
    assert store.released_failure(STEP) == FAILING
    other = worker.create_order(spec(), behaviour=FAILING.with_failure(Step.AUTHENTICATE_CLIENT))
    assert store.released_failure(Step.AUTHENTICATE_CLIENT) is not None
    assert other.matching_id


def test_an_armed_order_applies_only_while_released(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    order = store.create_order(spec(), behaviour=FAILING, state=OrderState.CONFIRMED)
    assert store.released_failure(STEP) is None  # armed, not released: asked again next time
    released = release_order(store, order)
    assert released is not None
    assert store.released_failure(STEP) == FAILING
    worker = new_store(tmp_path)
    claimed = worker.claim(released, "89049032123451234512345678901235", "0A" * 16, b"cert")
    assert claimed.state is OrderState.DOWNLOADING
    assert store.released_failure(STEP) is None
    assert store.give_back("0A" * 16, "postponed") is not None  # released here again
    assert store.released_failure(STEP) == FAILING


def test_the_newest_released_failing_order_answers(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    older = OrderBehaviour(latency_seconds=1.0).with_failure(STEP)
    store.create_order(spec(), behaviour=older)
    store.create_order(spec(), behaviour=FAILING, state=OrderState.CONFIRMED)
    assert store.released_failure(STEP) == older
    store.create_order(spec(), behaviour=FAILING)
    assert store.released_failure(STEP) == FAILING
