"""RSP sessions of the SM-DP+: transaction IDs, the per-session state machine, expiry.

A session is created by initiateAuthentication and identified by its transactionId (16 random
bytes, sent as upper-case hex.5). It moves strictly forward::

    initiated ─authenticateClient→ authenticated ─getBoundProfilePackage→ bpp-delivered

and ends with handleNotification (install result), cancelSession, a refusal, or expiry after
``ttl`` seconds of the injected clock. A function called in the wrong state, or with an unknown
or expired transactionId, is 8.10.1/3.9. Sessions live in memory, as osmo-smdpp's
``--in-memory`` store (§3.9): an SM-DP+ restart ends them, while orders persist in SQLite.
Several processes serving one port share theirs in SQLite instead
(:mod:`esim.smdp.shared_sessions`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from cryptography import x509

from esim.smdp.status import BUSY, UNKNOWN_TRANSACTION, Es9Error

_SPEC = "SGP.22 §5.6 (RSP session), §2.4 8.10.1/3.9"
TRANSACTION_ID_LENGTH = 16
MAX_LIVE_SESSIONS = 10_000
"""Sessions held at once (each a few hundred bytes until it ends or expires)."""


class SessionState(StrEnum):
    INITIATED = "initiated"
    AUTHENTICATED = "authenticated"
    BPP_DELIVERED = "bpp-delivered"
    FAILED = "failed"
    """An ES9+ call of the session failed: only CancelSession is accepted until it expires."""


@dataclass(slots=True)
class Session:
    """What the SM-DP+ remembers between the ES9+ calls of one download."""

    transaction_id: bytes
    euicc_challenge: bytes
    server_challenge: bytes
    ci_pkid: bytes
    expires_at: float
    state: SessionState = SessionState.INITIATED
    # set by authenticateClient
    eid: str | None = None
    euicc_certificate: x509.Certificate | None = None
    order_id: int | None = None
    matching_id: str | None = None
    euicc_signature1: bytes = b""
    smdp_signature2: bytes = b""
    profile_metadata: bytes = b""
    claim_held: bool = False
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def transaction_hex(self) -> str:
        return self.transaction_id.hex().upper()


class RspSessions(Protocol):
    """Where the SM-DP+ keeps its live sessions: :class:`SessionTable` (this process's memory)
    or :class:`esim.smdp.shared_sessions.SharedSessionTable` (SQLite beside the store, for
    several processes serving one port).

    A handler changes a :class:`Session`'s fields and then calls :meth:`advance` or
    :meth:`end`; those calls are what a shared table writes.
    """

    def __len__(self) -> int: ...

    def create(self, euicc_challenge: bytes, ci_pkid: bytes) -> Session:
        """A new session with a fresh transactionId and serverChallenge; refused as busy when
        too many are live."""
        ...

    def get(self, transaction_id: bytes, *expected: SessionState) -> Session:
        """The live session in one of ``expected`` states (any when none given); else
        8.10.1/3.9."""
        ...

    def advance(self, session: Session, to: SessionState) -> None:
        """Move forward, keep every field of ``session`` and restart the expiry timer."""
        ...

    def end(self, session: Session) -> None: ...

    def expire(self) -> list[Session]:
        """Drop every session past its expiry; report each to the table's ``on_expired``."""
        ...


def unknown_session(transaction_id: bytes) -> Es9Error:
    return Es9Error(
        UNKNOWN_TRANSACTION,
        "session.unknown",
        f"no live RSP session has transactionId {transaction_id.hex().upper()} "
        "(never issued, ended or expired)",
        _SPEC,
    )


def check_state(session: Session, expected: tuple[SessionState, ...]) -> Session:
    """``session`` if it is in one of ``expected`` (or none is expected); else 8.10.1/3.9."""
    if expected and session.state not in expected:
        raise Es9Error(
            UNKNOWN_TRANSACTION,
            "session.wrong-state",
            f"session {session.transaction_hex} is {session.state}; this function needs "
            + " or ".join(str(state) for state in expected),
            _SPEC,
        )
    return session


def moved_on_elsewhere(session: Session, state: str) -> Es9Error:
    """Another SM-DP+ process sharing the sessions advanced ``session`` first (a call raced)."""
    return Es9Error(
        UNKNOWN_TRANSACTION,
        "session.wrong-state",
        f"session {session.transaction_hex} was moved on by another SM-DP+ process (it is "
        f"{state} now, was {session.state} when this call read it)",
        _SPEC,
    )


def too_many_sessions(limit: int) -> Es9Error:
    # initiateAuthentication needs no credential: without a cap, a flood of them would hold
    # memory (or rows) for a whole TTL.
    return Es9Error(
        BUSY,
        "session.too-many",
        f"{limit} RSP sessions are live; try again when some end",
        _SPEC,
    )


class SessionTable:
    """Live sessions keyed by transactionId, with expiry on the injected clock."""

    def __init__(
        self,
        clock: Callable[[], float],
        ttl_seconds: float,
        on_expired: Callable[[Session], None] | None = None,
        max_sessions: int = MAX_LIVE_SESSIONS,
    ) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._max_sessions = max_sessions
        self._on_expired = on_expired
        self._sessions: dict[bytes, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def create(self, euicc_challenge: bytes, ci_pkid: bytes) -> Session:
        """A new session with a fresh transactionId and serverChallenge."""
        self.expire()
        with self._lock:
            if len(self._sessions) >= self._max_sessions:
                raise too_many_sessions(self._max_sessions)
            while True:
                transaction_id = os.urandom(TRANSACTION_ID_LENGTH)
                if transaction_id not in self._sessions:
                    break
            session = Session(
                transaction_id=transaction_id,
                euicc_challenge=euicc_challenge,
                server_challenge=os.urandom(16),
                ci_pkid=ci_pkid,
                expires_at=self._clock() + self._ttl,
            )
            self._sessions[transaction_id] = session
        return session

    def get(self, transaction_id: bytes, *expected: SessionState) -> Session:
        """The live session in one of ``expected`` states; else 8.10.1/3.9."""
        self.expire()
        with self._lock:
            session = self._sessions.get(transaction_id)
        if session is None:
            raise unknown_session(transaction_id)
        return check_state(session, expected)

    def advance(self, session: Session, to: SessionState) -> None:
        """Move forward and restart the expiry timer."""
        session.state = to
        session.expires_at = self._clock() + self._ttl

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.transaction_id, None)

    def expire(self) -> list[Session]:
        """Drop every session past its expiry; report each to ``on_expired``."""
        now = self._clock()
        with self._lock:
            gone = [s for s in self._sessions.values() if s.expires_at <= now]
            for session in gone:
                del self._sessions[session.transaction_id]
        for session in gone:
            if self._on_expired is not None:
                self._on_expired(session)
        return gone
