"""The two LPA clients of ``bench_smdp.py``: HTTPS/1.1 without httpx, cheap enough that one
client process can load the SM-DP+ (see that bench's docstring for what they do and skip).

Not a test module; the bench imports it from its own directory.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "esim"))

import smdp_fake_euicc  # noqa: E402
from smdp_fake_euicc import ADDRESS  # noqa: E402

from esim.lpa.tls_sessions import ResumingClientContext  # noqa: E402
from esim.lpa.tls_socket import connect_socket, start_socket_tls  # noqa: E402


def es9_request(function: str, body: dict[str, Any]) -> bytes:
    """One ES9+ request as an LPA writes it: the HTTP head and the JSON body."""
    payload = json.dumps(body).encode()
    head = (
        f"POST /gsma/rsp2/es9plus/{function} HTTP/1.1\r\nHost: {ADDRESS}\r\n"
        "Content-Type: application/json\r\nX-Admin-Protocol: gsma/rsp/v2.2.2\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


class Answer:
    """The parts of an httpx.Response that ``run_download`` reads (the JSON parsed once)."""

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.text = body.decode()
        self._json: Any = None

    def json(self) -> Any:
        if self._json is None:
            self._json = json.loads(self.text)
        return self._json


class LoopEs9Client:
    """One keep-alive HTTPS/1.1 connection on the LPA's own TLS transport (a non-blocking
    ``ssl.SSLSocket`` driven from the event loop's selector, :mod:`esim.lpa.tls_socket`) without
    httpx: the same requests as the tests' Es9Client (Host and SNI = the SM-DP+ address), the
    server's certificate chain verified against the CI and a close_notify at the end, as our
    LPA does. All LPAs share one event loop (``--client loop``)."""

    def __init__(self, port: int, resuming: ResumingClientContext | None = None) -> None:
        self.port = port
        self.resuming = resuming
        self.key = (ADDRESS, "127.0.0.1", port)
        self.buffer = b""

    async def __aenter__(self) -> LoopEs9Client:
        context = self.resuming or smdp_fake_euicc._client_context()
        offered = None if self.resuming is None else self.resuming.sessions.get(self.key)
        sock = await connect_socket("127.0.0.1", self.port)
        self.tls = await start_socket_tls(sock, context, ADDRESS, offered)
        return self

    async def __aexit__(self, *exc: object) -> None:
        # The ticket came with the answers; a resumed session stays valid (as in Http11Client)
        ssl_object = self.tls.ssl_object
        if self.resuming is not None and not ssl_object.session_reused:
            self.resuming.sessions.remember(self.key, ssl_object.session, ssl_object.version())
        await self.tls.close()

    async def _more(self) -> None:
        data = await self.tls.receive()
        if not data:
            raise ConnectionError("the SM-DP+ closed the connection mid-answer")
        self.buffer += data

    async def call(self, function: str, body: dict[str, Any]) -> Answer:
        await self.tls.send(es9_request(function, body))
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            await self._more()
        lines = self.buffer[:end].decode().split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        while len(self.buffer) < end + 4 + length:
            await self._more()
        answer = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        return Answer(status, answer)


class BlockingEs9Client:
    """One keep-alive HTTPS/1.1 connection on a blocking socket, without httpx or asyncio's
    TLS layer, so one client process can load the server: the same requests as the tests'
    Es9Client (Host and SNI = the SM-DP+ address), the server's certificate chain verified
    against the CI as every LPA does. Each LPA runs in its own thread (``--client threads``)."""

    def __init__(self, port: int, resuming: ResumingClientContext | None = None) -> None:
        self.port = port
        self.resuming = resuming
        self.key = (ADDRESS, "127.0.0.1", port)

    async def __aenter__(self) -> BlockingEs9Client:
        context = self.resuming or smdp_fake_euicc._client_context()
        offered = None if self.resuming is None else self.resuming.sessions.get(self.key)
        raw = socket.create_connection(("127.0.0.1", self.port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = context.wrap_socket(raw, server_hostname=ADDRESS, session=offered)
        self.reader = self.tls.makefile("rb")
        return self

    async def __aexit__(self, *exc: object) -> None:
        # The ticket came with the answers; a resumed session stays valid (as in Http11Client)
        if self.resuming is not None and not self.tls.session_reused:
            self.resuming.sessions.remember(self.key, self.tls.session, self.tls.version())
        self.reader.close()
        self.tls.close()

    async def call(self, function: str, body: dict[str, Any]) -> Answer:
        self.tls.sendall(es9_request(function, body))
        status = int(self.reader.readline().split()[1])
        length = 0
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        answer = self.reader.read(length)
        if len(answer) != length:
            raise ConnectionError(f"the answer ended after {len(answer)} of {length} bytes")
        return Answer(status, answer)
