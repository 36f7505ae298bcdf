"""Contoso Mobile's backend: the portal front's handlers over the catalogue, the book and ES2+."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509

from esim.smdp import OrderBehaviour
from esim.smdp.es2plus import DEFAULT_OPERATOR_ID
from simulator.portal.hosting import Handler, Site
from simulator.portal.http_messages import Request, Response
from simulator.portal.sample_backend.catalogue import (
    CATALOGUE,
    OPERATOR_NAME,
    Plan,
    catalogue_json,
)
from simulator.portal.sample_backend.es2_client import Es2Client, SmdpRefusedError
from simulator.portal.sample_backend.model import Account, Line, OrderRecord
from simulator.portal.sample_backend.next_order import NextOrderPlan, NextOrderSlot
from simulator.portal.sample_backend.validation import (
    BadRequestError,
    choice_field,
    error_response,
    json_response,
    parse_eid,
    parse_email,
    parse_iccid,
    read_body,
    text_field,
)


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
        es2_secret: str | None = None,
        next_order: NextOrderSlot | None = None,
        set_behaviour: Callable[[str, OrderBehaviour], object] | None = None,
        clock: Callable[[], float] | None = None,
        operator_name: str = OPERATOR_NAME,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.es2 = Es2Client(
            smdp_base,
            resolver,
            trust_anchors,
            operator_id,
            timeout=timeout,
            secret=es2_secret,
            operator_name=operator_name,
        )
        # The operator platform's view of a line (plan, promotions, status), when there is one:
        # a PromoChange callback shows on the account page (issue 5).
        self._carrier_line = carrier_line
        # The Operator panel's plan for the next eSIM order, applied by ICCID before release.
        self.next_order = next_order or NextOrderSlot()
        self._set_behaviour = set_behaviour
        self._clock = clock or (lambda: 0.0)
        self.operator_name = operator_name
        self._today = today  # the operator's calendar date (the simulator's virtual date)
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
        await self.es2.aclose()

    # -- handlers ---------------------------------------------------------------------------------
    async def plans(self, request: Request) -> Response:
        return json_response(catalogue_json(backend=True))

    async def session(self, request: Request) -> Response:
        try:
            body = await read_body(request)
            email = parse_email(body.get("email"))
            mode = choice_field(body, "mode", ("new", "existing"))
            password = text_field(body, "password", required=False, limit=128) or ""
        except BadRequestError as error:
            return error_response(400, str(error))
        account = self.accounts.get(email)
        if mode == "existing":
            if account is None or account.password != password:
                return error_response(401, "That email and password don't match a Contoso account.")
            return json_response({"email": email, "new": False, "lines": len(account.lines)})
        if account is not None:
            return error_response(409, f"{email} already has a Contoso account: sign in instead.")
        if len(password) < 4:
            return error_response(400, "Choose a password of at least 4 characters.")
        self.accounts[email] = Account(email, password)
        return json_response({"email": email, "new": True, "lines": 0}, status=201)

    async def order(self, request: Request) -> Response:
        try:
            body = await read_body(request)
            plan = self._plan(body)
            eid = parse_eid(body.get("eid"))
            iccid = parse_iccid(body.get("iccid"), "iccid")
            email = body.get("email")
            email = None if email in (None, "") else parse_email(email)
            transaction_id = text_field(body, "transactionId", required=False, limit=64) or ""
        except BadRequestError as error:
            return error_response(400, str(error))
        number = f"CM-{next(self._order_numbers)}"
        if plan.fulfilment == "topup":
            return self._top_up(number, plan, iccid, email, transaction_id)
        next_plan = self.next_order.take()
        try:
            placed = await self._place(plan, eid, next_plan)
        except SmdpRefusedError as error:
            return error_response(502, f"The SM-DP+ refused the order: {error}")
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
        return json_response(
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

    async def cancel(self, request: Request) -> Response:
        try:
            body = await read_body(request)
            order_id = text_field(body, "orderId", limit=32)
        except BadRequestError as error:
            return error_response(400, str(error))
        record = self.orders.get(order_id or "")
        if record is None or record.iccid is None:
            return error_response(404, f"There is no eSIM order {order_id}.")
        if record.status == "cancelled":
            return json_response({"orderId": record.id, "status": "cancelled"})
        try:
            await self.es2.cancel_order(record.iccid)
        except SmdpRefusedError as error:
            return error_response(502, f"The SM-DP+ could not cancel the order: {error}")
        record.status = "cancelled"
        line = self.line_book.get(record.iccid)
        if line is not None:
            line.status = "cancelled"
        return json_response({"orderId": record.id, "status": "cancelled"})

    async def lines(self, request: Request) -> Response:
        query = request.query
        try:
            raw = query.get("iccids", "")
            if len(raw) > 2000:
                raise BadRequestError("iccids is too long")
            wanted = [parse_iccid(item, "iccids") for item in raw.split(",") if item.strip()]
            email = query.get("email") or None
            email = None if email is None else parse_email(email)
        except BadRequestError as error:
            return error_response(400, str(error))
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
        answer: dict[str, Any] = {"backend": True, "lines": list(seen.values())}
        if self._today is not None:
            answer["asOf"] = self._today().isoformat()
        return json_response(answer)

    # -- orders ------------------------------------------------------------------------------------
    async def _place(
        self, plan: Plan, eid: str | None, next_plan: NextOrderPlan | None
    ) -> dict[str, str]:
        if next_plan is None:
            return await self.es2.place_order(plan, eid)
        behaviour = next_plan.behaviour_at(self._clock())
        set_behaviour = self._set_behaviour

        def before_confirm(iccid: str) -> None:
            if set_behaviour is not None:
                set_behaviour(iccid, behaviour)

        return await self.es2.place_order(
            plan,
            next_plan.order_eid(eid),
            confirmation_code=next_plan.confirmation_code,
            before_confirm=before_confirm,
        )

    def _plan(self, body: dict[str, Any]) -> Plan:
        plan_id = text_field(body, "plan", limit=64)
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
    ) -> Response:
        line = None
        if iccid is not None:
            line = self.line_book.get(iccid)
            if line is None:  # a Contoso line the PC reported: known from now on
                line = self.line_book[iccid] = Line(iccid, "Pay as you go", 0, "active", email)
            line.balance_mb += plan.data_mb
        self.orders[number] = OrderRecord(number, plan, iccid, None, None, None, transaction_id)
        return json_response(
            {
                "orderId": number,
                "plan": plan.to_json(),
                "iccid": iccid,
                "addedMB": plan.data_mb,
                "balanceMB": line.balance_mb if line else None,
            },
            status=201,
        )
