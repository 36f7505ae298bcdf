"""The portal front's HTTP/1.1 server against what a browser sends and what a hostile client
sends: keep-alive and pipelining, ranges of large files, and oversized, slow, garbled or
endless input, each refused with its own status and sentence, the server serving on."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from simulator.background import BackgroundLoop
from simulator.portal import http_server
from simulator.portal.hosting import PortalFront, ReservedSockets, Site
from simulator.portal.http_messages import Answer, FileResponse, Request, Response
from simulator.portal.http_server import HttpServer
from simulator.portal.tls import PortalTls


class Recorder:
    """A dispatch that echoes what it saw, or fails when asked to."""

    def __init__(self, tmp_path: Path) -> None:
        self.seen: list[Request] = []
        self.big = tmp_path / "big.bin"
        self.big.write_bytes(bytes(range(256)) * 40)  # 10,240 bytes

    async def __call__(self, request: Request) -> Answer:
        self.seen.append(request)
        if request.path == "/fail":
            raise RuntimeError("a defect in a site")
        if request.path == "/big":
            return FileResponse(self.big, {"Content-Type": "application/octet-stream"})
        text = f"{request.method} {request.path} q={request.query} body={len(request.body)}"
        return Response.text(200, text)


@pytest.fixture
def loop() -> Iterator[BackgroundLoop]:
    background = BackgroundLoop("test-http-server")
    yield background
    background.stop()


@pytest.fixture
def served(loop: BackgroundLoop, tmp_path: Path) -> Iterator[tuple[int, Recorder, HttpServer]]:
    recorder = Recorder(tmp_path)
    server = HttpServer(recorder)
    listener = socket.create_server(("127.0.0.1", 0))
    loop.run(server.listen(listener, None))
    yield listener.getsockname()[1], recorder, server
    loop.run(server.close())


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=20)


def read_all(client: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    parts = []
    while chunk := client.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


def read_answers(client: socket.socket, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """`count` answers with a Content-Length each: (status, headers, body)."""
    buffer = b""
    answers = []
    while len(answers) < count:
        while b"\r\n\r\n" not in buffer:
            chunk = client.recv(65536)
            assert chunk, f"closed after {len(answers)} answers"
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        length = int(headers["content-length"])
        while len(buffer) < length:
            chunk = client.recv(65536)
            assert chunk
            buffer += chunk
        answers.append((int(status_line.split()[1]), headers, buffer[:length]))
        buffer = buffer[length:]
    return answers


GET = b"GET %s HTTP/1.1\r\nHost: portal.mobileplans.test\r\n\r\n"


def test_keep_alive_and_pipelined_requests_are_answered_in_order(
    served: tuple[int, Recorder, HttpServer],
) -> None:
    port, recorder, _ = served
    with connect(port) as client:
        client.sendall(GET % b"/one?plan=a&plan=b&x=%20y")
        ((status, headers, body),) = read_answers(client, 1)
        assert status == 200
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body == b"GET /one q={'plan': 'a', 'x': ' y'} body=0"
        client.sendall(GET % b"/two" + GET % b"/three" + GET % b"/four")  # one write
        answers = read_answers(client, 3)
    assert [body.split()[1] for _, _, body in answers] == [b"/two", b"/three", b"/four"]
    assert [r.path for r in recorder.seen] == ["/one", "/two", "/three", "/four"]


def test_a_body_arrives_whole_whether_sized_or_chunked(
    served: tuple[int, Recorder, HttpServer],
) -> None:
    port, recorder, _ = served
    with connect(port) as client:
        client.sendall(
            b"POST /api/orders HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            b"POST /api/orders HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        )
        read_answers(client, 2)
    assert [r.body for r in recorder.seen] == [b"hello", b"abcde"]
    assert recorder.seen[0].content_length == 5
    assert recorder.seen[0].headers["content-length"] == "5"


def test_head_gets_the_length_without_the_body(served: tuple[int, Recorder, HttpServer]) -> None:
    port, _, _ = served
    with connect(port) as client:
        client.sendall(b"HEAD /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        raw = read_all(client)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"Content-Length: 19" in head  # of "HEAD /x q={} body=0", as a GET would get
    assert body == b""


def test_an_expect_100_continue_client_is_told_to_send_its_body(
    served: tuple[int, Recorder, HttpServer],
) -> None:
    port, recorder, _ = served
    with connect(port) as client:
        client.sendall(
            b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        assert client.recv(65536).startswith(b"HTTP/1.1 100 ")
        client.sendall(b"ok")
        ((status, _, _),) = read_answers(client, 1)
    assert status == 200
    assert recorder.seen[0].body == b"ok"


@pytest.mark.parametrize(
    ("request_bytes", "status", "says"),
    [
        (b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431, b"16384"),
        (b"GET / HTTP/1.1\r\nHost: h\r\n" + b"X-A: 1\r\n" * 3000, 431, b"16384"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 400, b"HTTP/1.1"),
        (b"GET / HTTP/1.1\r\n\r\n", 400, b"Host"),
        (b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n", 413, b"1048576"),
        (b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n", 400, b"HTTP/1.1"),
        (b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", 405, b"no proxy"),
        (b"GET /\xff HTTP/1.1\r\nHost: h\r\n\r\n", 400, b"HTTP/1.1"),
    ],
    ids=[
        "oversized-head",
        "endless-head",
        "garbage",
        "no-host",
        "declared-too-large",
        "bad-length",
        "connect",
        "not-ascii",
    ],
)
def test_malformed_requests_get_their_status_and_a_sentence_then_the_connection_closes(
    served: tuple[int, Recorder, HttpServer], request_bytes: bytes, status: int, says: bytes
) -> None:
    port, recorder, _ = served
    with connect(port) as client:
        client.sendall(request_bytes)
        raw = read_all(client)
    assert raw.startswith(f"HTTP/1.1 {status} ".encode()), raw[:200]
    assert b"Connection: close" in raw
    assert says in raw.partition(b"\r\n\r\n")[2]
    assert recorder.seen == []
    with connect(port) as client:  # and the server serves on
        client.sendall(GET % b"/after")
        assert read_answers(client, 1)[0][0] == 200


def test_a_slow_head_is_refused_and_an_idle_connection_closed(
    served: tuple[int, Recorder, HttpServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_server, "HEAD_TIMEOUT", 0.2)
    monkeypatch.setattr(http_server, "IDLE_TIMEOUT", 0.2)
    port, recorder, _ = served
    with connect(port) as client:  # slow loris: a head that never ends
        client.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n")
        raw = read_all(client)
    assert raw.startswith(b"HTTP/1.1 408 ")
    assert b"did not arrive within 0.2 s" in raw
    with connect(port) as client:  # a keep-alive connection left idle: closed, no answer
        client.sendall(GET % b"/x")
        read_answers(client, 1)
        assert read_all(client) == b""
    assert len(recorder.seen) == 1


@pytest.mark.parametrize(
    ("limit", "value", "request_bytes", "status"),
    [
        (  # 1,280 bytes of chunks and no end
            "MAX_BODY_BYTES",
            1000,
            b"POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + (b"100\r\n" + b"x" * 256 + b"\r\n") * 5,
            413,
        ),
        (  # 3 of the 10 bytes announced, then nothing
            "BODY_TIMEOUT",
            0.2,
            b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
            408,
        ),
    ],
    ids=["endless-chunks", "slow-body"],
)
def test_a_body_too_long_or_too_slow_is_refused(
    served: tuple[int, Recorder, HttpServer],
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: float,
    request_bytes: bytes,
    status: int,
) -> None:
    monkeypatch.setattr(http_server, limit, value)
    port, recorder, _ = served
    with connect(port) as client:
        client.sendall(request_bytes)
        raw = read_all(client)
    assert raw.startswith(f"HTTP/1.1 {status} ".encode())
    assert recorder.seen == []


def test_a_failing_handler_is_a_500_that_names_it_and_the_connection_goes_on(
    served: tuple[int, Recorder, HttpServer], caplog: pytest.LogCaptureFixture
) -> None:
    port, _, _ = served
    with connect(port) as client:
        client.sendall(GET % b"/fail" + GET % b"/fine")
        (failed, fine) = read_answers(client, 2)
    assert failed[0] == 500
    assert b"a defect in a site" in failed[2]
    assert fine[0] == 200
    assert "could not answer GET /fail" in caplog.text
    caplog.clear()  # logged on purpose


def test_connections_beyond_the_limit_are_closed_at_once(
    served: tuple[int, Recorder, HttpServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_server, "MAX_CONNECTIONS", 2)
    port, _, server = served
    first, second = connect(port), connect(port)
    with first, second:
        first.sendall(GET % b"/1")
        second.sendall(GET % b"/2")
        read_answers(first, 1)
        read_answers(second, 1)
        with connect(port) as third:
            try:
                third.sendall(GET % b"/3")
                assert read_all(third) == b""
            except ConnectionResetError:
                pass
        assert server.open_connections == 2


@pytest.mark.parametrize(
    ("range_header", "status", "first", "length", "content_range"),
    [
        (None, 200, 0, 10240, None),
        ("bytes=0-99", 206, 0, 100, "bytes 0-99/10240"),
        ("bytes=10000-", 206, 10000, 240, "bytes 10000-10239/10240"),
        ("bytes=-16", 206, 10224, 16, "bytes 10224-10239/10240"),
        ("bytes=10200-99999", 206, 10200, 40, "bytes 10200-10239/10240"),
        ("bytes=20000-", 416, 0, 0, "bytes */10240"),
        ("bytes=0-1,5-6", 416, 0, 0, "bytes */10240"),
        ("items=0-1", 416, 0, 0, "bytes */10240"),
    ],
)
def test_large_files_stream_with_ranges(
    served: tuple[int, Recorder, HttpServer],
    range_header: str | None,
    status: int,
    first: int,
    length: int,
    content_range: str | None,
) -> None:
    port, recorder, _ = served
    extra = b"" if range_header is None else f"Range: {range_header}\r\n".encode()
    with connect(port) as client:
        client.sendall(b"GET /big HTTP/1.1\r\nHost: h\r\n" + extra + b"\r\n" + GET % b"/next")
        (answer, following) = read_answers(client, 2)
    assert answer[0] == status
    assert answer[1].get("content-range") == content_range
    assert answer[2] == recorder.big.read_bytes()[first : first + length]
    assert answer[1]["accept-ranges"] == "bytes"
    assert following[0] == 200  # the connection stays usable after a streamed file


def test_the_portal_front_routes_by_host_over_tls_and_plain_http(
    loop: BackgroundLoop, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text("<title>portal</title>")
    tls = PortalTls.generate(dt.datetime.now(dt.UTC))
    sockets = ReservedSockets.reserve()
    front = PortalFront(sockets, tls.server_context(tmp_path / "scratch"))

    async def order(request: Request) -> Answer:
        return Response.json({"got": request.body.decode()}, status=201)

    front.attach("contoso.mobileplans.test", Site(tmp_path, {("POST", "/api/orders"): order}))
    seen: list[tuple[str, str, str]] = []
    front.observe(lambda scheme, host, path_qs, headers: seen.append((scheme, host, path_qs)))
    loop.run(front.start())
    try:
        client_context = ssl.create_default_context(cadata=tls.ca_pem.decode())
        raw = socket.create_connection(("127.0.0.1", sockets.tls_port), timeout=20)
        with client_context.wrap_socket(
            raw, server_hostname="contoso.mobileplans.test"
        ) as tls_client:
            tls_client.sendall(
                b"GET /?a=1 HTTP/1.1\r\nHost: contoso.mobileplans.test\r\n\r\n"
                b"POST /api/orders HTTP/1.1\r\nHost: CONTOSO.mobileplans.test:443\r\n"
                b"Content-Length: 2\r\n\r\nhi"
                b"GET / HTTP/1.1\r\nHost: nobody.mobileplans.test\r\n\r\n"
                b"DELETE / HTTP/1.1\r\nHost: contoso.mobileplans.test\r\n\r\n"
                b"GET /%2e%2e/x HTTP/1.1\r\nHost: contoso.mobileplans.test\r\n\r\n"
            )
            page, posted, unknown, delete, outside = read_answers(tls_client, 5)
        assert (page[0], page[2]) == (200, b"<title>portal</title>")
        assert page[1]["cache-control"] == "no-store"
        assert (posted[0], posted[2]) == (201, b'{"got": "hi"}')
        assert posted[1]["content-type"] == "application/json; charset=utf-8"
        assert (unknown[0], unknown[2]) == (
            421,
            b"no portal is attached at nobody.mobileplans.test\n",
        )
        assert (delete[0], delete[2]) == (404, b"nothing at /\n")
        assert outside[0] == 403
        with connect(sockets.plain_port) as plain:
            plain.sendall(GET % b"/")
            assert read_answers(plain, 1)[0][0] == 421  # nothing attached at that host
        with connect(sockets.tls_port) as not_tls:  # plain text on the TLS port
            not_tls.sendall(GET % b"/")
            with contextlib.suppress(ConnectionResetError):
                assert read_all(not_tls) == b""
    finally:
        loop.run(front.stop())
    assert seen[:2] == [
        ("https", "contoso.mobileplans.test", "/?a=1"),
        ("https", "contoso.mobileplans.test", "/api/orders"),
    ]
    assert ("http", "portal.mobileplans.test", "/") in seen


def test_answers_leave_without_waiting_for_the_peers_ack() -> None:
    # The front's sockets are plain stream sockets (proto 0), which asyncio leaves with Nagle's
    # algorithm on; every keep-alive answer then waited ~40 ms for the browser's delayed ACK.
    sockets = ReservedSockets.reserve()
    sockets.plain.setblocking(True)
    with socket.create_connection(("127.0.0.1", sockets.plain_port)):
        accepted, _ = sockets.plain.accept()
        with accepted:
            assert not accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

            class Writer:
                def get_extra_info(self, name: str) -> object:
                    return accepted if name == "socket" else None

            http_server._send_at_once(cast(asyncio.StreamWriter, Writer()))
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    sockets.tls.close()
    sockets.plain.close()
