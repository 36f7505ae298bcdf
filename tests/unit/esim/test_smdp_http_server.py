"""The SM-DP+'s HTTP/1.1 server over TLS: framing, limits, keep-alive and timeouts, on real
sockets (the selector-driven TLS transport and, for comparison, asyncio's own TLS)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from smdp_fake_euicc import ADDRESS, _client_context
from smdp_fake_euicc import test_certificates as smdp_certificates

from esim.smdp import http_server, server_ssl_context
from esim.smdp.http_server import HttpRequest, HttpResponse, LeanHttpServer, Route

PATH = "/gsma/rsp2/es9plus/initiateAuthentication"
SLOW_ROUTE_STARTED = threading.Event()


async def _echo(request: HttpRequest) -> HttpResponse:
    if request.body == b"slow":
        SLOW_ROUTE_STARTED.set()
        await asyncio.sleep(0.3)
    if request.body == b"yield":
        await asyncio.sleep(0)
    if request.body.startswith(b"fail"):
        if request.body == b"fail late":
            await asyncio.sleep(0.01)
        raise RuntimeError("a defect in a route")
    return HttpResponse(200, b"echo:" + request.body, "text/plain")


def _refuse(rule: str, message: str) -> HttpResponse:
    return HttpResponse(200, f"refused {rule}: {message}".encode(), "text/plain")


class Served:
    """A LeanHttpServer with one echo route, on a loop in a thread."""

    def __init__(self, selector_tls: bool = True) -> None:
        self.selector_tls = selector_tls
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.http = LeanHttpServer({PATH: Route(_echo, _refuse)}, {"X-Extra": "yes"})
        context = server_ssl_context(smdp_certificates())

        async def start() -> int:
            if not selector_tls:  # as on a loop without add_reader (Windows' proactor)
                http_server.serve_tls = lambda *args, **kwargs: None  # type: ignore[assignment]
            try:
                return await self.http.start("127.0.0.1", 0, context)
            finally:
                http_server.serve_tls = serve_tls

        serve_tls = http_server.serve_tls
        self.port = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    def connect(self) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return _client_context().wrap_socket(raw, server_hostname=ADDRESS)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.http.stop(1.0), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(params=[True, False], ids=["selector-tls", "asyncio-tls"])
def served(request: Any) -> Iterator[Served]:
    running = Served(request.param)
    yield running
    running.close()


def post(body: bytes, path: str = PATH, **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {ADDRESS}", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_answer(sock: ssl.SSLSocket) -> tuple[int, dict[str, str], bytes]:
    """(status, headers by lower-case name, body) of one answer (Content-Length framed)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before an answer: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a body")
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


def closed_by_server(sock: ssl.SSLSocket) -> bool:
    try:
        return sock.recv(1) == b""
    except (ConnectionError, ssl.SSLError):
        return True


def test_keep_alive_serves_requests_in_turn(served: Served) -> None:
    with served.connect() as sock:
        for index in range(3):
            sock.sendall(post(b"n%d" % index))
            status, headers, body = read_answer(sock)
            assert (status, body) == (200, b"echo:n%d" % index)
            assert headers["x-extra"] == "yes"
            assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(post(b"slow") + post(b"second"))
        assert read_answer(sock)[2] == b"echo:slow"
        assert read_answer(sock)[2] == b"echo:second"


def test_thousands_of_pipelined_requests_are_answered_in_order(served: Served) -> None:
    requests = [post(b"yield" if index % 100 == 7 else b"%d" % index) for index in range(3000)]
    with served.connect() as sock:
        sock.sendall(b"".join(requests))
        for index in range(3000):
            body = read_answer(sock)[2]
            assert body == (b"echo:yield" if index % 100 == 7 else b"echo:%d" % index)


@pytest.mark.parametrize("body", [b"fail", b"fail late"])
def test_a_failing_route_is_a_500_and_the_server_keeps_serving(
    served: Served, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with served.connect() as sock:
        sock.sendall(post(body))
        status, headers, _ = read_answer(sock)
        assert (status, headers["connection"]) == (500, "close")
    assert "a defect in a route" in caplog.text
    with served.connect() as sock:
        sock.sendall(post(b"fine"))
        assert read_answer(sock)[2] == b"echo:fine"


def test_a_large_answer_and_request_cross_many_tls_records(served: Served) -> None:
    big = bytes(range(256)) * 2000  # 512 KB: dozens of TLS records each way
    with served.connect() as sock:
        sock.sendall(post(big))
        assert read_answer(sock)[2] == b"echo:" + big


def test_connection_close_and_http_1_0_end_the_connection(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(post(b"x", Connection="close"))
        status, headers, _ = read_answer(sock)
        assert (status, headers["connection"]) == (200, "close")
        assert closed_by_server(sock)
    with served.connect() as sock:
        sock.sendall(post(b"x").replace(b"HTTP/1.1", b"HTTP/1.0", 1))
        assert read_answer(sock)[0] == 200
        assert closed_by_server(sock)


def test_expect_100_continue_is_answered_before_the_body(served: Served) -> None:
    with served.connect() as sock:
        request = post(b"payload", Expect="100-continue")
        head, _, body = request.partition(b"\r\n\r\n")
        sock.sendall(head + b"\r\n\r\n")
        assert read_answer(sock)[0] == 100
        sock.sendall(body)
        assert read_answer(sock)[2] == b"echo:payload"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"POST " + PATH.encode() + b" HTTP/2.0\r\n\r\n", 400),
        (b"POST " + PATH.encode() + b" HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
        (b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        (b"POST " + PATH.encode() + b" HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST " + PATH.encode() + b" HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400),
        (b"POST /nothing/here HTTP/1.1\r\n\r\n", 404),
        (b"GET " + PATH.encode() + b" HTTP/1.1\r\n\r\n", 405),
        (b"POST " + PATH.encode() + b" HTTP/1.1\r\n" + b"X: y\r\n" * 100 + b"\r\n", 431),
        (b"POST /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n", 431),
    ],
)
def test_broken_framing_is_refused_and_closed(
    served: Served, request_bytes: bytes, status: int
) -> None:
    with served.connect() as sock:
        sock.sendall(request_bytes)
        answer = read_answer(sock)
        assert answer[0] == status, answer
        assert answer[1]["connection"] == "close"
        assert answer[1].get("allow") == ("POST" if status == 405 else None)
        assert closed_by_server(sock)


@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ("Transfer-Encoding: chunked\r\n", "http.transfer-encoding"),
        (f"Content-Length: {http_server.MAX_BODY_BYTES + 1}\r\n", "http.body-too-large"),
    ],
)
def test_a_body_the_server_will_not_read_gets_the_routes_refusal(
    served: Served, headers: str, rule: str
) -> None:
    with served.connect() as sock:
        sock.sendall(f"POST {PATH} HTTP/1.1\r\n{headers}\r\n".encode())
        status, answer_headers, body = read_answer(sock)
        assert status == 200
        assert body.startswith(f"refused {rule}:".encode())
        assert answer_headers["connection"] == "close"


def test_a_slow_request_is_cut_off(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_server, "REQUEST_TIMEOUT_SECONDS", 0.3)
    with served.connect() as sock:
        sock.sendall(post(b"never finished")[:-3])  # the body stays three bytes short
        status, headers, _ = read_answer(sock)
        assert (status, headers["connection"]) == (408, "close")
        assert closed_by_server(sock)


def test_an_idle_connection_is_closed(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_server, "IDLE_TIMEOUT_SECONDS", 0.2)
    with served.connect() as sock:
        sock.sendall(post(b"once"))
        assert read_answer(sock)[0] == 200
        assert closed_by_server(sock)


def test_a_stalled_handshake_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_server, "TLS_HANDSHAKE_TIMEOUT_SECONDS", 0.2)
    running = Served(selector_tls=True)
    try:
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as raw:
            raw.sendall(b"\x16\x03\x01")  # the start of a ClientHello, and nothing more
            assert raw.recv(1) == b""
        with running.connect() as sock:  # and the server still serves
            sock.sendall(post(b"after"))
            assert read_answer(sock)[2] == b"echo:after"
    finally:
        running.close()


def test_not_tls_at_all_is_dropped_and_the_server_keeps_serving(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as raw:
        raw.sendall(post(b"plain text"))
        with contextlib.suppress(ConnectionResetError):
            assert raw.recv(4096)[:1] in (b"", b"\x15")  # nothing, or a TLS alert
    with served.connect() as sock:
        sock.sendall(post(b"fine"))
        assert read_answer(sock)[2] == b"echo:fine"


def test_stop_lets_a_running_route_answer(served: Served) -> None:
    with served.connect() as sock:
        SLOW_ROUTE_STARTED.clear()
        sock.sendall(post(b"slow"))
        assert SLOW_ROUTE_STARTED.wait(10)
        stopping = asyncio.run_coroutine_threadsafe(served.http.stop(5.0), served.loop)
        status, headers, body = read_answer(sock)
        assert (status, body, headers["connection"]) == (200, b"echo:slow", "close")
        stopping.result(10)


def test_tls_1_2_with_an_sgp22_suite_and_resumption_by_ticket(served: Served) -> None:
    with served.connect() as sock:
        assert (sock.version(), sock.cipher()[0]) == ("TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256")
        sock.sendall(post(b"first"))
        read_answer(sock)
        session = sock.session
        assert session is not None
        assert session.has_ticket
    raw = socket.create_connection(("127.0.0.1", served.port), timeout=10)
    with _client_context().wrap_socket(raw, server_hostname=ADDRESS, session=session) as again:
        again.sendall(post(b"resumed"))
        assert read_answer(again)[2] == b"echo:resumed"
        assert again.session_reused


def test_a_client_without_the_sgp22_suites_is_refused(served: Served) -> None:
    context = _client_context()
    strict = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    strict.load_verify_locations(cadata=context.get_ca_certs(binary_form=True)[0])
    strict.maximum_version = ssl.TLSVersion.TLSv1_2
    strict.set_ciphers("ECDHE-ECDSA-AES256-GCM-SHA384")
    raw = socket.create_connection(("127.0.0.1", served.port), timeout=10)
    with pytest.raises(ssl.SSLError):
        strict.wrap_socket(raw, server_hostname=ADDRESS)
    raw.close()


def test_a_client_that_takes_no_answers_cannot_grow_the_servers_buffers(served: Served) -> None:
    request = post(b"x" * 60_000)  # each answer is as large: megabytes wait unsent
    with served.connect() as sock:
        sock.setblocking(False)
        blocked_since, sent = None, 0
        while blocked_since is None or time.monotonic() - blocked_since < 0.5:
            try:
                sock.send(request)
                sent += 1
                blocked_since = None
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                blocked_since = blocked_since or time.monotonic()
                time.sleep(0.01)
            assert sent < 5000, "the server kept reading requests whose answers pile up"

        async def unsent() -> list[int]:
            return [
                connection._transport.get_write_buffer_size()  # type: ignore[union-attr]
                for connection in served.http.connections
            ]

        waiting = asyncio.run_coroutine_threadsafe(unsent(), served.loop).result(10)
        # Ours stops reading at 256 KB unsent; asyncio's own TLS at its buffers' limits.
        limit = 256 * 1024 if served.selector_tls else 1024 * 1024
        assert max(waiting) <= limit + 2 * len(request)
    with served.connect() as again:  # the server still serves others
        again.sendall(post(b"fine"))
        assert read_answer(again)[2] == b"echo:fine"


def test_stop_leaves_no_connection_open_handshakes_included() -> None:
    running = Served(selector_tls=True)
    try:
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as raw:
            raw.sendall(b"\x16\x03\x01")  # a handshake that never finishes
            with running.connect() as idle:  # and a keep-alive connection at rest
                idle.sendall(post(b"once"))
                assert read_answer(idle)[2] == b"echo:once"
                asyncio.run_coroutine_threadsafe(running.http.stop(0.5), running.loop).result(10)
                assert raw.recv(1) == b""
                assert closed_by_server(idle)
    finally:
        running.close()
