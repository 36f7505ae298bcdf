"""TLS session resumption between the LPA's HTTP client and an SM-DP+: the second connection
to a server resumes, a server that cannot resume still gets a full (verified) handshake, the
cache stays bounded and keyed by the server, and a session never leaks to another task."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lpa_stack import SMDP_ADDRESS, certificates

from esim.lpa.http11 import Http11Client
from esim.lpa.tls_sessions import ResumingClientContext, TlsSessionCache
from esim.lpa.transport import trust_context
from esim.smdp.server import server_ssl_context

URL = f"https://{SMDP_ADDRESS}/gsma/rsp2/es9plus/initiateAuthentication"
BODY = b"{}"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


def fresh_context() -> ResumingClientContext:
    """A trusting context of its own, so no other test's sessions are in its cache."""
    context = ResumingClientContext(ssl.PROTOCOL_TLS_CLIENT)
    pem = certificates().ci.certificate.public_bytes(Encoding.PEM).decode("ascii")
    context.load_verify_locations(cadata=pem)
    return context


@asynccontextmanager
async def server(tls: ssl.SSLContext) -> AsyncIterator[tuple[int, list[bool]]]:
    """An HTTPS server answering every request; yields (port, session_reused per connection)."""
    reused: list[bool] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ssl_object = writer.get_extra_info("ssl_object")
        reused.append(bool(ssl_object.session_reused))
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                writer.write(ANSWER)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    try:
        yield listener.sockets[0].getsockname()[1], reused
    finally:
        listener.close()
        await listener.wait_closed()


def client(context: ssl.SSLContext, port: int) -> Http11Client:
    return Http11Client(
        context,
        resolver={SMDP_ADDRESS: ("127.0.0.1", port)},
        timeout=5.0,
        headers={"User-Agent": "gsma-rsp-lpad"},
    )


async def download_like(context: ssl.SSLContext, port: int, requests: int = 2) -> None:
    """What a download does: a few requests over one client, then close it."""
    http = client(context, port)
    try:
        for _ in range(requests):
            async with http.stream("POST", URL, content=BODY) as response:
                assert response.status_code == 200
                assert b"".join([chunk async for chunk in response.aiter_bytes()]) == BODY
    finally:
        await http.aclose()


def test_the_next_download_to_the_same_server_resumes_the_session(tmp_path: Path) -> None:
    context = fresh_context()

    async def scenario() -> list[bool]:
        async with server(server_ssl_context(certificates(), tmp_path)) as (port, reused):
            key = (SMDP_ADDRESS.lower(), "127.0.0.1", port)
            await download_like(context, port)
            first = context.sessions.get(key)
            assert first is not None
            for _ in range(2):
                await download_like(context, port)
                assert context.sessions.get(key) is first  # resumed: kept, not copied again
            return reused

    assert asyncio.run(scenario()) == [False, True, True]
    assert len(context.sessions) == 1


def test_a_server_that_cannot_resume_gets_a_full_handshake(tmp_path: Path) -> None:
    """A restarted SM-DP+ (new ticket key) on the same port: the offered session is refused
    by the server, the handshake completes in full, and the new session is remembered."""
    context = fresh_context()

    async def scenario() -> tuple[list[bool], list[bool]]:
        async with server(server_ssl_context(certificates(), tmp_path)) as (port, first):
            await download_like(context, port)
            session_key = (SMDP_ADDRESS.lower(), "127.0.0.1", port)
            old = context.sessions.get(session_key)
        assert old is not None
        async with server(server_ssl_context(certificates(), tmp_path)) as (new_port, second):
            # The restarted server is reached under the old key: offer the old session there.
            context.sessions.remember((SMDP_ADDRESS.lower(), "127.0.0.1", new_port), old)
            await download_like(context, new_port)
            await download_like(context, new_port)
            return first, second

    first, second = asyncio.run(scenario())
    assert first == [False]
    assert second == [False, True]


def test_a_server_without_tickets_is_never_offered_a_session(tmp_path: Path) -> None:
    context = fresh_context()
    tls = server_ssl_context(certificates(), tmp_path)
    tls.maximum_version = ssl.TLSVersion.TLSv1_3  # a TLS 1.3 server that issues no ticket
    tls.num_tickets = 0

    async def scenario() -> list[bool]:
        async with server(tls) as (port, reused):
            await download_like(context, port)
            await download_like(context, port)
            return reused

    assert asyncio.run(scenario()) == [False, False]
    assert len(context.sessions) == 0


def test_sessions_are_kept_per_server_and_bounded(tmp_path: Path) -> None:
    context = fresh_context()
    context.sessions = TlsSessionCache(capacity=1)

    async def scenario() -> tuple[list[bool], list[bool]]:
        async with (
            server(server_ssl_context(certificates(), tmp_path)) as (port_a, reused_a),
            server(server_ssl_context(certificates(), tmp_path)) as (port_b, reused_b),
        ):
            await download_like(context, port_a)
            await download_like(context, port_b)  # evicts A's session (capacity 1)
            await download_like(context, port_a)  # full again, evicts B's
            await download_like(context, port_a)  # resumes
            return reused_a, reused_b

    reused_a, reused_b = asyncio.run(scenario())
    assert reused_a == [False, False, True]
    assert reused_b == [False]
    assert len(context.sessions) == 1


def test_an_offer_is_visible_only_inside_its_block_and_task(tmp_path: Path) -> None:
    context = fresh_context()

    def new_object() -> ssl.SSLObject:
        return context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname=SMDP_ADDRESS)

    async def scenario() -> None:
        async with server(server_ssl_context(certificates(), tmp_path)) as (port, _):
            await download_like(context, port)
            key = (SMDP_ADDRESS.lower(), "127.0.0.1", port)
        remembered = context.sessions.get(key)
        assert remembered is not None
        assert new_object().session is None  # outside any block: a full handshake
        with context.sessions.offering((SMDP_ADDRESS.lower(), "127.0.0.1", port + 1)):
            assert new_object().session is None  # another server's key: nothing to offer
        go = asyncio.Event()

        async def other_download() -> ssl.SSLSession | None:
            await go.wait()
            return new_object().session

        other = asyncio.create_task(other_download())  # a concurrent task, its own context
        with context.sessions.offering(key):
            offered = new_object().session
            assert offered is not None
            assert offered.id == remembered.id
            go.set()
            assert await other is None
        assert new_object().session is None

    asyncio.run(scenario())


def test_the_shared_trust_context_resumes() -> None:
    assert isinstance(trust_context([certificates().ci.certificate]), ResumingClientContext)


@pytest.mark.parametrize("capacity", [1, 3])
def test_remember_refuses_what_cannot_resume(capacity: int) -> None:
    cache = TlsSessionCache(capacity=capacity)
    cache.remember((SMDP_ADDRESS, "127.0.0.1", 1), None)
    assert len(cache) == 0
    assert cache.get((SMDP_ADDRESS, "127.0.0.1", 1)) is None


@pytest.mark.parametrize("tickets", [True, False], ids=["ticket", "session-id"])
def test_a_tls_1_2_server_resumes_by_ticket_or_by_session_id(tmp_path: Path, tickets: bool) -> None:
    """Most SM-DP+s in the field speak TLS 1.2, where a server may resume by ticket or by the
    session ID it keeps in its cache."""
    context = fresh_context()
    tls = server_ssl_context(certificates(), tmp_path)
    tls.maximum_version = ssl.TLSVersion.TLSv1_2
    if not tickets:
        tls.options |= ssl.OP_NO_TICKET

    async def scenario() -> list[bool]:
        async with server(tls) as (port, reused):
            for _ in range(3):
                await download_like(context, port)
            key = (SMDP_ADDRESS.lower(), "127.0.0.1", port)
            session = context.sessions.get(key)
            assert session is not None
            assert session.has_ticket is tickets
            return reused

    assert asyncio.run(scenario()) == [False, True, True]
