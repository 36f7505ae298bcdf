"""TLS connections served straight from the event loop's selector, without asyncio's SSL layer.

asyncio runs TLS through memory BIOs in Python (``asyncio.sslproto``): every packet passes
through several Python frames and copies on the way in and out, which cost the SM-DP+ as much
CPU as a download's handshake itself. Here each accepted socket is an ``ssl.SSLSocket`` in
non-blocking mode that OpenSSL reads and writes directly; the loop only says when the socket is
readable or writable (``add_reader``/``add_writer``). Loops without those (Windows' proactor)
use asyncio's own TLS instead (:func:`serve_tls` returns None there).

The protocol sees an ordinary :class:`asyncio.Transport` (``write``, ``close``,
``pause_reading``, ``resume_reading``). A handshake must finish within its timeout; TLS
renegotiation is refused (``esim.smdp.server.server_ssl_context`` sets ``OP_NO_RENEGOTIATION``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import ssl
from collections.abc import Callable
from typing import Any

_LOG = logging.getLogger(__name__)
_READ_SIZE = 64 * 1024
_ACCEPTS_PER_WAKEUP = 32
_LISTEN_BACKLOG = 128
_WRITE_HIGH_WATER = 256 * 1024
"""Unsent bytes above which the protocol is asked to stop producing (``pause_writing``)."""
_WRITE_LOW_WATER = 64 * 1024
_CLOSE_FLUSH_SECONDS = 30.0
"""How long a closed connection may take to hand its last bytes to a peer that reads slowly."""
_TLS_RECORD_BYTES = 16 * 1024
_TCP_CORK: int | None = getattr(socket, "TCP_CORK", None)
"""Linux's TCP_CORK (None elsewhere): hold partial segments until uncorked."""
# Errors that mean "this client is gone or broke TLS", not a defect of ours.
_PEER_ERRORS = (ssl.SSLError, ssl.CertificateError, OSError)


class _TlsTransport(asyncio.Transport):
    """One accepted connection: handshake, then reads into and writes from its protocol."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: ssl.SSLSocket,
        protocol: asyncio.Protocol,
        handshake_timeout: float,
        listener: TlsListener,
    ) -> None:
        super().__init__()
        self._loop = loop
        self._sock = sock
        self._fd = sock.fileno()
        self._protocol = protocol
        self._listener = listener
        self._handshaking = True
        self._reading = True
        self._reader_added = False
        self._writer_added = False
        self._outgoing = b""
        self._write_paused = False
        self._read_wants_write = False
        self._write_wants_read = False
        self._closing = False
        self._lost = False
        self._handshake_timer: asyncio.TimerHandle | None = loop.call_later(
            handshake_timeout, self._abort_handshake
        )
        listener.transports.add(self)
        self._watch_readable(True)  # the handshake goes on as the client's flights arrive
        # The ClientHello has usually arrived by the time the loop gets to the accept: start
        # at once instead of one more turn of the loop later (no data yet: wait for it).
        self._continue_handshake()

    # -- selector bookkeeping ------------------------------------------------------------

    def _watch_readable(self, wanted: bool) -> None:
        if wanted and not self._reader_added:
            self._loop.add_reader(self._fd, self._on_readable)
            self._reader_added = True
        elif not wanted and self._reader_added:
            self._loop.remove_reader(self._fd)
            self._reader_added = False

    def _watch_writable(self, wanted: bool) -> None:
        if wanted and not self._writer_added:
            self._loop.add_writer(self._fd, self._on_writable)
            self._writer_added = True
        elif not wanted and self._writer_added:
            self._loop.remove_writer(self._fd)
            self._writer_added = False

    # -- handshake -------------------------------------------------------------------------

    def _abort_handshake(self) -> None:
        self._handshake_timer = None
        if self._handshaking:
            self._connection_lost(TimeoutError("the TLS handshake did not finish in time"))

    def _continue_handshake(self) -> None:
        if self._lost:
            return
        try:
            self._sock.do_handshake()
        except ssl.SSLWantReadError:
            self._watch_writable(False)
            return
        except ssl.SSLWantWriteError:
            self._watch_writable(True)
            return
        except _PEER_ERRORS as error:
            self._connection_lost(error)
            return
        self._handshaking = False
        self._watch_writable(False)
        if self._handshake_timer is not None:
            self._handshake_timer.cancel()
            self._handshake_timer = None
        self._protocol.connection_made(self)
        if self._sock.pending():  # the first request came with the handshake's last flight
            self._read()

    # -- reading ---------------------------------------------------------------------------

    def _on_readable(self) -> None:
        if self._handshaking:
            self._continue_handshake()
            return
        if self._write_wants_read:  # a write waited for the peer (renegotiation is refused)
            self._write_wants_read = False
            self._flush()
        self._read()

    def _read(self) -> None:
        while self._reading and not self._closing:
            try:
                data = self._sock.recv(_READ_SIZE)
            except (ssl.SSLWantReadError, BlockingIOError):
                return
            except ssl.SSLWantWriteError:
                self._read_wants_write = True
                self._watch_writable(True)
                return
            except ssl.SSLZeroReturnError:
                data = b""
            except _PEER_ERRORS as error:
                self._connection_lost(error)
                return
            if not data:
                self._watch_readable(False)
                if not self._protocol.eof_received():
                    self.close()
                return
            self._protocol.data_received(data)
            if not self._sock.pending():
                return  # the selector reports whatever the kernel holds next

    # -- writing ---------------------------------------------------------------------------

    def _on_writable(self) -> None:
        if self._handshaking:
            self._continue_handshake()
            return
        if self._read_wants_write:
            self._read_wants_write = False
            self._watch_writable(bool(self._outgoing))
            self._read()
        if self._outgoing:
            self._flush()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing or self._lost or not data:
            return
        if self._outgoing:
            self._outgoing += bytes(data)  # behind a write the peer has not taken yet
        elif len(data) > _TLS_RECORD_BYTES and _TCP_CORK is not None:
            # OpenSSL writes each 16 KB record on its own: corked, the kernel sends the answer
            # (a BPP is five records) in full segments instead of one packet per record.
            self._outgoing = bytes(data)
            self._cork(1)
            self._flush()
            self._cork(0)
        else:
            self._outgoing = bytes(data)
            self._flush()
        if not self._write_paused and len(self._outgoing) > _WRITE_HIGH_WATER and not self._lost:
            # A peer that sends requests without reading the answers must not grow this buffer
            # without bound: the protocol stops reading until it drains.
            self._write_paused = True
            self._protocol.pause_writing()

    def _cork(self, value: int) -> None:
        if not self._lost and _TCP_CORK is not None:
            # OSError: the peer went away; _flush or the next read says so
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, _TCP_CORK, value)

    def _flush(self) -> None:
        # OpenSSL without partial writes: a refused write is retried with the same bytes.
        while self._outgoing and not self._lost:
            try:
                sent = self._sock.send(self._outgoing)
            except (ssl.SSLWantWriteError, BlockingIOError):
                self._watch_writable(True)
                return
            except ssl.SSLWantReadError:
                self._write_wants_read = True
                self._watch_readable(True)
                return
            except _PEER_ERRORS as error:
                self._connection_lost(error)
                return
            self._outgoing = self._outgoing[sent:]
        if not self._read_wants_write:
            self._watch_writable(False)
        if self._closing:
            self._finish_close()
        elif self._write_paused and len(self._outgoing) <= _WRITE_LOW_WATER:
            self._write_paused = False
            self._protocol.resume_writing()

    def get_write_buffer_size(self) -> int:
        return len(self._outgoing)

    def can_write_eof(self) -> bool:
        return False

    # -- flow control and closing ------------------------------------------------------------

    def pause_reading(self) -> None:
        self._reading = False
        if not self._handshaking:
            self._watch_readable(False)

    def resume_reading(self) -> None:
        if self._reading or self._lost:
            return
        self._reading = True
        self._watch_readable(True)
        if self._sock.pending():
            self._loop.call_soon(self._read)

    def is_reading(self) -> bool:
        return self._reading

    def is_closing(self) -> bool:
        return self._closing or self._lost

    def close(self) -> None:
        if self._closing or self._lost:
            return
        self._closing = True
        self._watch_readable(False)
        if not self._outgoing:
            self._finish_close()
        else:  # the answer goes out first, but a peer that does not read is not waited for
            self._loop.call_later(_CLOSE_FLUSH_SECONDS, self._connection_lost, None)

    def abort(self) -> None:
        self._connection_lost(None)

    def _finish_close(self) -> None:
        if not self._handshaking:
            try:  # close_notify, once: the peer's answer is not awaited
                self._sock.unwrap()
            except (*_PEER_ERRORS, ValueError):
                pass
        self._connection_lost(None)

    def _connection_lost(self, error: BaseException | None) -> None:
        if self._lost:
            return
        self._lost = True
        self._closing = True
        self._watch_readable(False)
        self._watch_writable(False)
        if self._handshake_timer is not None:
            self._handshake_timer.cancel()
            self._handshake_timer = None
        self._sock.close()
        self._listener.transports.discard(self)
        if not self._handshaking:
            exception = error if isinstance(error, Exception) or error is None else None
            self._loop.call_soon(self._protocol.connection_lost, exception)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "ssl_object":
            return self._sock
        if name == "peername":
            try:
                return self._sock.getpeername()
            except OSError:
                return default
        if name == "socket":
            return self._sock
        return default


class TlsListener:
    """A listening socket whose connections are :class:`_TlsTransport` s."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        listening: socket.socket,
        context: ssl.SSLContext,
        protocol_factory: Callable[[], asyncio.Protocol],
        handshake_timeout: float,
    ) -> None:
        self._loop = loop
        self._listening = listening
        self._context = context
        self._factory = protocol_factory
        self._handshake_timeout = handshake_timeout
        self.transports: set[_TlsTransport] = set()
        loop.add_reader(listening.fileno(), self._accept)

    @property
    def port(self) -> int:
        return int(self._listening.getsockname()[1])

    def _accept(self) -> None:
        for _ in range(_ACCEPTS_PER_WAKEUP):
            try:
                connection, _ = self._listening.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as error:
                # Out of descriptors or memory: stop accepting for a moment instead of spinning.
                if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    _LOG.warning("the SM-DP+ cannot accept a connection now: %s", error)
                    self._loop.remove_reader(self._listening.fileno())
                    self._loop.call_later(1.0, self._resume_accepting)
                    return
                raise
            try:
                connection.setblocking(False)
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                wrapped = self._context.wrap_socket(
                    connection, server_side=True, do_handshake_on_connect=False
                )
            except _PEER_ERRORS:
                connection.close()
                continue
            _TlsTransport(self._loop, wrapped, self._factory(), self._handshake_timeout, self)

    def _resume_accepting(self) -> None:
        if self._listening.fileno() >= 0:
            self._loop.add_reader(self._listening.fileno(), self._accept)

    def abort_all(self) -> None:
        """Close every connection at once, handshakes included."""
        for transport in list(self.transports):
            transport.abort()

    def close(self) -> None:
        """Stop accepting (connections already accepted carry on)."""
        if self._listening.fileno() >= 0:
            self._loop.remove_reader(self._listening.fileno())
            self._listening.close()


def _listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listening = socket.socket(family, kind, proto)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listening.bind(address)
        listening.listen(_LISTEN_BACKLOG)
        listening.setblocking(False)
    except BaseException:
        listening.close()
        raise
    return listening


def serve_tls(
    loop: asyncio.AbstractEventLoop,
    host: str,
    port: int,
    context: ssl.SSLContext,
    protocol_factory: Callable[[], asyncio.Protocol],
    *,
    handshake_timeout: float,
    reuse_port: bool = False,
) -> TlsListener | None:
    """Listen on ``host:port`` with TLS; None when ``loop`` cannot watch sockets."""
    listening = _listening_socket(host, port, reuse_port)
    try:
        return TlsListener(loop, listening, context, protocol_factory, handshake_timeout)
    except NotImplementedError:
        listening.close()
        return None
    except BaseException:
        listening.close()
        raise
