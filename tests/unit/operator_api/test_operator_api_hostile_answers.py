"""A team's staging endpoint may answer anything. Each hostile answer is one clear finding with
its rule, in bounded time and memory; the service never crashes on it."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace

import pytest
from operator_harness import (  # type: ignore[import-not-found]
    Operator,
    fresh_fixture,  # noqa: F401 - registers the fixture "fresh"
    operator_fixture,  # noqa: F401 - registers the fixture "operator"
    operator_tls_fixture,  # noqa: F401 - registers the fixture "operator_tls"
)

from simulator.operator_api.client import Exchange, decode_body
from simulator.operator_api.contract import MAX_BODY_BYTES
from simulator.operator_api.requests import Api
from simulator.operator_api.sample_operator import ScriptedAnswer

JSON = {"Content-Type": "application/json"}


def rules(exchange: Exchange) -> set[str]:
    return {v.rule for v in exchange.checked.violations}


# -- answers the sample operator can be scripted to give ---------------------------------------
def test_a_gzip_bomb_is_read_no_further_than_the_body_bound(fresh: Operator) -> None:
    """64 MB of zeros in about 64 KB: inflated only up to the bound, then refused."""
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=1)
    answer = ScriptedAnswer(200, raw=bomb, headers={**JSON, "Content-Encoding": "gzip"})
    exchange = fresh.call(Api.GET_BALANCE, answer)
    assert rules(exchange) == {"transport.too-large"}
    assert exchange.response is not None
    assert len(exchange.response.body) == MAX_BODY_BYTES + 1


def test_a_gzip_answer_within_the_bound_is_read(fresh: Operator) -> None:
    body = gzip.compress(b'{"offers": [{"gatewayId": "0"}]}')
    answer = ScriptedAnswer(200, raw=body, headers={**JSON, "Content-Encoding": "gzip"})
    exchange = fresh.call(Api.GET_OFFERS, answer)
    assert rules(exchange) == set()
    assert exchange.checked.gateway_ids == ["0"]


def test_a_corrupt_gzip_body_is_a_protocol_finding(fresh: Operator) -> None:
    answer = ScriptedAnswer(
        200, raw=b"\x1f\x8bnot gzip", headers={**JSON, "Content-Encoding": "gzip"}
    )
    exchange = fresh.call(Api.GET_OFFERS, answer)
    assert rules(exchange) == {"transport.protocol"}
    assert "does not inflate" in exchange.checked.violations[0].message


@pytest.mark.parametrize("retry_after", ["9" * 300, "864001", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_an_absurd_retry_after_is_unreasonable_not_invalid(
    fresh: Operator, retry_after: str
) -> None:
    answer = ScriptedAnswer(429, raw=b"", headers={"Retry-After": retry_after})
    exchange = fresh.call(Api.GET_BALANCE, answer)
    assert rules(exchange) == {"status.too-many-requests", "status.retry-after-unreasonable"}


def test_a_day_of_retry_after_is_still_reasonable(fresh: Operator) -> None:
    answer = ScriptedAnswer(429, raw=b"", headers={"Retry-After": "86400"})
    exchange = fresh.call(Api.GET_BALANCE, answer)
    assert rules(exchange) == {"status.too-many-requests"}
    assert exchange.checked.retry_after == 86400


def test_a_redirect_to_another_host_is_not_followed(fresh: Operator) -> None:
    answer = ScriptedAnswer(302, raw=b"", headers={"Location": "https://elsewhere.example/"})
    exchange = fresh.call(Api.GET_BALANCE, answer)
    assert rules(exchange) == {"status.undocumented"}
    assert exchange.checked.status == 302
    assert "redirect to 'https://elsewhere.example/'" in exchange.checked.violations[0].message


def test_an_html_login_page_is_not_json(fresh: Operator) -> None:
    page = ScriptedAnswer(200, raw=b"<html>Sign in</html>", headers={"Content-Type": "text/html"})
    exchange = fresh.call(Api.GET_BALANCE, page)
    assert rules(exchange) == {"header.content-type", "body.not-json"}


def test_a_silent_operator_says_how_long_it_waited(fresh: Operator) -> None:
    slow = ScriptedAnswer(200, {"offers": []}, delay_seconds=1.0)
    exchange = fresh.call(Api.GET_OFFERS, slow, timeout=0.2)
    assert rules(exchange) == {"transport.timeout"}
    assert "within 0.2 s" in exchange.checked.violations[0].message


# -- answers that are not HTTP at all: a raw TLS server ---------------------------------------
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture(name="raw_server")
def raw_server_fixture(fresh: Operator) -> Iterator[Callable[[bytes], str]]:
    """Serve fixed bytes over TLS after reading a request; gives the base URL to call."""
    servers: list[asyncio.Server] = []

    def serve(reply: bytes) -> str:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(reply)
                await writer.drain()
            finally:
                writer.close()

        async def start() -> asyncio.Server:
            return await asyncio.start_server(
                answer, "127.0.0.1", 0, ssl=fresh.tls.server_context()
            )

        server = fresh.loop.run(start())
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"https://127.0.0.1:{port}/v1/"

    yield serve

    async def stop() -> None:
        for server in servers:
            server.close()
            await server.wait_closed()

    fresh.loop.run(stop())


@pytest.mark.parametrize(
    "reply",
    [
        b"\x00\x9f garbage that is no status line\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"a" * 200_000 + b"\r\n\r\n",
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ba',
    ],
    ids=["garbled-status-line", "oversized-headers", "body-cut-short"],
)
def test_what_is_not_http_is_a_protocol_finding(
    fresh: Operator, raw_server: Callable[[bytes], str], reply: bytes
) -> None:
    base = raw_server(reply)
    config = replace(fresh.config, mo_base_url=base)
    exchange = fresh.call(Api.GET_BALANCE, config=config)
    assert rules(exchange) == {"transport.protocol"}
    assert exchange.response is None


def test_an_unusable_url_is_a_finding_not_an_exception(fresh: Operator) -> None:
    """A configuration built in code (not from the checked file) may still hold one."""
    config = replace(fresh.config, mo_base_url="https://[::1/v1/")
    exchange = fresh.call(Api.GET_BALANCE, config=config)
    assert rules(exchange) == {"transport.unreachable"}


# -- the bounded decoder on its own ---------------------------------------------------------------
def test_decode_body_bounds_deflate_and_passes_other_encodings_through() -> None:
    import zlib

    assert decode_body(zlib.compress(b"x" * 1000), "deflate", 10) == b"x" * 10
    raw_deflate = zlib.compressobj(wbits=-15)
    stream = raw_deflate.compress(b"{}") + raw_deflate.flush()
    assert decode_body(stream, "Deflate", 100) == b"{}"
    assert decode_body(b"\x81\x02br", "br", 100) == b"\x81\x02br"  # left for body.not-json
    assert decode_body(b"abc", "", 2) == b"ab"
