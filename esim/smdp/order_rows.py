"""The ``orders`` table of the SM-DP+'s store: its schema and how one row becomes an Order.

A row's spec and behaviour are JSON text; the same text always gives the same immutable value,
so the last few are kept parsed (every order read used to rebuild them, and a brought profile
package is checked again whenever its spec is built).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import OrderedDict
from contextlib import AbstractContextManager
from typing import Any

from esim.smdp.behaviours import OrderBehaviour
from esim.smdp.orders import Order, OrderState
from esim.smdp.profile_package import ProfileSpec

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id INTEGER PRIMARY KEY AUTOINCREMENT,
    matching_id TEXT NOT NULL UNIQUE,
    iccid TEXT NOT NULL,
    state TEXT NOT NULL,
    spec TEXT NOT NULL,
    eid TEXT,
    cc_hash BLOB,
    behaviour TEXT NOT NULL,
    fail_at TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    transaction_id TEXT,
    downloaded_by TEXT,
    euicc_certificate BLOB,
    cc_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS orders_by_iccid ON orders (iccid);
CREATE INDEX IF NOT EXISTS orders_by_transaction ON orders (transaction_id);
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state, updated_at);
CREATE INDEX IF NOT EXISTS orders_by_injected_failure ON orders (fail_at, state);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS order_specs (order_id INTEGER PRIMARY KEY, spec TEXT NOT NULL);
"""
# A spec is written once and never changes, while the order's row changes at every step of a
# download: in the row, a brought package's 25 KB of spec made every UPDATE rewrite its overflow
# pages (~0.1 ms and 30 KB of WAL each). New orders keep it in order_specs; orders.spec is ''
# for them and holds the spec of orders created before that table existed.


_CACHED_SPEC_TEXT = 4096
"""Specs up to this size of stored text (generated profiles) are also kept by their text.
A brought package's spec (~25 KB of text for TS.48) is unique to its order and read once per
order through :class:`SpecCache`: hashing its text for a cache it never hits cost ~25 µs."""


@functools.lru_cache(maxsize=64)
def _cached_spec(text: str) -> ProfileSpec:
    return ProfileSpec.from_dict(json.loads(text))


def spec_from_json(text: str) -> ProfileSpec:
    # The same stored text always gives the same immutable spec, so small ones are built once
    # (a brought package is re-checked on construction; SpecCache reads it once per order).
    if len(text) > _CACHED_SPEC_TEXT:
        return ProfileSpec.from_dict(json.loads(text))
    return _cached_spec(text)


@functools.lru_cache(maxsize=256)
def _behaviour_from_json(text: str) -> OrderBehaviour:
    return OrderBehaviour.from_json(text)


def behaviour_from_json(text: str) -> OrderBehaviour:
    """The behaviour stored as ``text`` (the last few hundred are kept parsed)."""
    return _behaviour_from_json(text)


@functools.lru_cache(maxsize=256)
def behaviour_to_json(behaviour: OrderBehaviour) -> str:
    """The text a behaviour is stored as (immutable values: the last few hundred are kept)."""
    return behaviour.to_json()


DEFAULT_SMDP_ADDRESS = "smdp.mobileplans.test"
ADDRESS_COLUMN = "(SELECT value FROM settings WHERE key = 'smdp_address')"
"""The current SM-DP+ address, read in the same statement as an order (activation codes)."""

ROW_COLUMNS = (
    "order_id, matching_id, iccid, state, NULL, eid, cc_hash, behaviour, fail_at, created_at,"
    " updated_at, transaction_id, downloaded_by, NULL, cc_failures, last_error"
)
"""The columns of ``orders`` in ``SELECT *`` order with the spec and the eUICC certificate left
out (NULL): a brought package's spec is ~25 KB of text that every read copied, hashed and
parsed; a store reads it once per order (a spec never changes after the order is created)."""


SPEC_COLUMN = (
    "COALESCE((SELECT spec FROM order_specs WHERE order_specs.order_id = orders.order_id),"
    " orders.spec)"
)
"""An order's spec text, from order_specs or, for orders of older stores, its own row."""


def order_from_row(
    row: sqlite3.Row | tuple[Any, ...], address: str, spec: ProfileSpec | None = None
) -> Order:
    """The :class:`Order` of one ``SELECT *`` row of ``orders`` (or a :data:`ROW_COLUMNS` row
    and its ``spec``)."""
    (oid, mid, _iccid, state, spec_text, eid, cc_hash, behaviour, _fail_at, created, updated,
     tid, downloaded_by, _cert, cc_failures, last_error) = row  # fmt: skip
    return Order(
        order_id=oid,
        matching_id=mid,
        state=OrderState(state),
        spec=spec_from_json(spec_text) if spec is None else spec,
        eid=eid,
        confirmation_code_required=cc_hash is not None,
        behaviour=_behaviour_from_json(behaviour),
        smdp_address=address,
        created_at=created,
        updated_at=updated,
        transaction_id=tid,
        downloaded_by=downloaded_by,
        confirmation_code_failures=cc_failures,
        last_error=last_error,
    )


class SpecCache:
    """The spec of each order, read and parsed once per store (a spec never changes), keyed
    with the matching ID too, so a store file replaced underneath cannot hand out another
    order's spec."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._specs: OrderedDict[tuple[int, str], ProfileSpec] = OrderedDict()

    def get(
        self,
        db: sqlite3.Connection,
        lock: AbstractContextManager[Any],
        order_id: int,
        matching_id: str,
    ) -> ProfileSpec:
        key = (order_id, matching_id)
        spec = self._specs.get(key)  # one dict lookup is atomic; the lock is for filling it
        if spec is not None:
            return spec
        with lock:
            spec = self._specs.get(key)
            if spec is None:
                # Orders of stores made before order_specs keep their spec in their own row.
                (text,) = db.execute(
                    f"SELECT {SPEC_COLUMN} FROM orders WHERE order_id = ?", (order_id,)
                ).fetchone()
                spec = self._keep(key, spec_from_json(text))
            return spec

    def from_text(self, order_id: int, matching_id: str, text: str) -> ProfileSpec:
        """The spec of an order whose stored ``text`` came with its row (parsed once)."""
        key = (order_id, matching_id)
        spec = self._specs.get(key)
        return spec if spec is not None else self._keep(key, spec_from_json(text))

    def _keep(self, key: tuple[int, str], spec: ProfileSpec) -> ProfileSpec:
        self._specs[key] = spec
        if len(self._specs) > self._capacity:
            self._specs.popitem(last=False)
        return spec
