"""The sample operator's GetBalance, GetOffers and GetNotifications endpoints, on loopback HTTPS.

It answers what the public pages document, so the simulator works out of the box, and checks
the service's requests the way an operator should: Basic credentials when configured (401),
the client certificate under mutual TLS (403), unknown ICCIDs (404), a repeated TransactionId
(409), bad query parameters (400, naming the parameter). ``scripted`` answers replace the next
answers of one API, so tests and demos can play a misbehaving operator.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from simulator.operator_api.config import BalanceType, NotificationType, ServiceConfiguration
from simulator.operator_api.requests import TRANSACTION_HEADER, Api
from simulator.operator_api.sample_config import SAMPLE_IMAGE_PATH
from simulator.operator_api.tls import SERVICE_CLIENT_CN, OperatorTls
from simulator.resources import resource_path

__all__ = ["SampleBalance", "SampleOperator", "ScriptedAnswer"]

BASE_PATH = "/v1/"
_MAX_TRANSACTIONS = 10_000  # remembered TransactionIds (for 409), oldest forgotten first


@dataclass
class SampleBalance:
    type: BalanceType = BalanceType.MODIRECTPAYG
    data_remaining_mb: float = 2048.0
    time_remaining: str = "P29DT23H"


@dataclass(frozen=True)
class ScriptedAnswer:
    """One canned answer: status, JSON-able body (or raw bytes) and extra headers."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    delay_seconds: float = 0.0  # a slow operator (the service's timeout)
    echo_transaction: bool = True  # False: answer without X-MS-DM-TransactionId
    trickle_seconds: float = 0.0  # send ``raw`` one byte at a time, this far apart


class SampleOperator:
    def __init__(
        self,
        config: ServiceConfiguration,
        tls: OperatorTls,
        *,
        require_client_certificate: bool = False,
    ) -> None:
        self.config = config
        self.tls = tls
        self.require_client_certificate = require_client_certificate
        self.balances: dict[str, SampleBalance] = {}
        self.default_balance = SampleBalance()
        self.offers: dict[str, str] = {}  # ICCID -> gatewayId; default the first template
        self.notifications: dict[NotificationType, str] = {
            t.notification_type: t.id for t in config.notification_templates
        }
        self.scripted: dict[Api, deque[ScriptedAnswer]] = {api: deque() for api in Api}
        self.requests: list[dict[str, Any]] = []
        self._transactions: deque[str] = deque(maxlen=_MAX_TRANSACTIONS)
        self._runner: web.AppRunner | None = None
        self._gateway_png = b""
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}{BASE_PATH}"

    def script(self, api: Api, *answers: ScriptedAnswer) -> None:
        """The next answers of ``api``, in order, instead of the real ones."""
        self.scripted[api].extend(answers)

    def knows(self, iccid: str) -> bool:
        return iccid in self.balances or any(r.contains(iccid) for r in self.config.iccid_ranges)

    # -- serving ---------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        app = web.Application()
        app.router.add_get(BASE_PATH + "sims/{sim}/balances", self._balances)
        app.router.add_get(BASE_PATH + "sims/{sim}/offers", self._offers)
        app.router.add_get(BASE_PATH + "sims/{sim}/notifications", self._notifications)
        # the Gateway template's picture, public like an operator's CDN (no credentials asked)
        self._gateway_png = resource_path("operator", "gateway.png").read_bytes()
        app.router.add_get(SAMPLE_IMAGE_PATH, self._gateway_image)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=self.tls.server_context())
        await site.start()
        server = site._server  # aiohttp keeps the bound socket here
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the three endpoints ---------------------------------------------------------------------
    async def _balances(self, request: web.Request) -> web.StreamResponse:
        refused = await self._gated(request, Api.GET_BALANCE)
        if refused is not None:
            return refused
        template = request.query.get("fieldsTemplate", "")
        if template.casefold() not in ("basic", "full"):
            return _problem(request, 400, "fieldsTemplate", f"{template!r} is not Basic or Full")
        limit = _limit(request, required=False)
        if isinstance(limit, web.Response):
            return limit
        iccid = _iccid(request)
        balance = self.balances.get(iccid, self.default_balance)
        entry: dict[str, Any] = {
            "type": balance.type.value,
            "dataRemainingInMB": balance.data_remaining_mb,
            "timeRemaining": balance.time_remaining,
        }
        if template.casefold() == "full":
            entry = {"id": f"bal-{iccid[-6:]}", **entry}
        return _json(request, {"balances": [entry]})

    async def _offers(self, request: web.Request) -> web.StreamResponse:
        refused = await self._gated(request, Api.GET_OFFERS)
        if refused is not None:
            return refused
        limit = _limit(request, required=True)
        if isinstance(limit, web.Response):
            return limit
        templates = self.config.gateway_templates
        default = templates[0].id if templates else "0"
        gateway_id = self.offers.get(_iccid(request), default)
        return _json(request, {"offers": [{"gatewayId": gateway_id}][:limit]})

    async def _notifications(self, request: web.Request) -> web.StreamResponse:
        refused = await self._gated(request, Api.GET_NOTIFICATIONS)
        if refused is not None:
            return refused
        limit = _limit(request, required=True)
        if isinstance(limit, web.Response):
            return limit
        text = request.query.get("notificationType")
        if text is None:
            return _problem(request, 400, "notificationType", "required")
        try:
            kind = NotificationType(text)
        except ValueError:
            return _problem(request, 400, "notificationType", f"{text!r} is not a known type")
        found = self.notifications.get(kind)
        entries = [] if found is None else [{"notificationId": found, "notificationType": kind}]
        return _json(request, {"notifications": entries[:limit]})

    async def _gateway_image(self, request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=self._gateway_png,
            content_type="image/png",
            headers={"Cache-Control": "max-age=86400"},
        )

    async def _gated(self, request: web.Request, api: Api) -> web.StreamResponse | None:
        head = self.scripted[api][0] if self.scripted[api] else None
        if head is not None and head.trickle_seconds and head.raw is not None:
            self.scripted[api].popleft()
            return await _trickle(request, head)
        delay = head.delay_seconds if head is not None else 0.0
        answer = self._gate(request, api)
        if delay:
            await asyncio.sleep(delay)
        return answer

    def _gate(self, request: web.Request, api: Api) -> web.Response | None:
        """Authentication, the sim id, the transaction id, and any scripted answer."""
        self.requests.append(
            {"api": str(api), "path": request.path_qs, "headers": dict(request.headers)}
        )
        if self.scripted[api]:
            return _scripted(request, self.scripted[api].popleft())
        return self._check(request)

    def _check(self, request: web.Request) -> web.Response | None:
        if self.require_client_certificate and not _has_service_certificate(request):
            return _problem(request, 403, "client certificate", "missing or not the service's")
        expected = self.config.basic_auth.header() if self.config.basic_auth else None
        if expected is not None and request.headers.get("Authorization") != expected:
            return _problem(request, 401, "Authorization", "Basic credentials missing or wrong")
        transaction = request.headers.get(TRANSACTION_HEADER)
        if not transaction:
            return _problem(request, 400, TRANSACTION_HEADER, "missing")
        if transaction in self._transactions:
            return _problem(request, 409, TRANSACTION_HEADER, f"{transaction} was already used")
        self._transactions.append(transaction)
        sim = request.match_info["sim"]
        if not sim.startswith("iccid:") or not sim[6:].isdigit():
            return _problem(request, 400, "sim id", f"{sim!r} is not iccid:<ICCID>")
        if not self.knows(sim[6:]):
            return _problem(request, 404, "sim id", f"ICCID {sim[6:]} is not ours")
        return None


def _iccid(request: web.Request) -> str:
    return request.match_info["sim"].removeprefix("iccid:")


def _limit(request: web.Request, *, required: bool) -> int | web.Response:
    text = request.query.get("limit")
    if text is None:
        return _problem(request, 400, "limit", "required") if required else 1
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        return _problem(request, 400, "limit", f"{text!r} is not a positive integer")
    return int(text)


def _has_service_certificate(request: web.Request) -> bool:
    transport = request.transport
    peer = transport.get_extra_info("peercert") if transport is not None else None
    if not peer:
        return False
    subject = dict(item for rdn in peer.get("subject", ()) for item in rdn)
    return bool(subject.get("commonName") == SERVICE_CLIENT_CN)


def _echo(request: web.Request) -> dict[str, str]:
    transaction = request.headers.get(TRANSACTION_HEADER)
    return {TRANSACTION_HEADER: transaction} if transaction else {}


def _json(request: web.Request, body: Any) -> web.Response:
    return web.json_response(body, headers=_echo(request))


def _problem(request: web.Request, status: int, parameter: str, detail: str) -> web.Response:
    return web.json_response(
        {"error": {"parameter": parameter, "message": detail}},
        status=status,
        headers=_echo(request),
    )


async def _trickle(request: web.Request, answer: ScriptedAnswer) -> web.StreamResponse:
    """A server that keeps the connection busy without ever finishing in time."""
    headers = {"Content-Type": "application/json"}
    response = web.StreamResponse(status=answer.status, headers=headers)
    await response.prepare(request)
    for byte in answer.raw or b"":
        await response.write(bytes([byte]))
        await asyncio.sleep(answer.trickle_seconds)
    await response.write_eof()
    return response


def _scripted(request: web.Request, answer: ScriptedAnswer) -> web.Response:
    echoed = _echo(request) if answer.echo_transaction else {}
    headers = {**echoed, **answer.headers}
    if answer.raw is not None:
        headers.setdefault("Content-Type", "application/json")
        return web.Response(status=answer.status, body=answer.raw, headers=headers)
    if answer.body is None:
        return web.Response(status=answer.status, headers=headers)
    return web.Response(
        status=answer.status,
        text=json.dumps(answer.body),
        content_type="application/json",
        headers=headers,
    )
