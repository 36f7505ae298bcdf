"""The ES9+ client's TLS connection: an ``ssl.SSLSocket`` driven from the event loop's selector.

asyncio runs TLS through memory BIOs in Python (``asyncio.sslproto``): every record passes
through a protocol, a transport, a stream reader and several copies, and a connection's set-up
builds all of them. That cost the LPA more CPU per download than the TLS handshake itself. Here
the socket is an ``ssl.SSLSocket`` in non-blocking mode that OpenSSL reads and writes directly;
the loop is asked only to say when it is readable or writable (``add_reader``/``add_writer``), so
cancelling the waiting task (an aborted download) or a timeout around it stops it at once.

Loops that cannot watch sockets (Windows' proactor) get :class:`StreamConnection`, the same
interface over asyncio's own streams and TLS; :class:`esim.lpa.http11.Http11Client` chooses
with :func:`can_watch_sockets`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
from typing import Any, Protocol

_READ_SIZE = 65536
_CLOSE_TIMEOUT = 1.0  # close_notify exchange on close (streams); a silent peer must not hold us


class TlsConnection(Protocol):
    """One client TLS connection, its handshake done."""

    @property
    def ssl_object(self) -> ssl.SSLSocket | ssl.SSLObject | None:
        """What OpenSSL knows of the connection (session, version, peer certificate)."""

    async def send(self, data: bytes) -> None:
        """Send all of ``data``; OSError (ssl.SSLError among them) when the peer is gone."""

    async def receive(self) -> bytes:
        """The next bytes the peer sent, at most 64 KiB; b"" at the end of the stream."""

    def still_open(self) -> bool:
        """Between answers: whether the peer has neither closed the connection nor sent
        anything unasked, checked without waiting; only then may it carry another request
        (servers close idle keep-alive connections without a word beforehand)."""

    async def close(self) -> None:
        """Close, sending close_notify when the handshake finished; never raises."""


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class SocketConnection:
    """A non-blocking ``ssl.SSLSocket`` whose waits are the loop's readiness callbacks."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: ssl.SSLSocket) -> None:
        self._loop = loop
        self._sock = sock
        self._fd = sock.fileno()
        self._eof = False
        self._closed = False

    @property
    def ssl_object(self) -> ssl.SSLSocket:
        return self._sock

    async def _readable(self) -> None:
        waiter = self._loop.create_future()
        self._loop.add_reader(self._fd, _wake, waiter)
        try:
            await waiter
        finally:
            self._loop.remove_reader(self._fd)

    async def _writable(self) -> None:
        waiter = self._loop.create_future()
        self._loop.add_writer(self._fd, _wake, waiter)
        try:
            await waiter
        finally:
            self._loop.remove_writer(self._fd)

    async def handshake(self) -> None:
        while True:
            try:
                self._sock.do_handshake()
                return
            except ssl.SSLWantReadError:
                await self._readable()
            except ssl.SSLWantWriteError:
                await self._writable()

    async def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                sent = self._sock.send(view)
            except (ssl.SSLWantWriteError, BlockingIOError):
                await self._writable()
                continue
            except ssl.SSLWantReadError:  # renegotiation: the server must speak first
                await self._readable()
                continue
            view = view[sent:]

    async def receive(self) -> bytes:
        if self._eof:
            return b""
        while True:
            try:
                data = self._sock.recv(_READ_SIZE)
            except (ssl.SSLWantReadError, BlockingIOError):
                await self._readable()
                continue
            except ssl.SSLWantWriteError:
                await self._writable()
                continue
            except ssl.SSLZeroReturnError:  # the server's close_notify
                data = b""
            if not data:
                self._eof = True
            return data

    def still_open(self) -> bool:
        if self._eof or self._closed:
            return False
        try:  # non-blocking: "nothing to read" is the answer hoped for
            unasked = self._sock.recv(_READ_SIZE)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return True  # nothing, or a TLS record without data (a session ticket)
        except OSError:  # ssl.SSLError included: a close_notify, an alert, a reset
            self._eof = True
            return False
        if not unasked:  # TCP FIN
            self._eof = True
        return False  # the end, or bytes nobody asked for: not for another request

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError, ValueError):
            # close_notify, once: the server's answer to it is not waited for
            self._sock.unwrap()
        self._sock.close()


class StreamConnection:
    """The same over asyncio's streams and TLS (loops without ``add_reader``)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        found = self._writer.get_extra_info("ssl_object")
        return found if isinstance(found, ssl.SSLObject) else None

    async def send(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()

    async def receive(self) -> bytes:
        return await self._reader.read(_READ_SIZE)

    def still_open(self) -> bool:
        # asyncio's protocol reads for us: the peer's close is seen as the stream's end
        return not self._reader.at_eof()

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await self._writer.wait_closed()


def can_watch_sockets(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop`` offers ``add_reader`` for sockets (every loop but Windows' proactor)."""
    proactor = getattr(asyncio, "ProactorEventLoop", None)
    return not (proactor is not None and isinstance(loop, proactor))


_AddressInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]


def _ip_literal(address: str, port: int) -> _AddressInfo | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


async def connect_socket(address: str, port: int) -> socket.socket:
    """A connected non-blocking TCP socket to the first of ``address``'s addresses that
    accepts (a name is resolved as ``asyncio.open_connection`` does; an IP is not looked up)."""
    loop = asyncio.get_running_loop()
    literal = _ip_literal(address, port)
    # asyncio's getaddrinfo runs in a worker thread even for an IP: a literal is not looked up
    infos = [literal] if literal else await loop.getaddrinfo(address, port, type=socket.SOCK_STREAM)
    last: OSError = OSError(f"no address for {address}")
    for family, kind, proto, _, target in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, target)
        except OSError as error:
            sock.close()
            last = error
            continue
        except BaseException:  # cancelled or timed out mid-connect
            sock.close()
            raise
        return sock
    raise last


async def start_socket_tls(
    sock: socket.socket,
    context: ssl.SSLContext,
    server_hostname: str,
    session: ssl.SSLSession | None,
) -> SocketConnection:
    """The TLS handshake for ``server_hostname`` on a connected ``sock``, offering
    ``session``; on any failure (or cancellation) the socket is closed before it propagates."""
    try:
        wrapped = context.wrap_socket(
            sock, server_hostname=server_hostname, do_handshake_on_connect=False, session=session
        )
    except BaseException:
        sock.close()
        raise
    connection = SocketConnection(asyncio.get_running_loop(), wrapped)
    try:
        await connection.handshake()
    except BaseException:
        wrapped.close()  # no close_notify: the handshake did not finish
        raise
    return connection


async def connect_stream(
    address: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The same TCP connection as asyncio streams (loops that cannot watch sockets)."""
    return await asyncio.open_connection(address, port, limit=_READ_SIZE)


async def start_stream_tls(
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    context: ssl.SSLContext,
    server_hostname: str,
) -> StreamConnection:
    """The handshake through asyncio's ``start_tls``; a session is offered by
    :meth:`esim.lpa.tls_sessions.TlsSessionCache.offering` around this call. The streams are
    closed on any failure."""
    reader, writer = streams
    try:
        await writer.start_tls(context, server_hostname=server_hostname)
    except BaseException:
        writer.close()
        raise
    return StreamConnection(reader, writer)
