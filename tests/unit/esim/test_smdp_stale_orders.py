"""release_stale_orders looks at the store only when something can have turned stale: the answers
are those of a look every time, whatever the order of clock moves, claims and looks."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from esim.smdp import OrderStore, ProfileSpec, generate_iccid
from esim.smdp.expiry import release_stale_orders
from esim.smdp.orders import OrderState

TTL = 300.0
EID = "89049032123451234512345678901235"

# (move the clock by seconds, claim a new order?) per step; moves go backwards too
steps = st.lists(
    st.tuples(
        st.sampled_from([-400.0, -50.0, 0.0, 0.5, 1.0, 60.0, 150.0, 299.5, 300.0, 301.0]),
        st.booleans(),
    ),
    min_size=1,
    max_size=16,
)


def _released_per_step(folder: Path, plan: list[tuple[float, bool]], skip: bool) -> list[list[int]]:
    """Which claims (by their step) each step's look released; ``skip=False`` forgets what the
    last look learnt, so every step looks at the store (the reference)."""
    now = [1000.0]
    store = OrderStore.open(folder / f"orders-{skip}.sqlite", clock=lambda: now[0])
    claimed: dict[str, int] = {}
    released: list[list[int]] = []
    try:
        for step, (move, claim) in enumerate(plan):
            now[0] += move
            if claim:
                order = store.create_order(ProfileSpec(generate_iccid()))
                store.claim(order, EID, f"{step:032X}", b"")
                claimed[order.matching_id] = step
            if not skip:
                store.stale_orders_floor = None
            orders = release_stale_orders(store, TTL)
            released.append(sorted(claimed[order.matching_id] for order in orders))
        return released
    finally:
        store.close()


@settings(max_examples=40, deadline=None)
@given(plan=steps)
def test_skipped_looks_release_the_same_orders_at_the_same_steps(
    plan: list[tuple[float, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        reference = _released_per_step(Path(scratch), plan, skip=False)
        assert _released_per_step(Path(scratch), plan, skip=True) == reference


def test_an_order_claimed_elsewhere_is_released_on_time(tmp_path: Path) -> None:
    now = [1000.0]
    store = OrderStore.open(tmp_path / "orders.sqlite", clock=lambda: now[0])
    other = OrderStore.open(tmp_path / "orders.sqlite", clock=lambda: now[0])  # another worker
    try:
        assert release_stale_orders(store, TTL) == []  # nothing in flight: no look for a while
        now[0] += 100
        order = other.create_order(ProfileSpec(generate_iccid()))
        other.claim(order, EID, "AB" * 16, b"")
        now[0] += TTL - 1
        assert release_stale_orders(store, TTL) == []
        now[0] += 1
        (released,) = release_stale_orders(store, TTL)
        assert (released.matching_id, released.state) == (order.matching_id, OrderState.RELEASED)
    finally:
        store.close()
        other.close()
