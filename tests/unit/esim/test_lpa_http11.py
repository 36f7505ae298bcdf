"""esim.lpa.http11 against a scripted TLS server: keep-alive, reconnection, chunked and gzip
bodies, and every failure as the httpx exception the ES9+ client expects."""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from lpa_stack import SMDP_ADDRESS, certificates

from esim.lpa.http11 import Http11Client, TlsHandshakeError
from esim.lpa.transport import UnresolvedHost, trust_context
from esim.smdp.server import server_ssl_context

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
URL = f"https://{SMDP_ADDRESS}/gsma/rsp2/es9plus/initiateAuthentication"


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await reader.readexactly(length)


@asynccontextmanager
async def scripted_server(
    answer: Answer, tmp_path: Path, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[int, list[int]]]:
    """A TLS server running ``answer`` per connection; yields (port, connection numbers)."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(len(connections))
        try:
            await answer(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    context = tls or server_ssl_context(certificates(), tmp_path)
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1], connections
    finally:
        server.close()
        await server.wait_closed()


_SOCKET_TLS = [True]


@pytest.fixture(autouse=True, params=["ssl-socket", "asyncio-streams"])
def connection_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test runs on both connections: the SSLSocket on the selector, and asyncio's streams
    (what loops without ``add_reader``, Windows' proactor, use)."""
    _SOCKET_TLS[0] = request.param == "ssl-socket"
    yield str(request.param)
    _SOCKET_TLS[0] = True


def client(port: int, timeout: float = 5.0, resolver: bool = True) -> Http11Client:
    return Http11Client(
        trust_context([certificates().ci.certificate]),
        resolver={SMDP_ADDRESS: ("127.0.0.1", port)} if resolver else {},
        timeout=timeout,
        headers={"User-Agent": "gsma-rsp-lpad"},
        socket_tls=_SOCKET_TLS[0],
    )


async def fetch(http: Http11Client, content: bytes = b"{}") -> tuple[int, bytes]:
    async with http.stream("POST", URL, content=content) as response:
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    return response.status_code, body


def fetch_once(answer: Answer, tmp_path: Path) -> tuple[int, bytes]:
    """One request to a server that answers with `answer`: the status and the body read."""

    async def scenario() -> tuple[int, bytes]:
        async with scripted_server(answer, tmp_path) as (port, _):
            http = client(port)
            try:
                return await fetch(http)
            finally:
                await http.aclose()

    return asyncio.run(scenario())


def ok(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(body), extra) + body


def test_requests_share_one_connection_and_carry_host_and_headers(tmp_path: Path) -> None:
    requests: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            requests.append(await read_request(reader))
            writer.write(ok(b'{"n": %d}' % len(requests)))
            await writer.drain()

    async def scenario() -> list[tuple[int, bytes]]:
        async with scripted_server(answer, tmp_path) as (port, connections):
            http = client(port)
            results = [await fetch(http, b'{"a": 1}') for _ in range(3)]
            await http.aclose()
            assert connections == [0]
            return results

    assert asyncio.run(scenario()) == [(200, b'{"n": 1}'), (200, b'{"n": 2}'), (200, b'{"n": 3}')]
    first = requests[0]
    assert first.startswith(b"POST /gsma/rsp2/es9plus/initiateAuthentication HTTP/1.1\r\n")
    assert b"host: smdp.mobileplans.test\r\n" in first.lower()
    assert b"user-agent: gsma-rsp-lpad\r\n" in first.lower()
    assert first.endswith(b'\r\n\r\n{"a": 1}')


def test_a_server_that_closes_after_each_answer_gets_a_new_connection(tmp_path: Path) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(ok(b"{}", b"Connection: close\r\n"))
        await writer.drain()

    async def scenario() -> list[int]:
        async with scripted_server(answer, tmp_path) as (port, connections):
            http = client(port)
            assert [await fetch(http) for _ in range(2)] == [(200, b"{}")] * 2
            await http.aclose()
            return connections

    assert asyncio.run(scenario()) == [0, 1]


@pytest.mark.parametrize("pause", ["loop-running", "loop-blocked"])
def test_a_kept_alive_connection_the_server_closed_while_idle_is_not_reused(
    pause: str, tmp_path: Path
) -> None:
    # Servers close idle keep-alive connections when they like (no "Connection: close" in the
    # answer): the next request goes on a new connection, as it did through httpx. Between two
    # ES9+ calls the card's work may hold the loop ("loop-blocked").
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(ok(b"{}"))
        await writer.drain()

    async def scenario() -> list[int]:
        async with scripted_server(answer, tmp_path) as (port, connections):
            http = client(port)
            results = [await fetch(http)]
            if pause == "loop-running":
                await asyncio.sleep(0.3)
            else:
                time.sleep(0.3)
            results.append(await fetch(http))
            await http.aclose()
            assert results == [(200, b"{}")] * 2
            return connections

    assert asyncio.run(scenario()) == [0, 1]


def test_chunked_and_gzip_bodies_are_decoded(tmp_path: Path) -> None:
    payload = b'{"boundProfilePackage": "' + b"A" * 200_000 + b'"}'
    packed = gzip.compress(payload)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")
        writer.write(b"Content-Encoding: gzip\r\n\r\n")
        for start in range(0, len(packed), 1000):
            piece = packed[start : start + 1000]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    assert fetch_once(answer, tmp_path) == (200, payload)


def test_a_compressed_bomb_comes_out_in_bounded_pieces(tmp_path: Path) -> None:
    bomb = gzip.compress(b" " * 20_000_000)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(ok(bomb, b"Content-Encoding: gzip\r\n"))
        await writer.drain()

    async def scenario() -> int:
        async with scripted_server(answer, tmp_path) as (port, _):
            http = client(port)
            largest = 0
            async with http.stream("POST", URL, content=b"{}") as response:
                async for chunk in response.aiter_bytes():
                    largest = max(largest, len(chunk))
                    break  # the ES9+ client stops reading past its bound
            await http.aclose()
            return largest

    assert 0 < asyncio.run(scenario()) <= 65536


def failure(answer: Answer, tmp_path: Path, **options: object) -> httpx.HTTPError:
    async def scenario() -> None:
        async with scripted_server(answer, tmp_path) as (port, _):
            http = client(port, **options)  # type: ignore[arg-type]
            try:
                await fetch(http)
            finally:
                await http.aclose()

    with pytest.raises(httpx.HTTPError) as caught:
        asyncio.run(scenario())
    return caught.value


async def _truncated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
    await writer.drain()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"SMTP ready\r\n\r\n")
    await writer.drain()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await asyncio.sleep(5)


async def _endless_continue(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    while True:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()


async def _endless_header(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nX-Padding: ")
    while True:
        writer.write(b"a" * 4096)
        await writer.drain()


def test_endless_informational_answers_are_refused(tmp_path: Path) -> None:
    error = failure(_endless_continue, tmp_path)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert "1xx" in str(error)


def test_an_endless_header_is_refused_at_h11s_bound(tmp_path: Path) -> None:
    assert isinstance(failure(_endless_header, tmp_path), httpx.RemoteProtocolError)


def test_a_body_that_ends_with_the_connection_is_read_whole(tmp_path: Path) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"closed": true}')
        await writer.drain()

    assert fetch_once(answer, tmp_path) == (200, b'{"closed": true}')


def test_a_cut_answer_is_a_remote_protocol_error(tmp_path: Path) -> None:
    assert isinstance(failure(_truncated, tmp_path), httpx.RemoteProtocolError)


def test_an_answer_that_is_not_http_is_a_remote_protocol_error(tmp_path: Path) -> None:
    assert isinstance(failure(_garbage, tmp_path), httpx.RemoteProtocolError)


def test_a_silent_server_is_a_read_timeout(tmp_path: Path) -> None:
    assert isinstance(failure(_silent, tmp_path, timeout=0.2), httpx.ReadTimeout)


async def _dripping_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 200:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.05)


async def _dripping_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n")
    for _ in range(200):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("answer", [_dripping_head, _dripping_body], ids=["head", "body"])
def test_a_server_dripping_its_answer_is_a_read_timeout(answer: Answer, tmp_path: Path) -> None:
    # Each byte comes well within the timeout: the answer as a whole must not outlast it.
    assert isinstance(failure(answer, tmp_path, timeout=0.5), httpx.ReadTimeout)


def test_a_host_outside_the_resolver_table_is_never_looked_up(tmp_path: Path) -> None:
    error = failure(_silent, tmp_path, resolver=False)
    assert isinstance(error, httpx.ConnectError)
    assert isinstance(error.__cause__, UnresolvedHost)


def test_a_server_certificate_from_another_ci_fails_verification(tmp_path: Path) -> None:
    from lpa_stack import foreign_certificates

    async def scenario() -> None:
        foreign = server_ssl_context(foreign_certificates(), tmp_path)
        async with scripted_server(_silent, tmp_path, tls=foreign) as (port, _):
            http = client(port)
            try:
                await fetch(http)
            finally:
                await http.aclose()

    with pytest.raises(httpx.ConnectError) as caught:
        asyncio.run(scenario())
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)


def test_a_peer_that_drops_the_handshake_is_a_tls_handshake_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(10)  # the ClientHello's first bytes, then hang up
            writer.transport.abort()

        server = await asyncio.start_server(drop, "127.0.0.1", 0)  # plain TCP: no TLS at all
        http = client(server.sockets[0].getsockname()[1])
        try:
            await fetch(http)
        finally:
            await http.aclose()
            server.close()
            await server.wait_closed()

    with pytest.raises(httpx.ConnectError) as caught:
        asyncio.run(scenario())
    assert isinstance(caught.value.__cause__, TlsHandshakeError)


def test_only_https_urls_are_fetched() -> None:
    async def scenario() -> None:
        async with client(1).stream("POST", "http://smdp.example/x", content=b"{}"):
            pass

    with pytest.raises(httpx.UnsupportedProtocol):
        asyncio.run(scenario())


def test_without_a_resolver_the_url_host_is_dialled_and_checked(tmp_path: Path) -> None:
    """Real SM-DP+s: DNS gives the address, and the certificate must name the URL's host."""

    async def scenario() -> None:
        async with scripted_server(_silent, tmp_path) as (port, _):
            http = Http11Client(
                trust_context([certificates().ci.certificate]),
                resolver=None,
                timeout=5.0,
                headers={},
                socket_tls=_SOCKET_TLS[0],
            )
            try:
                async with http.stream("POST", f"https://localhost:{port}/x", content=b"{}"):
                    pass
            finally:
                await http.aclose()

    with pytest.raises(httpx.ConnectError) as caught:
        asyncio.run(scenario())
    # the TCP connection was made (through DNS): TLS then refused a certificate for another host
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
    assert "localhost" in str(caught.value)


def test_a_download_cancelled_mid_handshake_closes_its_socket(tmp_path: Path) -> None:
    """An aborted download (its task cancelled) while the server has not answered the
    ClientHello: the cancellation propagates and the server sees the connection end."""

    async def scenario() -> bytes:
        hello = asyncio.Event()
        ended: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

        async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(10)  # the ClientHello's first bytes; no answer
            hello.set()
            rest = await reader.read()  # b"" once the client closed
            ended.set_result(rest)
            writer.close()

        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        http = client(server.sockets[0].getsockname()[1])
        task = asyncio.create_task(fetch(http))
        await hello.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        try:
            async with asyncio.timeout(5):
                return await ended
        finally:
            await http.aclose()
            server.close()
            await server.wait_closed()

    assert not asyncio.run(scenario()).startswith(b"\x17")  # no application data followed


def test_a_corrupted_record_in_an_answer_is_a_read_error(tmp_path: Path) -> None:
    """Bytes that are not a TLS record arrive where the answer should: OpenSSL's verdict comes
    back as httpx.ReadError, within the timeout, and the connection is not reused."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        tcp = writer.transport.get_extra_info("socket")  # under the server's TLS
        with socket.socket(fileno=os.dup(tcp.fileno())) as raw:
            raw.send(b"\x17\x03\x03\x00\x20" + b"\x00" * 32)  # application data failing its MAC
        await asyncio.sleep(1)

    error = failure(answer, tmp_path, timeout=3.0)
    assert isinstance(error, httpx.ReadError)


def test_a_handshake_alert_is_a_tls_handshake_error(tmp_path: Path) -> None:
    """A server that answers the ClientHello with a fatal alert (handshake_failure)."""

    async def scenario() -> None:
        async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.read(5)
                writer.write(b"\x15\x03\x03\x00\x02\x02\x28")  # fatal handshake_failure
                await writer.drain()
                await reader.read()  # until the client hangs up
            finally:
                writer.close()

        server = await asyncio.start_server(refuse, "127.0.0.1", 0)
        http = client(server.sockets[0].getsockname()[1], timeout=3.0)
        try:
            await fetch(http)
        finally:
            await http.aclose()
            server.close()
            await server.wait_closed()

    with pytest.raises(httpx.ConnectError) as caught:
        asyncio.run(scenario())
    assert isinstance(caught.value.__cause__, TlsHandshakeError)
    assert "HANDSHAKE_FAILURE" in str(caught.value).upper()


def test_a_header_with_a_line_break_fails_the_request_not_the_client() -> None:
    """A header value that would split the request (CR LF) is refused when a request is made,
    as an HTTP error the ES9+ client reports; nothing is sent."""
    http = Http11Client(
        trust_context([certificates().ci.certificate]),
        resolver={SMDP_ADDRESS: ("127.0.0.1", 1)},
        timeout=1.0,
        headers={"User-Agent": "lpa\r\nX-Injected: 1"},
        socket_tls=_SOCKET_TLS[0],
    )

    async def scenario() -> None:
        async with http.stream("POST", URL, content=b"{}"):
            pass

    with pytest.raises(httpx.LocalProtocolError, match="not a valid request header"):
        asyncio.run(scenario())
