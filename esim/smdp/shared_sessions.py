"""RSP sessions kept in SQLite beside the order store, for several SM-DP+ processes on one port.

With ``esim smdp serve --workers N`` the kernel hands each new TCP connection to any of the N
processes, and an LPA may open a new connection for every ES9+ call (lpac does), so
authenticateClient can reach another process than the initiateAuthentication before it. The
session therefore lives in ``rsp-sessions.sqlite`` beside the order store (WAL): every process
reads it on each call and writes it when the session advances or ends, one transaction each.
It is a file of its own so that session writes and order writes of different processes never
wait for each other's lock.

What makes a download single-use is not this table but the order store's claim (a conditional
``UPDATE … WHERE state = 'released'`` inside ``BEGIN IMMEDIATE``): two processes that race for
one order cannot both win, whatever their sessions say. Expiry deletes rows in one transaction,
so each expired session is reported by exactly one process.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.serialization import Encoding

from esim.smdp.sessions import (
    MAX_LIVE_SESSIONS,
    TRANSACTION_ID_LENGTH,
    Session,
    SessionState,
    check_state,
    moved_on_elsewhere,
    too_many_sessions,
    unknown_session,
)
from esim.sqlite_transaction import immediate_transaction, open_database

if TYPE_CHECKING:
    from esim.smdp.store import OrderStore

SESSIONS_FILE = "rsp-sessions.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rsp_sessions (
    transaction_id BLOB PRIMARY KEY,
    euicc_challenge BLOB NOT NULL,
    server_challenge BLOB NOT NULL,
    ci_pkid BLOB NOT NULL,
    expires_at REAL NOT NULL,
    state TEXT NOT NULL,
    eid TEXT,
    euicc_certificate BLOB,
    order_id INTEGER,
    matching_id TEXT,
    euicc_signature1 BLOB NOT NULL,
    smdp_signature2 BLOB NOT NULL,
    profile_metadata BLOB NOT NULL,
    claim_held INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rsp_sessions_by_expiry ON rsp_sessions (expires_at);
"""
_COLUMNS = (
    "transaction_id, euicc_challenge, server_challenge, ci_pkid, expires_at, state, eid, "
    "euicc_certificate, order_id, matching_id, euicc_signature1, smdp_signature2, "
    "profile_metadata, claim_held"
)
_PLACES = ", ".join("?" * len(_COLUMNS.split(",")))
_INSERT = f"INSERT INTO rsp_sessions ({_COLUMNS}) VALUES ({_PLACES})"


def sessions_path(store: OrderStore) -> Path:
    """The sessions file beside the store's: its own write lock, so that session writes never
    wait for order writes of another process, nor order writes for them."""
    (_, _, file), *_ = store.read("PRAGMA database_list")
    if not file:
        raise ValueError("shared RSP sessions need a store in a file, not in memory")
    return Path(file).with_name(SESSIONS_FILE)


def _row(session: Session) -> tuple[Any, ...]:
    certificate = session.euicc_certificate
    return (
        session.transaction_id,
        session.euicc_challenge,
        session.server_challenge,
        session.ci_pkid,
        session.expires_at,
        session.state.value,
        session.eid,
        None if certificate is None else certificate.public_bytes(Encoding.DER),
        session.order_id,
        session.matching_id,
        session.euicc_signature1,
        session.smdp_signature2,
        session.profile_metadata,
        int(session.claim_held),
    )


def _session(row: tuple[Any, ...]) -> Session:
    from esim.smdp.verification import parsed_certificate

    (tid, euicc_challenge, server_challenge, ci_pkid, expires_at, state, eid, certificate,
     order_id, matching_id, signature1, signature2, metadata, claim_held) = row  # fmt: skip
    return Session(
        transaction_id=bytes(tid),
        euicc_challenge=bytes(euicc_challenge),
        server_challenge=bytes(server_challenge),
        ci_pkid=bytes(ci_pkid),
        expires_at=expires_at,
        state=SessionState(state),
        eid=eid,
        # written by this SM-DP+ after the certificate passed its checks
        euicc_certificate=None if certificate is None else parsed_certificate(bytes(certificate)),
        order_id=order_id,
        matching_id=matching_id,
        euicc_signature1=bytes(signature1),
        smdp_signature2=bytes(signature2),
        profile_metadata=bytes(metadata),
        claim_held=bool(claim_held),
    )


class SharedSessionTable:
    """:class:`esim.smdp.sessions.RspSessions` in ``rsp-sessions.sqlite`` (module docstring).

    ``Session.extras`` is not shared: it stays in the process that set it.
    """

    def __init__(
        self,
        store: OrderStore,
        clock: Callable[[], float],
        ttl_seconds: float,
        on_expired: Callable[[Session], None] | None = None,
        max_sessions: int = MAX_LIVE_SESSIONS,
    ) -> None:
        self._db = open_database(sessions_path(store))
        self._lock = threading.RLock()
        self._clock = clock
        self._ttl = ttl_seconds
        self._on_expired = on_expired
        self._max_sessions = max_sessions
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db, self._lock)

    def _read(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(query, args).fetchall()

    def __len__(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM rsp_sessions")[0][0])

    def clear(self) -> None:
        """Forget every session (a restart of the whole SM-DP+ ends them, as in memory)."""
        with self._transaction() as db:
            db.execute("DELETE FROM rsp_sessions")

    def create(self, euicc_challenge: bytes, ci_pkid: bytes) -> Session:
        self.expire()
        session = Session(
            transaction_id=os.urandom(TRANSACTION_ID_LENGTH),
            euicc_challenge=euicc_challenge,
            server_challenge=os.urandom(16),
            ci_pkid=ci_pkid,
            expires_at=self._clock() + self._ttl,
        )
        with self._transaction() as db:
            (live,) = db.execute("SELECT COUNT(*) FROM rsp_sessions").fetchone()
            if live >= self._max_sessions:
                raise too_many_sessions(self._max_sessions)
            try:
                db.execute(_INSERT, _row(session))
            except sqlite3.IntegrityError:  # 16 random bytes taken: as good as never
                session.transaction_id = os.urandom(TRANSACTION_ID_LENGTH)
                db.execute(_INSERT, _row(session))
        return session

    def get(self, transaction_id: bytes, *expected: SessionState) -> Session:
        self.expire()
        rows = self._read(
            f"SELECT {_COLUMNS} FROM rsp_sessions WHERE transaction_id = ?", (transaction_id,)
        )
        if not rows:
            raise unknown_session(transaction_id)
        return check_state(_session(rows[0]), expected)

    def advance(self, session: Session, to: SessionState) -> None:
        """Rewrite the row from ``session`` if no other process moved it on since this copy
        was read (the row is still in the copy's state). A copy that lost such a race never
        overwrites the winner: failing is then a no-op (the winner's claim stays with its
        session), and any other step is refused, as in one process."""
        read_as = session.state
        session.state = to
        session.expires_at = self._clock() + self._ttl
        with self._transaction() as db:
            # Only a live row is rewritten: a session another process ended stays ended.
            rewritten = db.execute(
                f"UPDATE rsp_sessions SET ({_COLUMNS}) = ({_PLACES}) "
                "WHERE transaction_id = ? AND state = ?",
                (*_row(session), session.transaction_id, read_as.value),
            ).rowcount
            now = None
            if not rewritten and to is not SessionState.FAILED:
                now = db.execute(
                    "SELECT state FROM rsp_sessions WHERE transaction_id = ?",
                    (session.transaction_id,),
                ).fetchone()
        if now is not None:
            session.state = read_as
            raise moved_on_elsewhere(session, str(now[0]))

    def end(self, session: Session) -> None:
        with self._transaction() as db:
            db.execute(
                "DELETE FROM rsp_sessions WHERE transaction_id = ?", (session.transaction_id,)
            )

    def expire(self) -> list[Session]:
        now = self._clock()
        query = f"SELECT {_COLUMNS} FROM rsp_sessions WHERE expires_at <= ?"
        # Looked at on every call: read without the write lock first, as nearly always
        # nothing has expired; then select and delete in one transaction, so that of several
        # processes expiring at once each session is reported by exactly one.
        if not self._read(query + " LIMIT 1", (now,)):
            return []
        with self._transaction() as db:
            rows = db.execute(query, (now,)).fetchall()
            db.execute("DELETE FROM rsp_sessions WHERE expires_at <= ?", (now,))
        gone = [_session(row) for row in rows]
        for session in gone:
            if self._on_expired is not None:
                self._on_expired(session)
        return gone
