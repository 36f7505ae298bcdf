"""Test support for the SM-DP+ tests: the ES9+/ES2+ HTTPS client side of a download and the
servers it talks to, all on 127.0.0.1 with SNI and Host = the SM-DP+ address and trust = the
test CI only.

Not a test module (no ``test_`` prefix); the SM-DP+ tests and the benchmarks import it. The
card side of each download is the fake eUICC of :mod:`smdp_fake_euicc`, which this module
imports (never the other way round). Here: :class:`Es9Client` (httpx, async), :func:`status_of`,
:func:`run_download` with its :class:`Outcome`, :func:`started_server` (an in-process SM-DP+),
:class:`ThreadedServer` (one on its own event loop thread, for synchronous tests),
:func:`tlv_children` and :class:`FakeClock`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from smdp_fake_euicc import (
    ADDRESS,
    ES2_AUTHORIZATION,
    OPERATOR,
    FakeEuicc,
    _client_context,
    b64,
    b64d,
    make_config,
)

from esim.asn1.tlv import iter_tlvs, parse_single
from esim.smdp import OrderStore, SmdpServer


class Es9Client:
    """An LPA-ish HTTPS client: 127.0.0.1:port, SNI and Host = the SM-DP+ address."""

    def __init__(self, port: int) -> None:
        self.base = f"https://127.0.0.1:{port}"
        self.client = httpx.AsyncClient(verify=_client_context(), timeout=60)

    async def __aenter__(self) -> Es9Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def raw(
        self, path: str, content: bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        sent = {
            "Host": ADDRESS,
            "Content-Type": "application/json",
            "X-Admin-Protocol": "gsma/rsp/v2.2.2",
            "User-Agent": "gsma-rsp-lpad",
        }
        sent.update(headers or {})
        return await self.client.post(
            self.base + path,
            content=content,
            headers=sent,
            extensions={"sni_hostname": ADDRESS},
        )

    async def call(self, function: str, body: dict[str, Any]) -> httpx.Response:
        return await self.raw("/gsma/rsp2/es9plus/" + function, json.dumps(body).encode())

    async def es2(self, function: str, body: dict[str, Any], requester: str = OPERATOR) -> Any:
        payload = {
            "header": {"functionRequesterIdentifier": requester, "functionCallIdentifier": "1"}
        }
        payload.update(body)
        response = await self.raw(
            "/gsma/rsp2/es2plus/" + function, json.dumps(payload).encode(), ES2_AUTHORIZATION
        )
        assert response.status_code == 200
        return response.json()


def status_of(response: httpx.Response) -> tuple[str, str] | None:
    """(subject, reason) of a Failed answer, None for Executed-Success."""
    assert response.status_code == 200, response.text
    header = response.json()["header"]["functionExecutionStatus"]
    if header["status"] == "Executed-Success":
        return None
    data = header["statusCodeData"]
    return data["subjectCode"], data["reasonCode"]


@dataclass
class Outcome:
    """How far a download got: the failing function and its code, or success."""

    failed_at: str | None = None
    code: tuple[str, str] | None = None
    responses: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed_at is None


async def run_download(
    client: Es9Client,
    euicc: FakeEuicc,
    matching_id: str | None,
    *,
    confirmation_code: str | None = None,
    send_notification: bool = True,
    stop_after: str | None = None,
) -> Outcome:
    """The whole ES9+ download as an LPA does it (SGP.22 §3.1.3)."""
    outcome = Outcome()

    async def step(function: str, body: dict[str, Any]) -> dict[str, Any] | None:
        response = await client.call(function, body)
        if function == "handleNotification" and response.status_code == 204:
            outcome.responses[function] = None
            return {}
        code = status_of(response)
        outcome.responses[function] = response.json()
        if code is not None:
            outcome.failed_at, outcome.code = function, code
            return None
        return response.json()  # type: ignore[no-any-return]

    info1 = euicc.euicc_info1()
    init = await step(
        "initiateAuthentication",
        {"smdpAddress": ADDRESS, "euiccChallenge": b64(euicc.challenge), "euiccInfo1": b64(info1)},
    )
    if init is None or stop_after == "initiateAuthentication":
        return outcome
    auth = await step(
        "authenticateClient",
        {
            "transactionId": init["transactionId"],
            "authenticateServerResponse": b64(euicc.authenticate_server(init, matching_id)),
        },
    )
    if auth is None or stop_after == "authenticateClient":
        return outcome
    bpp = await step(
        "getBoundProfilePackage",
        {
            "transactionId": init["transactionId"],
            "prepareDownloadResponse": b64(euicc.prepare_download(auth, confirmation_code)),
        },
    )
    if bpp is None or stop_after == "getBoundProfilePackage":
        return outcome
    pir = euicc.load_bound_profile_package(b64d(bpp["boundProfilePackage"]))
    outcome.responses["pir"] = pir
    if send_notification:
        await step("handleNotification", {"pendingNotification": b64(pir)})
    return outcome


async def started_server(tmp_path: Path, clock: Any = None, **extra: Any) -> SmdpServer:
    config = make_config(tmp_path, clock, **extra)
    store = OrderStore.open(tmp_path / "smdp.sqlite", clock=config.clock)
    server = SmdpServer(config, store)
    await server.start()
    return server


def tlv_children(data: bytes, tag: int) -> list[int]:
    return [child.tag for child in iter_tlvs(parse_single(data, tag).value)]


class FakeClock:
    """A clock a test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ThreadedServer:
    """An SM-DP+ on its own event loop thread, for synchronous (hypothesis) tests."""

    def __init__(self, tmp_path: Path) -> None:
        import asyncio
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(started_server(tmp_path), self.loop).result(
            30
        )
        self.base = f"https://127.0.0.1:{self.server.port}"
        self.client = httpx.Client(verify=_client_context(), timeout=30)

    def post(self, path: str, content: bytes, content_type: str = "application/json") -> Any:
        return self.client.post(
            self.base + path,
            content=content,
            headers={"Host": ADDRESS, "Content-Type": content_type, **ES2_AUTHORIZATION},
            extensions={"sni_hostname": ADDRESS},
        )

    def close(self) -> None:
        import asyncio

        self.client.close()
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        self.server.store.close()
