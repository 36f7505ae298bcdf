"""A small HTTP/1.1 server for the portal front: asyncio streams, h11 for the protocol.

Every input is bounded: a request's head (16 KiB, 10 s from its first byte), its body (1 MiB,
30 s), an idle keep-alive connection (60 s), a client that stops reading (30 s per write), the
TLS handshake (10 s) and the number of open connections (128). Requests on one connection are
answered in order (pipelining); anything malformed gets its 4xx with a sentence and the
connection closes. A handler's failure is a 500 that names it; it never ends the server.

aiohttp did this job before; its imports alone cost the app about 0.12 s of start-up, before
the portal's first page could load.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import ssl
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import BinaryIO

import h11

from simulator.portal.http_messages import Answer, FileResponse, Headers, Request, Response
from simulator.startup_timeline import enabled as timeline_enabled
from simulator.startup_timeline import mark

MAX_HEAD_BYTES = 16 * 1024
MAX_BODY_BYTES = 1 << 20
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
IDLE_TIMEOUT = 60.0
WRITE_TIMEOUT = 30.0
TLS_HANDSHAKE_TIMEOUT = 10.0
MAX_CONNECTIONS = 128
_READ_CHUNK = 64 * 1024
_FILE_CHUNK = 256 * 1024

_TOO_LARGE = f"the body is larger than {MAX_BODY_BYTES} bytes"
_log = logging.getLogger(__name__)
Dispatch = Callable[[Request], Awaitable[Answer]]


class _RefusalError(Exception):
    """A request answered with an error status, after which the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class HttpServer:
    """Serves `dispatch` on listening sockets; runs on one asyncio loop."""

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        self._servers: list[asyncio.Server] = []
        self._connections: set[asyncio.Task[None]] = set()

    async def listen(self, sock: socket.socket, tls: ssl.SSLContext | None) -> None:
        """Serve on an already bound and listening socket (HTTPS when `tls` is given)."""
        scheme = "https" if tls is not None else "http"

        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._serve(reader, writer, scheme)

        server = await asyncio.start_server(
            connected,
            sock=sock,
            ssl=tls,
            ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT if tls is not None else None,
            limit=_READ_CHUNK,
        )
        self._servers.append(server)

    async def close(self) -> None:
        """Stop listening and end every open connection."""
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=5)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    # -- one connection ----------------------------------------------------------------------
    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, scheme: str
    ) -> None:
        task = asyncio.current_task()
        if task is None or len(self._connections) >= MAX_CONNECTIONS:
            writer.transport.abort()
            return
        self._connections.add(task)
        mark("portal front: a connection's TLS handshake done")
        _send_at_once(writer)
        connection = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        try:
            while True:
                try:
                    request = await self._receive(connection, reader, writer, scheme)
                except _RefusalError as refusal:
                    await self._refuse(connection, writer, refusal)
                    return
                if request is None:
                    return
                if timeline_enabled():
                    mark(f"portal front: request {request.path} read")
                answer = await self._answer(request)
                await self._send(connection, writer, request, answer)
                if timeline_enabled():
                    mark(f"portal front: answer to {request.path} written")
                if connection.our_state is not h11.DONE or connection.their_state is not h11.DONE:
                    return  # "Connection: close", HTTP/1.0, or a body left unread
                connection.start_next_cycle()
        except (ConnectionError, TimeoutError, ssl.SSLError, h11.LocalProtocolError):
            return  # the peer went away or stopped reading: nothing to answer
        except asyncio.CancelledError:
            # The server is closing. Ending normally keeps asyncio's stream callback, which
            # asks a finished connection task for its exception, from logging a traceback
            # (Python 3.11).
            return
        finally:
            self._connections.discard(task)
            await _close(writer)

    async def _receive(
        self,
        connection: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        scheme: str,
    ) -> Request | None:
        """The next request, whole; None when the peer closed or stayed idle too long."""
        loop = asyncio.get_running_loop()
        head: h11.Request | None = None
        try:
            async with asyncio.timeout(IDLE_TIMEOUT) as deadline:
                while head is None:
                    event = connection.next_event()
                    if event is h11.NEED_DATA:
                        data = await reader.read(_READ_CHUNK)
                        if data and connection.their_state is h11.IDLE:
                            # The request has begun: its head must come whole, and soon.
                            deadline.reschedule(
                                min(deadline.when() or 0, loop.time() + HEAD_TIMEOUT)
                            )
                        connection.receive_data(data)
                    elif isinstance(event, h11.Request):
                        head = event
                    else:  # ConnectionClosed (or PAUSED after a close)
                        return None
        except TimeoutError:
            if connection.their_state is h11.IDLE and not connection.trailing_data[0]:
                return None  # an idle keep-alive connection: close it quietly
            raise _RefusalError(
                408, f"the request's head did not arrive within {HEAD_TIMEOUT:g} s"
            ) from None
        except h11.RemoteProtocolError as error:
            raise _RefusalError(error.error_status_hint, _protocol_message(error)) from None
        if head.method == b"CONNECT":  # a 2xx would switch the connection to a tunnel
            raise _RefusalError(405, "CONNECT is not served here: this is no proxy")
        # h11 bounds a head that arrives in pieces; one that arrives whole is measured here.
        if len(head.target) + sum(len(n) + len(v) + 4 for n, v in head.headers) > MAX_HEAD_BYTES:
            raise _RefusalError(431, f"the request's head is larger than {MAX_HEAD_BYTES} bytes")
        headers = Headers(
            [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in head.headers.raw_items()
            ]
        )
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > MAX_BODY_BYTES:
            raise _RefusalError(413, _TOO_LARGE)
        if connection.they_are_waiting_for_100_continue:
            writer.write(
                connection.send(h11.InformationalResponse(status_code=100, headers=[])) or b""
            )
        body = await self._receive_body(connection, reader)
        return Request(
            method=head.method.decode("ascii", "replace"),
            target=head.target.decode("ascii", "replace"),
            headers=headers,
            body=body,
            scheme=scheme,
        )

    async def _receive_body(
        self, connection: h11.Connection, reader: asyncio.StreamReader
    ) -> bytes:
        parts: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                while True:
                    event = connection.next_event()
                    if event is h11.NEED_DATA:
                        connection.receive_data(await reader.read(_READ_CHUNK))
                    elif isinstance(event, h11.Data):
                        size += len(event.data)
                        if size > MAX_BODY_BYTES:
                            raise _RefusalError(413, _TOO_LARGE)
                        parts.append(bytes(event.data))
                    elif isinstance(event, h11.EndOfMessage):
                        return b"".join(parts)
                    else:  # the peer closed in the middle of the body
                        raise ConnectionResetError("the body ended early")
        except TimeoutError:
            raise _RefusalError(408, f"the body did not arrive within {BODY_TIMEOUT:g} s") from None
        except h11.RemoteProtocolError as error:
            raise _RefusalError(error.error_status_hint, _protocol_message(error)) from None

    async def _answer(self, request: Request) -> Answer:
        try:
            return await self._dispatch(request)
        except Exception as error:  # a defect in a site: answered, logged, the server goes on
            _log.exception("the portal front could not answer %s %s", request.method, request.path)
            return Response.text(500, f"the portal front failed on {request.path}: {error!r}\n")

    # -- answering ---------------------------------------------------------------------------
    async def _send(
        self,
        connection: h11.Connection,
        writer: asyncio.StreamWriter,
        request: Request,
        answer: Answer,
    ) -> None:
        if isinstance(answer, FileResponse):
            await _send_file(connection, writer, request, answer)
            return
        fields = dict(answer.headers)
        fields["Content-Length"] = str(len(answer.body))
        # One write for the whole answer: one TLS record, one segment where it fits.
        data = connection.send(_head(answer.status, fields)) or b""
        if request.method != "HEAD" and answer.body:
            data += connection.send(h11.Data(data=answer.body)) or b""
        data += connection.send(h11.EndOfMessage()) or b""
        await _write(writer, data)

    async def _refuse(
        self, connection: h11.Connection, writer: asyncio.StreamWriter, refusal: _RefusalError
    ) -> None:
        body = f"{refusal}\n".encode()
        fields = {
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": str(len(body)),
            "Connection": "close",
        }
        with contextlib.suppress(ConnectionError, TimeoutError, ssl.SSLError):
            if connection.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                try:
                    data = connection.send(_head(refusal.status, fields)) or b""
                    data += connection.send(h11.Data(data=body)) or b""
                except h11.LocalProtocolError:  # h11 cannot frame it (a HEAD, a broken request)
                    data = _raw_head(refusal.status, fields) + body
                await _write(writer, data)


async def _send_file(
    connection: h11.Connection, writer: asyncio.StreamWriter, request: Request, answer: FileResponse
) -> None:
    loop = asyncio.get_running_loop()
    try:
        stream: BinaryIO = await loop.run_in_executor(None, answer.path.open, "rb")
    except OSError:
        response = Response.text(404, f"{request.path} is not in the portal folder\n")
        fields = {**response.headers, "Content-Length": str(len(response.body))}
        await _write(writer, connection.send(_head(404, fields)))
        await _write(writer, connection.send(h11.Data(data=response.body)))
        await _write(writer, connection.send(h11.EndOfMessage()))
        return
    try:
        size = os.fstat(stream.fileno()).st_size
        fields = {**answer.headers, "Accept-Ranges": "bytes"}
        span = _byte_range(request.headers.get("range"), size)
        if span is None:
            fields["Content-Range"] = f"bytes */{size}"
            fields["Content-Length"] = "0"
            await _write(writer, connection.send(_head(416, fields)))
            await _write(writer, connection.send(h11.EndOfMessage()))
            return
        start, length = span
        status = answer.status
        if length != size:
            status = 206
            fields["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
        fields["Content-Length"] = str(length)
        await _write(writer, connection.send(_head(status, fields)))
        if request.method != "HEAD":
            await loop.run_in_executor(None, stream.seek, start)
            left = length
            while left > 0:
                chunk = await loop.run_in_executor(None, stream.read, min(_FILE_CHUNK, left))
                if not chunk:  # the file shrank meanwhile: the connection cannot go on
                    raise ConnectionResetError("the file ended early")
                left -= len(chunk)
                await _write(writer, connection.send(h11.Data(data=chunk)))
        await _write(writer, connection.send(h11.EndOfMessage()))
    finally:
        stream.close()


def _send_at_once(writer: asyncio.StreamWriter) -> None:
    """Turn off Nagle's algorithm on a connection. asyncio does so only for sockets made with
    IPPROTO_TCP, and the front's listening sockets are plain stream sockets: without it, each
    answer's last small segment waited for the browser's delayed ACK (about 40 ms a request)."""
    sock = writer.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, length) to send: the whole file without a Range header, one range with one;
    None when the range cannot be served (416)."""
    if header is None:
        return 0, size
    unit, _, spec = header.strip().partition("=")
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if unit.strip().lower() != "bytes" or not dash or "," in spec:
        return None  # another unit, or several ranges: not served
    if not first:  # the last N bytes
        if not last.isdigit() or int(last) == 0 or size == 0:
            return None
        length = min(int(last), size)
        return size - length, length
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end - start + 1


def _head(status: int, fields: dict[str, str]) -> h11.Response:
    return h11.Response(
        status_code=status,
        headers=[
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in fields.items()
        ],
        reason=_reason(status).encode("ascii"),
    )


def _raw_head(status: int, fields: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    lines += [f"{name}: {value}" for name, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _protocol_message(error: h11.RemoteProtocolError) -> str:
    if error.error_status_hint == 431:
        return f"the request's head is larger than {MAX_HEAD_BYTES} bytes"
    return f"the request is not valid HTTP/1.1: {error}"


async def _write(writer: asyncio.StreamWriter, data: bytes | None) -> None:
    if data:
        writer.write(data)
        async with asyncio.timeout(WRITE_TIMEOUT):
            await writer.drain()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        async with asyncio.timeout(1.0):
            await writer.wait_closed()
    except (TimeoutError, ConnectionError, ssl.SSLError, asyncio.CancelledError):
        writer.transport.abort()
