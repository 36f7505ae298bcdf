"""The ES9+ steps of the order store: claiming an order for a session, giving it back,
failing it, counting wrong confirmation codes (the methods of
:class:`esim.smdp.store.OrderStore` of those names call these).

Each step is one transaction as in the rest of the store; a claim whose order is still as the
session read it is one conditional UPDATE, and so is finding and claiming a released order
with the default behaviour by its matching ID (:func:`claim_released_by_matching_id`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from esim.smdp import status
from esim.smdp.behaviours import OrderBehaviour
from esim.smdp.order_rows import (
    ADDRESS_COLUMN,
    DEFAULT_SMDP_ADDRESS,
    ROW_COLUMNS,
    SPEC_COLUMN,
    behaviour_to_json,
    order_from_row,
)
from esim.smdp.orders import Order, OrderState, download_refusal
from esim.smdp.status import Es9Error

if TYPE_CHECKING:
    from esim.smdp.store import OrderStore

# A claim binds a released order to one session; both the one-statement path and the
# transaction's path write it, the first with more conditions (the row still as it was read).
_CLAIM = (
    "UPDATE orders SET state = ?, transaction_id = ?, downloaded_by = ?,"
    " euicc_certificate = ?, updated_at = ? WHERE order_id = ? AND state = ?"
)


_DEFAULT_BEHAVIOUR = OrderBehaviour()


def claim_released_by_matching_id(
    store: OrderStore, matching_id: str, eid: str, transaction_id: str, euicc_certificate: bytes
) -> Order | None:
    """Find and claim the order of ``matching_id`` in one statement when nothing about it can
    refuse or delay the claim: released, the default behaviour (released now, never expires,
    no injected failure or latency), not bound to another EID, confirmation-code attempts
    left. Then :func:`esim.smdp.orders.download_refusal` is None for it, as
    :func:`claim_order` would find. None when any of that does not hold (or no such order):
    the caller then finds the order, applies its behaviour and claims it the long way, which
    decides (and refuses) exactly as before."""
    now = store._stamp()
    with store._lock:
        rows = store._db.execute(
            "UPDATE orders SET state = ?, transaction_id = ?, downloaded_by = ?,"
            " euicc_certificate = ?, updated_at = ? WHERE matching_id = ? AND state = ?"
            " AND behaviour = ? AND (eid IS NULL OR eid = ?) AND cc_failures < ?"
            f" RETURNING {ROW_COLUMNS}, {ADDRESS_COLUMN}, {SPEC_COLUMN}",
            (
                OrderState.DOWNLOADING.value,
                transaction_id,
                eid,
                euicc_certificate,
                now,
                matching_id,
                OrderState.RELEASED.value,
                behaviour_to_json(_DEFAULT_BEHAVIOUR),
                eid,
                _DEFAULT_BEHAVIOUR.confirmation_code_attempts,
            ),
        ).fetchall()
        if not rows:
            return None
        row = rows[0]
        spec = store._specs.from_text(row[0], row[1], row[-1])
    claimed = order_from_row(row[:-2], row[-2] or DEFAULT_SMDP_ADDRESS, spec)
    store.emit("download-started", claimed, transaction_id=transaction_id)
    return claimed


def claim_order(
    store: OrderStore, order: Order, eid: str, transaction_id: str, euicc_certificate: bytes
) -> Order:
    """Bind ``order`` to one session, single-use; raise :class:`Es9Error` per §2.4."""
    now = store._stamp()
    if download_refusal(order, eid, now) is None:
        unchanged = _claim_unchanged(store, order, eid, transaction_id, euicc_certificate, now)
        if unchanged is not None:
            store.emit("download-started", unchanged, transaction_id=transaction_id)
            return unchanged
    refusal: Es9Error | None = None
    with store._transaction() as db:
        row = db.execute(
            f"SELECT {ROW_COLUMNS} FROM orders WHERE order_id = ?", (order.order_id,)
        ).fetchone()
        current = store._order(row, DEFAULT_SMDP_ADDRESS)
        refusal = download_refusal(current, eid, now)
        if refusal is not None and refusal.code == status.ORDER_EXPIRED:
            store._update(db, current.order_id, state=OrderState.EXPIRED.value)
        elif refusal is None:
            claimed = db.execute(
                f"{_CLAIM} RETURNING {ROW_COLUMNS}, {ADDRESS_COLUMN}",
                (
                    OrderState.DOWNLOADING.value,
                    transaction_id,
                    eid,
                    euicc_certificate,
                    now,
                    current.order_id,
                    OrderState.RELEASED.value,
                ),
            ).fetchall()
            if len(claimed) != 1:  # unreachable under BEGIN IMMEDIATE; kept as a guard
                refusal = Es9Error(
                    status.MATCHING_ID_CONFLICT, "order.claimed", "claimed concurrently"
                )
    if refusal is None:
        changed = store._order(claimed[0][:-1], claimed[0][-1] or DEFAULT_SMDP_ADDRESS)
    else:
        found = store.get(order.matching_id)
        assert found is not None
        changed = found
    if refusal is not None:
        if refusal.code == status.ORDER_EXPIRED and current.state != OrderState.EXPIRED:
            store.emit("expired", changed)
        raise refusal
    store.emit("download-started", changed, transaction_id=transaction_id)
    return changed


def _claim_unchanged(
    store: OrderStore,
    order: Order,
    eid: str,
    transaction_id: str,
    euicc_certificate: bytes,
    now: float,
) -> Order | None:
    """The claim in one statement when the row still holds everything ``order`` was read
    with (state, EID, behaviour, confirmation-code failures, last change): the refusal
    checked on ``order`` then holds for the row. None when anything differs; the caller
    then decides again from the row in a transaction."""
    with store._lock:
        rows = store._db.execute(
            f"{_CLAIM} AND updated_at = ? AND eid IS ? AND cc_failures = ? AND behaviour = ?"
            f" RETURNING {ROW_COLUMNS}, {ADDRESS_COLUMN}",
            (
                OrderState.DOWNLOADING.value,
                transaction_id,
                eid,
                euicc_certificate,
                now,
                order.order_id,
                OrderState.RELEASED.value,
                order.updated_at,
                order.eid,
                order.confirmation_code_failures,
                behaviour_to_json(order.behaviour),
            ),
        ).fetchall()
    if not rows:
        return None
    return store._order(rows[0][:-1], rows[0][-1] or DEFAULT_SMDP_ADDRESS)


def give_back_claim(store: OrderStore, transaction_id: str, reason: str) -> Order | None:
    """Return a session's claim: the order is ``released`` again for a new attempt."""
    order = store.get_by_transaction(transaction_id)
    if order is None:
        return None
    return store.transition(
        order,
        {OrderState.DOWNLOADING},
        OrderState.RELEASED,
        "download-abandoned",
        transaction_id=None,
        downloaded_by=None,
        euicc_certificate=None,
        last_error=reason,
    )


def fail_claim(store: OrderStore, transaction_id: str, reason: str) -> Order | None:
    """End a session's order as ``failed`` (terminal)."""
    order = store.get_by_transaction(transaction_id)
    if order is None:
        return None
    return store.transition(
        order,
        {OrderState.DOWNLOADING, OrderState.DOWNLOADED},
        OrderState.FAILED,
        "failed",
        last_error=reason,
    )


def count_wrong_confirmation_code(store: OrderStore, order: Order) -> Order:
    """Count a wrong code; give the claim back, or fail the order once the limit is hit."""
    with store._transaction() as db:
        db.execute(
            "UPDATE orders SET cc_failures = cc_failures + 1 WHERE order_id = ?",
            (order.order_id,),
        )
        failures = db.execute(
            "SELECT cc_failures FROM orders WHERE order_id = ?", (order.order_id,)
        ).fetchone()[0]
        exhausted = failures >= order.behaviour.confirmation_code_attempts
        store._update(
            db,
            order.order_id,
            state=(OrderState.FAILED if exhausted else OrderState.RELEASED).value,
            transaction_id=order.transaction_id if exhausted else None,
            downloaded_by=order.downloaded_by if exhausted else None,
            last_error="wrong confirmation code",
        )
    changed = store.get(order.matching_id)
    assert changed is not None
    store.emit("confirmation-code-refused", changed, failures=failures, exhausted=exhausted)
    return changed
