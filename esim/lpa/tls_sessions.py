"""TLS session resumption for the LPA's connections to SM-DP+s.

A download is one keep-alive connection, but every download used to open it with a full
handshake: the client verified CERT.DPtls and its chain, the server signed, each time. Like a
browser, the LPA now remembers the last session ticket of each SM-DP+ (host name, address and
port) and offers it on the next connection; a server that cannot use it (another process, a
restart, an expired ticket) simply answers with a full handshake, so resumption never changes
what succeeds or fails, only what it costs.

The ES9+ client's own connection (:mod:`esim.lpa.tls_socket`) passes the session to
``wrap_socket`` directly. :mod:`asyncio`, still used where a loop cannot watch sockets, has no
parameter for a session: it calls ``SSLContext.wrap_bio`` inside ``start_tls``.
:class:`ResumingClientContext` therefore takes the session to offer from a context variable
that :meth:`TlsSessionCache.offering` sets around that call, so concurrent connections (each in
its own task) never see each other's offer. A session belongs to the context that made it
(OpenSSL refuses another), so the cache lives on the context. TLS 1.3 sessions resume by
ticket; TLS 1.2 ones (what most SM-DP+s in the field speak) by ticket or ID.
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self

SessionKey = tuple[str, str, int]
"""(SM-DP+ host name in lower case, address dialled, TCP port)."""

MAX_SESSIONS = 64
"""Remembered servers per context; the least recently used is forgotten first."""

_OFFERED: ContextVar[ssl.SSLSession | None] = ContextVar("offered_tls_session", default=None)


class TlsSessionCache:
    """The last resumable session of each server, bounded and safe to share across threads."""

    def __init__(self, capacity: int = MAX_SESSIONS) -> None:
        self._capacity = capacity
        self._sessions: OrderedDict[SessionKey, ssl.SSLSession] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, key: SessionKey) -> ssl.SSLSession | None:
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                self._sessions.move_to_end(key)
            return session

    def remember(
        self, key: SessionKey, session: ssl.SSLSession | None, version: str | None = None
    ) -> None:
        """Keep ``session`` for ``key`` if it can resume: it carries a ticket (TLS 1.3 sends
        them after the handshake, TLS 1.2 within it), or, under TLS 1.2 (``version``), the
        server named it by a session ID it keeps. A TLS 1.3 session without a ticket cannot
        resume, and offering one would only cost a copy."""
        if session is None:
            return
        if not session.has_ticket and not (version == "TLSv1.2" and session.id):
            return
        with self._lock:
            self._sessions[key] = session
            self._sessions.move_to_end(key)
            while len(self._sessions) > self._capacity:
                self._sessions.popitem(last=False)

    def forget(self, key: SessionKey) -> None:
        with self._lock:
            self._sessions.pop(key, None)

    @contextmanager
    def offering(self, key: SessionKey) -> Iterator[None]:
        """Within this block, handshakes of this task's contexts offer ``key``'s session."""
        token = _OFFERED.set(self.get(key))
        try:
            yield
        finally:
            _OFFERED.reset(token)


class ResumingClientContext(ssl.SSLContext):
    """A client :class:`ssl.SSLContext` whose handshakes offer the session set by
    :meth:`TlsSessionCache.offering` (none outside such a block)."""

    sessions: TlsSessionCache

    def __new__(cls, protocol: int = ssl.PROTOCOL_TLS_CLIENT, *args: Any, **kwargs: Any) -> Self:
        context = super().__new__(cls, protocol, *args, **kwargs)
        context.sessions = TlsSessionCache()
        return context

    def wrap_bio(
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        if session is None and not server_side:
            session = _OFFERED.get()
        return super().wrap_bio(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=server_hostname,
            session=session,
        )
