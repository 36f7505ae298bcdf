"""Which eUICC notifications the SM-DP+ has acted on: replays are recognised, never re-applied.

SGP.22 notifications (§4.5, §5.6.4) carry the eUICC's ``seqNumber``, which the eUICC increases
for every notification it ever issues; the SM-DP+ knows the sender's EID from its certificate.
A notification is admitted once per (EID, seqNumber), only for an order that this EID
downloaded, and only if it was issued after that order's own installation result: a delete
notification recorded for an earlier order of the same ICCID cannot delete a newer one.

Each verdict is one ``BEGIN IMMEDIATE`` transaction in the order store's database; an
installation result, whose only check is its (EID, seqNumber) key, is one conditional INSERT,
made in the same transaction as the order's change when nothing is to happen in between
(:meth:`NotificationLedger.admit_installation`).
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from esim.smdp.orders import Order
    from esim.smdp.store import OrderStore

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notification_ledger (
        eid TEXT NOT NULL,
        seq_number TEXT NOT NULL,
        event TEXT NOT NULL,
        iccid TEXT,
        order_id INTEGER,
        received_at REAL NOT NULL,
        PRIMARY KEY (eid, seq_number)
    )""",
    "CREATE INDEX IF NOT EXISTS ledger_by_order ON notification_ledger (order_id, event)",
)


Changed = TypeVar("Changed")


class Replay(enum.StrEnum):
    """Why a notification is not acted on."""

    DUPLICATE = "duplicate"
    """This EID's notification with this seqNumber was already handled."""
    OTHER_EUICC = "other-euicc"
    """The order was downloaded by another eUICC (or by none)."""
    STALE = "stale"
    """Issued before the installation result of the order it names: it is about an older one."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """:attr:`replay` is None when the notification is admitted (and now recorded)."""

    replay: Replay | None
    detail: str


def _seq_key(seq_number: int) -> str:
    # seqNumber is an unbounded INTEGER on the wire; a fixed-width text key orders and compares
    # like the number for every non-negative value an SQLite INTEGER could not hold either.
    return f"{seq_number:040d}" if 0 <= seq_number < 10**40 else f"x{seq_number}"


class NotificationLedger:
    """The ledger of one order store (see the module docstring)."""

    def __init__(self, store: OrderStore) -> None:
        self._store = store
        with store.transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    def admit_installation(
        self,
        eid: str,
        seq_number: int,
        order: Order,
        change: Callable[[sqlite3.Connection], Changed],
    ) -> tuple[bool, Changed | None]:
        """Record an installation result of ``order`` and make ``change`` (the order's own
        change) in the same transaction: one commit for both, so the result is never
        recorded without its change or the other way round. ``(False, None)`` with nothing
        written when this (EID, seqNumber) was already recorded: :meth:`admit` then says
        which replay it is."""
        with self._store.transaction() as db:
            if not self._insert_if_new(db, eid, _seq_key(seq_number), "install", order):
                return False, None
            return True, change(db)

    def _record_if_new(self, eid: str, key: str, event: str, order: Order | None) -> bool:
        """Record a notification whose only replay check is the (EID, seqNumber) key in one
        statement; False when that key is already there (the caller then says which)."""
        with self._store.single_statement() as db:
            return self._insert_if_new(db, eid, key, event, order)

    def _insert_if_new(
        self, db: sqlite3.Connection, eid: str, key: str, event: str, order: Order | None
    ) -> bool:
        cursor = db.execute(
            "INSERT INTO notification_ledger VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (eid, seq_number) DO NOTHING",
            self._row(eid, key, event, order),
        )
        return cursor.rowcount == 1

    def _row(
        self, eid: str, key: str, event: str, order: Order | None
    ) -> tuple[str, str, str, str | None, int | None, float]:
        """A ledger row: who sent it, its key, what it reported, for which order, when."""
        return (
            eid,
            key,
            event,
            None if order is None else order.iccid,
            None if order is None else order.order_id,
            self._store.clock(),
        )

    def admit(self, eid: str, seq_number: int, event: str, order: Order | None) -> Verdict:
        """Record and admit the notification, or say which replay it is (nothing recorded)."""
        key = _seq_key(seq_number)
        if event == "install" and self._record_if_new(eid, key, event, order):
            return Verdict(None, "admitted")
        with self._store.transaction() as db:
            seen = db.execute(
                "SELECT event FROM notification_ledger WHERE eid = ? AND seq_number = ?",
                (eid, key),
            ).fetchone()
            if seen is not None:
                return Verdict(
                    Replay.DUPLICATE, f"EID {eid} seqNumber {seq_number} ({seen[0]}) was handled"
                )
            if order is not None and event != "install":
                if order.downloaded_by != eid:
                    return Verdict(
                        Replay.OTHER_EUICC,
                        f"order {order.matching_id} was downloaded by "
                        f"{order.downloaded_by or 'no eUICC'}, not EID {eid}",
                    )
                installed = db.execute(
                    "SELECT MAX(seq_number) FROM notification_ledger "
                    "WHERE order_id = ? AND event = 'install'",
                    (order.order_id,),
                ).fetchone()[0]
                if installed is not None and key <= installed:
                    return Verdict(
                        Replay.STALE,
                        f"seqNumber {seq_number} precedes the installation of order "
                        f"{order.matching_id} (seqNumber {installed.lstrip('0') or '0'})",
                    )
            db.execute(
                "INSERT INTO notification_ledger VALUES (?, ?, ?, ?, ?, ?)",
                self._row(eid, key, event, order),
            )
        return Verdict(None, "admitted")
