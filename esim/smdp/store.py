"""SQLite store of download orders (stdlib ``sqlite3``, WAL, one transaction per operation).

Every method is one ``BEGIN IMMEDIATE`` transaction, so a crash leaves the store consistent and
state changes are serialised even across processes. The single-use claim of a matching ID is a
conditional ``UPDATE … WHERE state = 'released'``: of any number of racing sessions exactly
one gets the order (SGP.22 §3.1.3.7, DESIGN.md §3).

Clock values (``created_at``, behaviour times) come from the injected clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from esim.smdp import store_downloads as downloads
from esim.smdp.armed_failures import ArmedFailures
from esim.smdp.behaviours import OrderBehaviour, Step
from esim.smdp.order_rows import (
    ADDRESS_COLUMN as _ADDRESS,
)
from esim.smdp.order_rows import (
    DEFAULT_SMDP_ADDRESS,
    ROW_COLUMNS,
    SCHEMA,
    SpecCache,
    behaviour_from_json,
    order_from_row,
)
from esim.smdp.orders import (
    FINAL_STATES,
    Order,
    OrderState,
    new_matching_id,
)
from esim.smdp.profile_package import ProfileSpec
from esim.sqlite_transaction import immediate_transaction, open_database

_LOG = logging.getLogger(__name__)
Listener = Callable[[str, dict[str, Any]], None]
_SPEC_ORDER = "SGP.22 §6.5.2.7 (order checks)"


class StoreError(ValueError):
    """An order operation the life cycle does not allow (rule, message, spec)."""

    def __init__(self, rule: str, message: str, spec: str = _SPEC_ORDER) -> None:
        super().__init__(f"{rule}: {message} ({spec})")
        self.rule = rule
        self.message = message
        self.spec = spec


def confirmation_code_digest(confirmation_code: str) -> bytes:
    """SHA256(CC): all the SM-DP+ keeps, enough to check hashCc (SGP.22 confirmation code)."""
    return hashlib.sha256(confirmation_code.encode("utf-8")).digest()


class OrderStore:
    """Orders in one SQLite file; see the module docstring. Thread-safe."""

    def __init__(self, connection: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self.clock = clock
        self._specs = SpecCache()
        self._armed_failures = ArmedFailures()
        self.stale_orders_checked_at = 0.0
        self.stale_orders_floor: float | None = None
        """What :func:`esim.smdp.expiry.release_stale_orders` learnt at its last look (None:
        look next time)."""

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        smdp_address: str | None = None,
    ) -> OrderStore:
        """Open or create the store (WAL); ``smdp_address`` is saved for activation codes."""
        connection = open_database(path)
        connection.executescript(SCHEMA)
        store = cls(connection, clock)
        if smdp_address is not None:
            store.set_smdp_address(smdp_address)
        return store

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing -----------------------------------------------------------------------

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db, self._lock)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, for companion tables (the notification ledger)."""
        return self._transaction()

    @contextmanager
    def single_statement(self) -> Iterator[sqlite3.Connection]:
        """The connection under the store's lock for one statement, which is its own
        transaction (autocommit): a conditional write needs no BEGIN … COMMIT around it."""
        with self._lock:
            yield self._db

    def read(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read-only ``query`` (no write lock; WAL readers see a snapshot)."""
        with self._lock:
            return self._db.execute(query, args).fetchall()

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener("smdp.order", fields)`` on every order event."""
        self._listeners.append(listener)

    def emit(self, action: str, order: Order | None, **fields: Any) -> None:
        """Tell the listeners; a failing listener is logged, never raised into a request."""
        if not self._listeners:
            return
        payload: dict[str, Any] = {"action": action}
        if order is not None:
            payload.update(order.describe())
        payload.update(fields)
        for listener in list(self._listeners):
            try:
                listener("smdp.order", payload)
            except Exception:
                _LOG.exception("an smdp.order listener failed")

    def set_smdp_address(self, address: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('smdp_address', ?)",
                (address,),
            )

    @property
    def smdp_address(self) -> str:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM settings WHERE key = 'smdp_address'"
            ).fetchone()
        return DEFAULT_SMDP_ADDRESS if row is None else str(row[0])

    def _stamp(self) -> float:
        """The clock for an order's ``updated_at``; a time before what the last stale-order look
        learnt (a clock set back) lowers it, so that look is not trusted past this order."""
        now = self.clock()
        floor = self.stale_orders_floor
        if floor is not None and now < floor:
            self.stale_orders_floor = now
        return now

    def _order(self, row: sqlite3.Row | tuple[Any, ...], address: str) -> Order:
        return order_from_row(row, address, self._specs.get(self._db, self._lock, row[0], row[1]))

    def _select(self, where: str, args: tuple[Any, ...], last: str = "") -> list[Order]:
        # The address comes along in the same statement: activation codes use the current one.
        with self._lock:
            rows = self._db.execute(
                f"SELECT {ROW_COLUMNS}, {_ADDRESS} FROM orders WHERE {where}"
                f" ORDER BY order_id {last}",
                args,
            ).fetchall()
        return [self._order(row[:-1], row[-1] or DEFAULT_SMDP_ADDRESS) for row in rows]

    def _one(self, where: str, args: tuple[Any, ...]) -> Order | None:
        """The newest matching order (an ICCID ordered again and again keeps its old rows)."""
        found = self._select(where, args, "DESC LIMIT 1")
        return found[0] if found else None

    def _update(self, db: sqlite3.Connection, order_id: int, **fields: Any) -> None:
        fields["updated_at"] = self._stamp()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        db.execute(
            f"UPDATE orders SET {assignments} WHERE order_id = ?", (*fields.values(), order_id)
        )

    # -- reading ------------------------------------------------------------------------

    def orders(self) -> list[Order]:
        """Every order, oldest first."""
        return self._select("1", ())

    def get(self, matching_id: str) -> Order | None:
        return self._one("matching_id = ?", (matching_id,))

    def get_by_iccid(self, iccid: str) -> Order | None:
        """The newest order for ``iccid``."""
        return self._one("iccid = ?", (iccid,))

    def get_by_transaction(self, transaction_id: str) -> Order | None:
        return self._one("transaction_id = ?", (transaction_id.upper(),))

    def get_by_transaction_with_certificate(
        self, transaction_id: str
    ) -> tuple[Order, bytes | None] | None:
        """The newest order of a transaction and the CERT.EUICC (DER) that claimed it, read
        in one statement (an installation result needs both)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {ROW_COLUMNS}, {_ADDRESS}, euicc_certificate FROM orders"
                " WHERE transaction_id = ? ORDER BY order_id DESC LIMIT 1",
                (transaction_id.upper(),),
            ).fetchone()
        if row is None:
            return None
        order = self._order(row[:-2], row[-2] or DEFAULT_SMDP_ADDRESS)
        return order, None if row[-1] is None else bytes(row[-1])

    def euicc_certificate(self, order_id: int) -> bytes | None:
        """CERT.EUICC (DER) of the eUICC that claimed the order."""
        with self._lock:
            row = self._db.execute(
                "SELECT euicc_certificate FROM orders WHERE order_id = ?", (order_id,)
            ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def confirmation_code_digest(self, order_id: int) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT cc_hash FROM orders WHERE order_id = ?", (order_id,)
            ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def released_failure(self, step: Step) -> OrderBehaviour | None:
        """The behaviour of a released order failing at ``step`` (initiateAuthentication)."""
        # Asked on every initiateAuthentication: the behaviour alone, not a whole order.
        with self._lock:
            text = self._armed_failures.released_failure(self._db, step)
        return None if text is None else behaviour_from_json(text)

    def find_for_download(self, matching_id: str | None, eid: str) -> Order | None:
        """The order an authenticateClient names: by matching ID, or the oldest released order
        bound to ``eid`` when the matching ID is empty (default SM-DP+ flow, §3.5 step 3)."""
        if matching_id:
            return self.get(matching_id)
        found = self._select("eid = ? AND state = ?", (eid, OrderState.RELEASED.value))
        return found[0] if found else None

    # -- creating and changing ------------------------------------------------------------

    def create_order(
        self,
        spec: ProfileSpec,
        eid: str | None = None,
        confirmation_code: str | None = None,
        behaviour: OrderBehaviour | None = None,
        *,
        state: OrderState = OrderState.RELEASED,
        matching_id: str | None = None,
    ) -> Order:
        """A new order for ``spec`` (released unless ``state`` says otherwise).

        Raises :class:`StoreError` when the ICCID already has an order that is not final or the
        matching ID is taken.
        """
        behaviour = behaviour or OrderBehaviour()
        if eid is not None:
            from esim.identifiers import Eid

            eid = Eid.parse(eid).digits
        if confirmation_code is not None and not confirmation_code:
            raise StoreError("order.confirmation-code-empty", "a confirmation code is not empty")
        now = self._stamp()
        with self._transaction() as db:
            if behaviour.fail_at is not None:
                self._armed_failures.forget()
            self._require_iccid_free(db, spec.iccid)
            mid = matching_id or new_matching_id()
            if db.execute("SELECT 1 FROM orders WHERE matching_id = ?", (mid,)).fetchone():
                raise StoreError("order.matching-id-taken", f"matching ID {mid} is in use")
            cursor = db.execute(
                "INSERT INTO orders (matching_id, iccid, state, spec, eid, cc_hash, behaviour,"
                " fail_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    mid,
                    spec.iccid,
                    state.value,
                    "",  # the spec lives in order_specs (see order_rows.SCHEMA)
                    eid,
                    None
                    if confirmation_code is None
                    else confirmation_code_digest(confirmation_code),
                    behaviour.to_json(),
                    None if behaviour.fail_at is None else behaviour.fail_at.value,
                    now,
                    now,
                ),
            )
            order_id = cursor.lastrowid
            db.execute(
                "INSERT INTO order_specs (order_id, spec) VALUES (?, ?)",
                (order_id, json.dumps(spec.to_dict())),
            )
        order = self._one("order_id = ?", (order_id,))
        assert order is not None
        self.emit("created", order)
        return order

    def _require_iccid_free(self, db: sqlite3.Connection, iccid: str) -> None:
        for (state,) in db.execute("SELECT state FROM orders WHERE iccid = ?", (iccid,)):
            if OrderState(state) not in FINAL_STATES:
                raise StoreError(
                    "order.iccid-in-use", f"ICCID {iccid} already has an order in state {state}"
                )

    def set_behaviour(self, matching_id: str, behaviour: OrderBehaviour) -> Order:
        """Replace the behaviour of an order; raises :class:`StoreError` if unknown."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT order_id FROM orders WHERE matching_id = ?", (matching_id,)
            ).fetchone()
            if row is None:
                raise StoreError("order.unknown", f"no order has matching ID {matching_id}")
            fail_at = None if behaviour.fail_at is None else behaviour.fail_at.value
            self._armed_failures.forget()
            self._update(db, row[0], behaviour=behaviour.to_json(), fail_at=fail_at)
        order = self.get(matching_id)
        assert order is not None
        return order

    def transition(
        self,
        order: Order,
        allowed: frozenset[OrderState] | set[OrderState],
        to: OrderState,
        action: str,
        **fields: Any,
    ) -> Order | None:
        """Move ``order`` to ``to`` if it is still in one of ``allowed``; None otherwise."""
        # One conditional UPDATE … RETURNING (its own transaction in autocommit mode): the state
        # check, the change and the read-back in one statement instead of five.
        with self._lock:
            changed = self.transition_in(self._db, order, allowed, to, **fields)
        if changed is not None:
            self.emit(action, changed)
        return changed

    def transition_in(
        self,
        db: sqlite3.Connection,
        order: Order,
        allowed: frozenset[OrderState] | set[OrderState],
        to: OrderState,
        **fields: Any,
    ) -> Order | None:
        """:meth:`transition` as one statement of the caller's transaction on ``db`` (under
        the store's lock), without its event: the caller emits it once that has committed."""
        fields["state"] = to.value
        fields["updated_at"] = self._stamp()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        states = [state.value for state in allowed]
        rows = db.execute(
            f"UPDATE orders SET {assignments} WHERE order_id = ? AND state IN "
            f"({', '.join('?' * len(states))}) RETURNING {ROW_COLUMNS}, {_ADDRESS}",
            (*fields.values(), order.order_id, *states),
        ).fetchall()
        if not rows:
            return None
        return self._order(rows[0][:-1], rows[0][-1] or DEFAULT_SMDP_ADDRESS)

    # -- the download (ES9+): esim.smdp.store_downloads -------------------------------------

    def claim(self, order: Order, eid: str, transaction_id: str, euicc_certificate: bytes) -> Order:
        """Bind ``order`` to one session, single-use; raise :class:`Es9Error` per §2.4."""
        return downloads.claim_order(self, order, eid, transaction_id, euicc_certificate)

    def claim_released(
        self, matching_id: str, eid: str, transaction_id: str, euicc_certificate: bytes
    ) -> Order | None:
        """Find and claim a released order with the default behaviour in one statement; None
        when anything could refuse or delay it (then find, apply and :meth:`claim`)."""
        return downloads.claim_released_by_matching_id(
            self, matching_id, eid, transaction_id, euicc_certificate
        )

    def give_back(self, transaction_id: str, reason: str) -> Order | None:
        """Return a session's claim: the order is ``released`` again for a new attempt."""
        return downloads.give_back_claim(self, transaction_id, reason)

    def fail(self, transaction_id: str, reason: str) -> Order | None:
        """End a session's order as ``failed`` (terminal)."""
        return downloads.fail_claim(self, transaction_id, reason)

    def record_wrong_confirmation_code(self, order: Order) -> Order:
        """Count a wrong code; give the claim back, or fail the order once the limit is hit."""
        return downloads.count_wrong_confirmation_code(self, order)
