"""Orders left mid-download are released again once their session can no longer continue.

An LPA that dies after getBoundProfilePackage never sends the installation result, so its
order would stay ``downloaded`` (or ``downloading``) for good and every retry would be refused.
SGP.22 binds a BPP to one RSP session: once that session has expired, nothing can install
the old BPP through this SM-DP+, and the order may be downloaded again with a fresh session
(SGP.22 §3.1.3 "download retry"). :func:`release_stale_orders` does that on the injected clock:
an order still in flight ``ttl`` seconds after its last step goes back to ``released`` with an
``smdp.order`` event (action ``session-expired``) saying why. It is run whenever orders are
looked up, so it also recovers orders whose sessions were lost in an SM-DP+ restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from esim.smdp.orders import Order, OrderState

if TYPE_CHECKING:
    from esim.smdp.store import OrderStore

IN_FLIGHT = (OrderState.DOWNLOADING.value, OrderState.DOWNLOADED.value)
RELEASABLE = frozenset(
    {OrderState.CONFIRMED, OrderState.FAILED, OrderState.DOWNLOADING, OrderState.DOWNLOADED}
)
"""What the operator may release (again): a confirmed order, a failed download, and one stuck
mid-download (an LPA that died): its session can then no longer fetch or install anything,
since the order leaves it."""


def release_order(store: OrderStore, order: Order) -> Order | None:
    """The operator's release (ES2+ releaseProfile, ``esim smdp release``); None if not allowed."""
    fields: dict[str, object] = {}
    if order.state.value in IN_FLIGHT:
        fields["last_error"] = f"released again by the operator while {order.state}"
    return store.transition(
        order,
        RELEASABLE,
        OrderState.RELEASED,
        "released",
        transaction_id=None,
        downloaded_by=None,
        euicc_certificate=None,
        cc_failures=0,
        **fields,
    )


def release_stale_orders(store: OrderStore, ttl_seconds: float) -> list[Order]:
    """Release every order in flight for ``ttl_seconds`` or more; return them (as released)."""
    now = store.clock()
    # Nothing can turn stale while the oldest order in flight at the last look (or the time of
    # that look: an order entering flight later is younger; the store lowers this floor if its
    # clock was set back) is younger than the TTL, so the lookup before every
    # authenticateClient is skipped until then (and made again if the clock went back).
    floor = store.stale_orders_floor
    if floor is not None and store.stale_orders_checked_at <= now and floor > now - ttl_seconds:
        return []
    deadline = now - ttl_seconds
    query = (
        "SELECT matching_id, state, transaction_id FROM orders "
        "WHERE state IN (?, ?) AND updated_at <= ?"
    )
    # Without the write lock first (nearly always nothing is stale); it is taken only to
    # release what was found, re-checked in the UPDATE.
    oldest = store.read("SELECT MIN(updated_at) FROM orders WHERE state IN (?, ?)", IN_FLIGHT)
    store.stale_orders_checked_at = now
    store.stale_orders_floor = now if oldest[0][0] is None else min(oldest[0][0], now)
    if oldest[0][0] is None or oldest[0][0] > deadline:
        return []
    store.stale_orders_floor = None  # releasing changes the oldest: look again next time
    with store.transaction() as db:
        rows = db.execute(query, (*IN_FLIGHT, deadline)).fetchall()
        for matching_id, state, _ in rows:
            db.execute(
                "UPDATE orders SET state = ?, transaction_id = NULL, downloaded_by = NULL, "
                "euicc_certificate = NULL, last_error = ?, updated_at = ? "
                "WHERE matching_id = ? AND state = ? AND updated_at <= ?",
                (
                    OrderState.RELEASED.value,
                    f"the RSP session expired while the order was {state}, with no "
                    "installation result: released for a new download",
                    now,
                    matching_id,
                    state,
                    deadline,
                ),
            )
    released: list[Order] = []
    for matching_id, state, transaction_id in rows:
        order = store.get(matching_id)
        if order is None:
            continue
        store.emit(
            "session-expired",
            order,
            previous_state=state,
            expired_transaction_id=transaction_id,
            after_seconds=ttl_seconds,
        )
        released.append(order)
    return released
