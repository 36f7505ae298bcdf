"""A lean HTTP/1.1 server for the SM-DP+'s JSON binding (SGP.22 §6.1), on asyncio.

ES9+ and ES2+ need a small part of HTTP: ``POST`` to a fixed path with a ``Content-Length``
body, answers with a ``Content-Length`` body, keep-alive. A general framework spent more CPU on
each request than the SGP.22 functions behind it, so this module parses exactly that part and
refuses the rest:

* a request line and header block that are not strict HTTP/1.x (no obs-fold, no space before
  a colon, at most :data:`MAX_HEAD_BYTES` and :data:`MAX_HEADERS`) → 400 and the connection
  closes; an unknown path → 404; another method on a known path → 405;
* on a known path, a body the server will not read (``Transfer-Encoding``, a ``Content-Length``
  above :data:`MAX_BODY_BYTES`) → the route's ``refuse`` answer (an SGP.22 ``Failed`` body) and
  the connection closes;
* a request must arrive whole within :data:`REQUEST_TIMEOUT_SECONDS` of its first byte (slow
  clients cannot hold a connection), an idle keep-alive connection closes after
  :data:`IDLE_TIMEOUT_SECONDS`;
* ``Expect: 100-continue`` is answered, ``Connection: close`` and HTTP/1.0 are honoured.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Coroutine, Generator, Mapping
from dataclasses import dataclass
from typing import Any

from esim.smdp.http_messages import (
    MAX_BODY_BYTES,
    MAX_HEAD_BYTES,
    REASONS,
    FramingError,
    Headers,
    HttpRequest,
    HttpResponse,
    content_length,
    parse_head,
    plain_response,
)
from esim.smdp.tls_transport import TlsListener, serve_tls

__all__ = [
    "IDLE_TIMEOUT_SECONDS",
    "MAX_BODY_BYTES",
    "REQUEST_TIMEOUT_SECONDS",
    "TLS_HANDSHAKE_TIMEOUT_SECONDS",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "LeanHttpServer",
    "Route",
    "RouteHandler",
]

_LOG = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 60.0
"""From the first byte of a request to its last (bounds what a slow client can hold)."""
IDLE_TIMEOUT_SECONDS = 75.0
"""How long a keep-alive connection may wait for its next request."""
TLS_HANDSHAKE_TIMEOUT_SECONDS = 30.0

RouteHandler = Callable[[HttpRequest], Coroutine[Any, Any, HttpResponse]]
"""A route's coroutine. Its first step runs inside the connection's read callback, not in a
task (``asyncio.current_task()`` is None until its first ``await`` that suspends)."""


class _Continued:
    """The rest of a coroutine whose first step already ran and suspended on ``waiting_for``:
    awaited in a task, it hands the task what the coroutine waits for and passes back to the
    coroutine what the task sends or throws (a cancellation)."""

    __slots__ = ("_coroutine", "_waiting_for")

    def __init__(self, coroutine: Coroutine[Any, Any, HttpResponse], waiting_for: Any) -> None:
        self._coroutine = coroutine
        self._waiting_for = waiting_for

    def __await__(self) -> Generator[Any, None, HttpResponse]:
        coroutine, waiting_for = self._coroutine, self._waiting_for
        while True:
            try:
                yield waiting_for
            except BaseException as thrown:  # a cancellation: the coroutine decides
                try:
                    waiting_for = coroutine.throw(thrown)
                except StopIteration as done:
                    response: HttpResponse = done.value
                    return response
            else:
                try:
                    waiting_for = coroutine.send(None)
                except StopIteration as done:
                    response = done.value
                    return response


@dataclass(frozen=True, slots=True)
class Route:
    """A POST endpoint; ``refuse(rule, message)`` answers a request whose body is not read."""

    handle: RouteHandler
    refuse: Callable[[str, str], HttpResponse]


class _Connection(asyncio.Protocol):
    """One client connection: parses requests in turn and runs one route at a time."""

    def __init__(self, server: LeanHttpServer) -> None:
        self._server = server
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer already searched for the end of the head
        self._pending: tuple[Route, HttpRequest, int, bool] | None = None
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_when = 0.0
        self._deadline: float | None = None  # loop time the current wait ends; None: no wait
        self._paused = False  # reading paused: a route runs and the next requests piled up
        self._writing_paused = False  # reading paused: the client does not take the answers
        self._closing = False

    # -- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._server.connections.add(self)
        self._arm(IDLE_TIMEOUT_SECONDS)

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        if not self._buffer and self._pending is None and self._task is None:
            self._arm(REQUEST_TIMEOUT_SECONDS)  # the first bytes of a request: its deadline
        self._buffer += data
        if self._task is None:
            self._advance()
        elif len(self._buffer) > MAX_HEAD_BYTES + MAX_BODY_BYTES and not self._paused:
            self._paused = True  # a client pipelining more than one request's worth waits
            assert self._transport is not None
            self._transport.pause_reading()

    def pause_writing(self) -> None:
        self._writing_paused = True
        if self._transport is not None and not self._closing:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        self._writing_paused = False
        if self._closing or self._transport is None:
            return
        if not self._paused:
            self._transport.resume_reading()
        if self._task is None and self._buffer:
            self._advance()

    def eof_received(self) -> bool | None:
        if self._task is None:
            self.close()
        return None

    # -- requests ---------------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        deadline = self._deadline = self._loop.time() + seconds
        # One timer per connection, moved only when a wait must end before it fires: a timer
        # made and cancelled per phase was four timer operations per request.
        if self._timer is None or deadline < self._timer_when:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_when = deadline
            self._timer = self._loop.call_at(deadline, self._check_deadline)

    def _check_deadline(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None or self._closing:
            return
        if self._loop.time() < deadline:  # the wait was extended since the timer was set
            self._timer_when = deadline
            self._timer = self._loop.call_at(deadline, self._check_deadline)
            return
        self._deadline = None
        self._timed_out()

    def _timed_out(self) -> None:
        if self._writing_paused and self._transport is not None:
            self._transport.abort()  # a client that takes no answers gets none more
            return
        if self._task is not None:
            return  # a route is running: it is bounded by its own rules, not the read timeout
        if self._buffer or self._pending is not None:
            self._answer(
                plain_response(408, "the request did not arrive in time"), keep_alive=False
            )
        else:
            self.close()

    def _advance(self) -> None:
        """Serve the requests that have arrived whole, in turn, until one has to wait."""
        while not self._closing and self._task is None and not self._writing_paused:
            try:
                if self._pending is None:
                    self._read_head()
                ready = None if self._pending is None else self._read_body()
            except FramingError as error:
                self._buffer.clear()
                self._pending = None
                if error.route is not None:
                    self._answer(error.route.refuse(error.rule, error.message), keep_alive=False)
                elif error.status == 405:
                    allow = (("Allow", "POST"),)
                    self._answer(
                        plain_response(405, error.message)._replace(headers=allow), keep_alive=False
                    )
                else:
                    self._answer(plain_response(error.status, error.message), keep_alive=False)
                return
            if ready is None:
                return
            self._start(*ready)
            if not self._buffer:
                return

    def _read_head(self) -> None:
        end = self._buffer.find(b"\r\n\r\n", max(0, self._scanned - 3))
        if end < 0:
            self._scanned = len(self._buffer)
            if self._scanned > MAX_HEAD_BYTES:
                raise FramingError(431, "http.head-too-large", "the request head is too large")
            return
        if end > MAX_HEAD_BYTES:
            raise FramingError(431, "http.head-too-large", "the request head is too large")
        head = bytes(self._buffer[:end])
        del self._buffer[: end + 4]
        self._scanned = 0
        method, path, keep_alive, headers = parse_head(head)
        route = self._server.routes.get(path)
        if route is None:
            raise FramingError(404, "http.path", f"nothing is served at {path[:100]}")
        if method != "POST":
            raise FramingError(405, "http.method", f"{path[:100]} takes POST, not {method[:20]}")
        try:
            length = content_length(headers)
        except FramingError as error:
            error.route = route if error.body_refused else None
            raise
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if keep_alive else "keep-alive" in connection
        self._pending = (route, HttpRequest(method, path, headers, b""), length, keep_alive)
        if len(self._buffer) < length and headers.get("expect", "").lower() == "100-continue":
            assert self._transport is not None
            self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _read_body(self) -> tuple[Route, HttpRequest, bool] | None:
        assert self._pending is not None
        route, request, length, keep_alive = self._pending
        if len(self._buffer) < length:
            return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        self._pending = None
        self._deadline = None  # a route is bounded by its own rules, not by the read timeout
        return route, HttpRequest(request.method, request.path, request.headers, body), keep_alive

    def _start(self, route: Route, request: HttpRequest, keep_alive: bool) -> None:
        """Run the route's first step now; a route that awaits goes on in a task. Most ES9+
        calls never await, and a task per request cost a loop iteration and ~15 µs each."""
        try:
            coroutine = route.handle(request)
            waiting_for = coroutine.send(None)
        except StopIteration as done:
            self._answer(done.value, keep_alive=keep_alive and not self._server.stopping)
            return
        except Exception:  # the routes answer their own errors; this is a defect, logged
            _LOG.exception("unexpected error serving %s", request.path)
            self._answer(
                plain_response(500, "the server failed unexpectedly; see its log"), keep_alive=False
            )
            return
        self._task = self._loop.create_task(
            self._run(_Continued(coroutine, waiting_for), request.path, keep_alive)
        )

    async def _run(self, rest: _Continued, path: str, keep_alive: bool) -> None:
        try:
            response = await rest
        except asyncio.CancelledError:
            self.close()
            raise
        except Exception:  # the routes answer their own errors; this is a defect, logged
            _LOG.exception("unexpected error serving %s", path)
            response = plain_response(500, "the server failed unexpectedly; see its log")
            keep_alive = False
        self._task = None
        self._answer(response, keep_alive=keep_alive and not self._server.stopping)
        if not self._closing:
            if self._paused:
                self._paused = False
                assert self._transport is not None
                if not self._writing_paused:
                    self._transport.resume_reading()
            if self._buffer:
                self._advance()

    def _answer(self, response: HttpResponse, *, keep_alive: bool) -> None:
        transport = self._transport
        if transport is None or self._closing:
            return
        status, body, content_type, extra = response
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"]
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        if status != 204:
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{name}: {value}" for name, value in extra)
        lines.extend(self._server.extra_header_lines)
        if not keep_alive:
            lines.append("Connection: close")
        transport.write("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
        if keep_alive:
            self._arm(IDLE_TIMEOUT_SECONDS)
        else:
            self.close()

    def close(self) -> None:
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._transport is not None:
            self._transport.close()

    @property
    def busy(self) -> bool:
        return self._task is not None

    async def finish(self) -> None:
        """Wait for the running route (if any); the answer closes the connection."""
        if self._task is not None:
            await asyncio.shield(self._task)


class LeanHttpServer:
    """Serves ``routes`` (path → :class:`Route`) on one listening socket."""

    def __init__(
        self, routes: Mapping[str, Route], extra_headers: Mapping[str, str] | None = None
    ) -> None:
        self.routes = dict(routes)
        extra = extra_headers or {}
        self.extra_header_lines = [f"{name}: {value}" for name, value in extra.items()]
        self.connections: set[_Connection] = set()
        self.stopping = False
        self._server: asyncio.Server | TlsListener | None = None

    async def start(
        self, host: str, port: int, ssl_context: ssl.SSLContext, *, reuse_port: bool = False
    ) -> int:
        """Listen with TLS; return the bound port (the loop's own TLS where the selector
        cannot be used, see :mod:`esim.smdp.tls_transport`)."""
        loop = asyncio.get_running_loop()
        listener = serve_tls(
            loop,
            host,
            port,
            ssl_context,
            lambda: _Connection(self),
            handshake_timeout=TLS_HANDSHAKE_TIMEOUT_SECONDS,
            reuse_port=reuse_port,
        )
        if listener is not None:
            self._server = listener
            return listener.port
        server = self._server = await loop.create_server(
            lambda: _Connection(self),
            host,
            port,
            ssl=ssl_context,
            reuse_port=reuse_port or None,
            ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT_SECONDS,
        )
        return int(server.sockets[0].getsockname()[1])

    async def stop(self, grace_seconds: float) -> None:
        """Stop listening; let running routes answer within ``grace_seconds``, then cancel."""
        self.stopping = True
        listener = self._server
        if self._server is not None:
            self._server.close()
            self._server = None
        busy = [connection for connection in self.connections if connection.busy]
        for connection in list(self.connections):
            if not connection.busy:
                connection.close()
        if busy:
            waiting = [asyncio.ensure_future(connection.finish()) for connection in busy]
            _, late = await asyncio.wait(waiting, timeout=grace_seconds)
            for future in late:
                future.cancel()
        for connection in list(self.connections):
            connection.close()
        if isinstance(listener, TlsListener):
            # Last answers get a moment to go out; then nothing (a handshake, a slow reader)
            # outlives the server with an open socket.
            deadline = asyncio.get_running_loop().time() + min(grace_seconds, 1.0)
            while listener.transports and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.01)
            listener.abort_all()
