"""The operator backend behind the bundled Contoso Mobile portal (resources/portal/).

A believable, small MO backend: a plan catalogue, accounts (sign in or new), an in-memory
line model (plan, balance in MB) and orders. eSIM orders are placed on the SM-DP+ through
ES2+ over HTTPS, as a real operator does (mobile-plans.md §0, arrow 3 "Portal↔SM-DP+";
esim/smdp/es2plus.py): ``downloadOrder`` (with the EID when the launch gave one), then
``confirmOrder`` with ``releaseFlag: true``; the activation code is
``1$<smdpAddress>$<matchingId>``.

Routes (attach with :meth:`SampleBackend.site` or :meth:`SampleBackend.routes`):

* ``GET  /api/plans``             the catalogue, each plan with its fulfilment
* ``POST /api/session``           ``{email, mode: "new"|"existing", password?}`` → the account
* ``POST /api/orders``            ``{plan, fulfilment?, eid?, iccid?, email?, transactionId?}``
* ``POST /api/orders/cancel``     ``{orderId}``: ES2+ cancelOrder (a cancelled delayed download)
* ``GET  /api/lines?iccids=a,b&email=e``  the lines on this PC and on the account, with balances

Every body is untrusted: anything malformed is a 400 with a message saying what is wrong, never
a 5xx. A refusal or an outage of the SM-DP+ is a 502 naming the ES2+ function and its status.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from cryptography import x509

from esim.identifiers import Eid, Iccid, IdentifierError
from esim.lpa.transport import ResolvingTransport, trust_context
from esim.smdp.es2plus import DEFAULT_OPERATOR_ID, ES2_PREFIX
from simulator.portal.hosting import Handler, Site

OPERATOR_NAME = "Contoso Mobile"
MAX_BODY = 16 * 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
FULFILMENTS = ("inline", "delayed", "async", "legacy", "topup")


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    price_cents: int
    period: str
    data_mb: int
    fulfilment: str
    summary: str
    fulfilment_text: str
    minutes: int = 0
    """The download delay (delayed) or the network registration interval (async)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "price": {"cents": self.price_cents, "currency": "USD", "period": self.period},
            "priceText": f"${self.price_cents / 100:.2f}"
            + (f" / {self.period}" if self.period else ""),
            "dataMB": self.data_mb,
            "fulfilment": self.fulfilment,
            "minutes": self.minutes,
            "summary": self.summary,
            "fulfilmentText": self.fulfilment_text,
        }


CATALOGUE: tuple[Plan, ...] = (
    Plan(
        "contoso-5gb",
        "Contoso 5 GB",
        1500,
        "30 days",
        5 * 1024,
        "inline",
        "5 GB of data for 30 days, in the US.",
        "Your eSIM is downloaded and installed right away, while you stay on this page.",
    ),
    Plan(
        "contoso-travel-10gb",
        "Contoso Travel 10 GB",
        2500,
        "30 days",
        10 * 1024,
        "delayed",
        "10 GB for your next trip; the eSIM is released before you leave.",
        "Your eSIM will be ready in 15 minutes: Windows will tell you when to install it.",
        minutes=15,
    ),
    Plan(
        "contoso-unlimited",
        "Contoso Unlimited",
        4000,
        "month",
        100 * 1024,
        "async",
        "Unlimited data (100 GB at full speed) every month.",
        "The Mobile Plans app installs your eSIM; the line connects within about 15 minutes.",
        minutes=15,
    ),
    Plan(
        "contoso-classic-2gb",
        "Contoso Classic 2 GB",
        1000,
        "30 days",
        2 * 1024,
        "legacy",
        "2 GB for 30 days on our classic checkout.",
        "The Mobile Plans app takes over and sets up your eSIM after you place the order.",
    ),
    Plan(
        "topup-1gb",
        "Top-up 1 GB",
        500,
        "",
        1024,
        "topup",
        "Add 1 GB to a Contoso line you already have on this PC.",
        "The data is added to your line at once; Windows switches to that line.",
    ),
)


def catalogue_json(*, backend: bool) -> dict[str, Any]:
    """GET /api/plans. ``backend: false`` marks the static copy in resources/portal/api/plans,
    which the portal folder serves when no backend is attached (the portal then stays offline).
    """
    return {
        "operator": OPERATOR_NAME,
        "backend": backend,
        "plans": [plan.to_json() for plan in CATALOGUE],
    }


class BadRequestError(Exception):
    """The request is malformed: answered 400 with this message."""


class SmdpRefusedError(Exception):
    """The SM-DP+ refused an ES2+ function or could not be reached: answered 502."""


@dataclass
class Line:
    iccid: str
    plan: str
    balance_mb: int
    status: str
    email: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "iccid": self.iccid,
            "plan": self.plan,
            "balanceMB": self.balance_mb,
            "status": self.status,
        }


@dataclass
class Account:
    email: str
    password: str
    lines: list[str] = field(default_factory=list)


@dataclass
class OrderRecord:
    id: str
    plan: Plan
    iccid: str | None
    matching_id: str | None
    activation_code: str | None
    eid: str | None
    transaction_id: str
    status: str = "placed"


class SampleBackend:
    """Contoso Mobile's backend: catalogue, accounts, lines and ES2+ orders on the SM-DP+."""

    def __init__(
        self,
        smdp_base: str,
        resolver: Mapping[str, tuple[str, int]],
        trust_anchors: Sequence[x509.Certificate],
        operator_id: str = DEFAULT_OPERATOR_ID,
        *,
        timeout: float = 20.0,
        carrier_line: Callable[[str], Mapping[str, Any] | None] | None = None,
    ) -> None:
        self.smdp_base = smdp_base.rstrip("/")
        # The operator platform's view of a line (plan, promotions, status), when there is one:
        # a PromoChange callback shows on the account page (issue 5).
        self._carrier_line = carrier_line
        self.operator_id = operator_id
        self._ssl = trust_context(trust_anchors)
        self._resolver = dict(resolver)
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._plans = {plan.id: plan for plan in CATALOGUE}
        self.accounts: dict[str, Account] = {
            "alex@example.com": Account("alex@example.com", "contoso")
        }
        self.line_book: dict[str, Line] = {}
        """ICCID → line: the in-memory line model (plan, balance in MB)."""
        self.orders: dict[str, OrderRecord] = {}
        self._order_numbers = itertools.count(100001)

    # -- wiring ---------------------------------------------------------------------------------
    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/api/plans"): self.plans,
            ("POST", "/api/session"): self.session,
            ("POST", "/api/orders"): self.order,
            ("POST", "/api/orders/cancel"): self.cancel,
            ("GET", "/api/lines"): self.lines,
        }

    def site(self, root: Path | None) -> Site:
        """The portal folder with this backend's routes, for ``PortalFront.attach``."""
        return Site(root=root, routes=self.routes())

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- handlers ---------------------------------------------------------------------------------
    async def plans(self, request: web.Request) -> web.Response:
        return _json(catalogue_json(backend=True))

    async def session(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request)
            email = _email(body.get("email"))
            mode = _choice(body, "mode", ("new", "existing"))
            password = _text(body, "password", required=False, limit=128) or ""
        except BadRequestError as error:
            return _error(400, str(error))
        account = self.accounts.get(email)
        if mode == "existing":
            if account is None or account.password != password:
                return _error(401, "That email and password don't match a Contoso account.")
            return _json({"email": email, "new": False, "lines": len(account.lines)})
        if account is not None:
            return _error(409, f"{email} already has a Contoso account: sign in instead.")
        if len(password) < 4:
            return _error(400, "Choose a password of at least 4 characters.")
        self.accounts[email] = Account(email, password)
        return _json({"email": email, "new": True, "lines": 0}, status=201)

    async def order(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request)
            plan = self._plan(body)
            eid = _eid(body.get("eid"))
            iccid = _iccid(body.get("iccid"), "iccid")
            email = body.get("email")
            email = None if email in (None, "") else _email(email)
            transaction_id = _text(body, "transactionId", required=False, limit=64) or ""
        except BadRequestError as error:
            return _error(400, str(error))
        number = f"CM-{next(self._order_numbers)}"
        if plan.fulfilment == "topup":
            return self._top_up(number, plan, iccid, email, transaction_id)
        try:
            placed = await self._place_esim_order(plan, eid)
        except SmdpRefusedError as error:
            return _error(502, f"The SM-DP+ refused the order: {error}")
        record = OrderRecord(
            number,
            plan,
            placed["iccid"],
            placed["matchingId"],
            placed["activationCode"],
            eid,
            transaction_id,
        )
        self.orders[number] = record
        self.line_book[record.iccid or ""] = Line(
            placed["iccid"], plan.name, plan.data_mb, "awaiting download", email
        )
        if email is not None and email in self.accounts:
            self.accounts[email].lines.append(placed["iccid"])
        return _json(
            {
                "orderId": number,
                "plan": plan.to_json(),
                "iccid": placed["iccid"],
                "matchingId": placed["matchingId"],
                "activationCode": placed["activationCode"],
                "eid": eid,
            },
            status=201,
        )

    async def cancel(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request)
            order_id = _text(body, "orderId", limit=32)
        except BadRequestError as error:
            return _error(400, str(error))
        record = self.orders.get(order_id or "")
        if record is None or record.iccid is None:
            return _error(404, f"There is no eSIM order {order_id}.")
        if record.status == "cancelled":
            return _json({"orderId": record.id, "status": "cancelled"})
        try:
            await self._es2(
                "cancelOrder", {"iccid": record.iccid, "finalProfileStatusIndicator": "Available"}
            )
        except SmdpRefusedError as error:
            return _error(502, f"The SM-DP+ could not cancel the order: {error}")
        record.status = "cancelled"
        line = self.line_book.get(record.iccid)
        if line is not None:
            line.status = "cancelled"
        return _json({"orderId": record.id, "status": "cancelled"})

    async def lines(self, request: web.Request) -> web.Response:
        query = request.query
        try:
            raw = query.get("iccids", "")
            if len(raw) > 2000:
                raise BadRequestError("iccids is too long")
            wanted = [_iccid(item, "iccids") for item in raw.split(",") if item.strip()]
            email = query.get("email") or None
            email = None if email is None else _email(email)
        except BadRequestError as error:
            return _error(400, str(error))
        seen: dict[str, dict[str, Any]] = {}
        for iccid in wanted:
            assert iccid is not None
            line = self.line_book.get(iccid)
            seen[iccid] = (
                {**line.to_json(), "onThisPC": True}
                if line
                else {
                    "iccid": iccid,
                    "plan": "Pay as you go",
                    "balanceMB": 0,
                    "status": "active",
                    "onThisPC": True,
                }
            )
        account = self.accounts.get(email) if email else None
        for iccid in account.lines if account else []:
            if iccid not in seen and iccid in self.line_book:
                seen[iccid] = {**self.line_book[iccid].to_json(), "onThisPC": False}
        if self._carrier_line is not None:
            for iccid, shown in seen.items():
                carrier = self._carrier_line(iccid)
                if carrier is not None:
                    shown["plan"] = carrier.get("plan", shown.get("plan"))
                    shown["status"] = carrier.get("status", shown.get("status"))
                    shown["promotions"] = list(carrier.get("promotions", []))
        return _json({"backend": True, "lines": list(seen.values())})

    # -- orders ------------------------------------------------------------------------------------
    def _plan(self, body: dict[str, Any]) -> Plan:
        plan_id = _text(body, "plan", limit=64)
        plan = self._plans.get(plan_id or "")
        if plan is None:
            raise BadRequestError(f"unknown plan {plan_id!r}; GET /api/plans lists them")
        fulfilment = body.get("fulfilment")
        if fulfilment is not None and fulfilment != plan.fulfilment:
            raise BadRequestError(
                f"{plan.name} is fulfilled {plan.fulfilment!r}, not {str(fulfilment)[:20]!r}"
            )
        return plan

    def _top_up(
        self, number: str, plan: Plan, iccid: str | None, email: str | None, transaction_id: str
    ) -> web.Response:
        line = None
        if iccid is not None:
            line = self.line_book.get(iccid)
            if line is None:  # a Contoso line the PC reported: known from now on
                line = self.line_book[iccid] = Line(iccid, "Pay as you go", 0, "active", email)
            line.balance_mb += plan.data_mb
        self.orders[number] = OrderRecord(number, plan, iccid, None, None, None, transaction_id)
        return _json(
            {
                "orderId": number,
                "plan": plan.to_json(),
                "iccid": iccid,
                "addedMB": plan.data_mb,
                "balanceMB": line.balance_mb if line else None,
            },
            status=201,
        )

    async def _place_esim_order(self, plan: Plan, eid: str | None) -> dict[str, str]:
        ordered = await self._es2(
            "downloadOrder",
            {
                **({"eid": eid} if eid else {}),
                "profileType": plan.name,
                "profileName": plan.name,
                "serviceProviderName": OPERATOR_NAME,
            },
        )
        iccid = ordered.get("iccid")
        if not isinstance(iccid, str):
            raise SmdpRefusedError("downloadOrder answered without an ICCID")
        confirmed = await self._es2(
            "confirmOrder", {"iccid": iccid, **({"eid": eid} if eid else {}), "releaseFlag": True}
        )
        matching_id, address = confirmed.get("matchingId"), confirmed.get("smdpAddress")
        if not isinstance(matching_id, str) or not isinstance(address, str):
            raise SmdpRefusedError("confirmOrder answered without matchingId and smdpAddress")
        return {
            "iccid": iccid,
            "matchingId": matching_id,
            "activationCode": f"1${address}${matching_id}",
        }

    async def _es2(self, function: str, fields: dict[str, Any]) -> dict[str, Any]:
        """One ES2+ function; the answer's fields, or :class:`SmdpRefusedError`."""
        body = {
            "header": {
                "functionRequesterIdentifier": self.operator_id,
                "functionCallIdentifier": str(uuid.uuid4()),
            },
            **fields,
        }
        try:
            response = await self._http().post(
                self.smdp_base + ES2_PREFIX + function,
                json=body,
                headers={"X-Admin-Protocol": "gsma/rsp/v2.2.2"},
            )
        except httpx.HTTPError as error:
            raise SmdpRefusedError(f"{function}: {type(error).__name__}: {error}") from None
        if response.status_code != 200:
            raise SmdpRefusedError(f"{function}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SmdpRefusedError(f"{function}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise SmdpRefusedError(f"{function}: the answer is not a JSON object")
        header = answer.get("header")
        execution = header.get("functionExecutionStatus") if isinstance(header, dict) else None
        state = execution.get("status") if isinstance(execution, dict) else None
        if state != "Executed-Success":
            data = execution.get("statusCodeData") if isinstance(execution, dict) else None
            detail = ""
            if isinstance(data, dict):
                detail = " ".join(
                    str(data[key])
                    for key in ("subjectCode", "reasonCode", "message")
                    if data.get(key) is not None
                )
            raise SmdpRefusedError(f"{function}: {state or 'no status'} {detail}".strip())
        return answer

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # A pool belongs to one event loop; the portal front runs on one, tests on others.
            self._client = httpx.AsyncClient(
                transport=ResolvingTransport(self._ssl, self._resolver), timeout=self._timeout
            )
            self._client_loop = loop
        return self._client


# -- request parsing -----------------------------------------------------------------------------


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise BadRequestError(f"the body is larger than {MAX_BODY} bytes")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BadRequestError(f"the body is larger than {MAX_BODY} bytes") from None
    if len(raw) > MAX_BODY:
        raise BadRequestError(f"the body is larger than {MAX_BODY} bytes")
    if not raw.strip():
        raise BadRequestError("the body is empty; send a JSON object")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadRequestError(f"the body is not UTF-8 JSON: {str(error)[:120]}") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = True, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise BadRequestError(f"{name} is missing")
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"{name} must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise BadRequestError(f"{name} is longer than {limit} characters")
    return value


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = _text(body, name, limit=32)
    if value not in allowed:
        raise BadRequestError(f"{name} must be one of {', '.join(allowed)}")
    assert value is not None
    return value


def _email(value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise BadRequestError("email must be an email address such as alex@example.com")
    return value.strip().lower()


def _eid(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"eid must be a string, not {type(value).__name__}")
    try:
        return Eid.parse(value[:64]).digits
    except IdentifierError as error:
        raise BadRequestError(f"eid: {error}") from None


def _iccid(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"{name} must be a string, not {type(value).__name__}")
    try:
        return Iccid.parse(value[:32], check_luhn=False).digits
    except IdentifierError as error:
        raise BadRequestError(f"{name}: {error}") from None


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status=status)
