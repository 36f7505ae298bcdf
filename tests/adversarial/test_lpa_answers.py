"""The LPA reading a hostile SM-DP+'s HTTP answers: bounded in size, malformed JSON refused."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator

import httpx
import pytest
from lpa_stack import certificates

from esim.lpa.errors import Es9TransportError
from esim.lpa.es9_client import MAX_ANSWER_BYTES, Es9Client


def answering(response: httpx.Response) -> Es9Client:
    client = Es9Client([certificates().ci.certificate])
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: response))
    return client


async def endless() -> AsyncIterator[bytes]:
    chunk = b" " * 65536
    for _ in range(MAX_ANSWER_BYTES // len(chunk) + 10):
        yield chunk


BOMB = gzip.compress(b" " * (MAX_ANSWER_BYTES + 1024))


@pytest.mark.parametrize(
    ("response", "says"),
    [
        (httpx.Response(200, content=endless()), "more than"),
        (httpx.Response(200, content=BOMB, headers={"Content-Encoding": "gzip"}), "more than"),
        (httpx.Response(200, content=b"[" * 100_000), "not JSON"),
        (httpx.Response(200, content=b'{"header":' + b"9" * 5000 + b"}"), "not JSON"),
        (httpx.Response(200, content=b"\xff\xfe"), "not JSON"),
    ],
    ids=["endless", "gzip-bomb", "deep", "huge-number", "not-utf8"],
)
def test_hostile_answers_are_transport_errors(response: httpx.Response, says: str) -> None:
    async def call() -> None:
        async with answering(response) as client:
            await client.initiate_authentication("smdp.example", bytes(16), b"\x00")

    with pytest.raises(Es9TransportError) as caught:
        asyncio.run(call())
    assert caught.value.kind == "malformed"
    assert says in caught.value.message
