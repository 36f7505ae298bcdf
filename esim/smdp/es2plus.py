"""ES2+ (operator ↔ SM-DP+), SGP.22 §5.3 / §6.5.2 JSON binding (SGP.22 §6.1).

Served: ``POST /gsma/rsp2/es2plus/{downloadOrder, confirmOrder, cancelOrder, releaseProfile}``.
Requests carry ``header.functionRequesterIdentifier`` (the operator, checked against
``SmdpConfig.operator_ids``: unknown is 1.1/1.1), ``functionCallIdentifier``, and the
operator's secret as ``Authorization: Bearer`` (missing or wrong is 1.1/1.2; see
:mod:`esim.smdp.es2_credentials`).

Sent: ``handleDownloadProgressInfo`` to the registered operator URL at the notification points
[INF, SGP.22 §5.3.5 as recalled]: 1 eligibility and retry-limit check (authenticateClient),
3 BPP download, 4 BPP installation; ``notificationPointStatus`` is Executed-Success or Failed
with ``statusCodeData``.

Non-GSMA extensions accepted by downloadOrder, so a sample portal backend can shape the
profile: ``serviceProviderName``, ``profileName`` (default ``profileType``) and ``profileClass``.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import sqlite3
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from esim.http_cancel_safe import cancel_safe
from esim.identifiers import Eid, IdentifierError
from esim.smdp import status
from esim.smdp.es2_credentials import bearer_matches
from esim.smdp.expiry import release_order, release_stale_orders
from esim.smdp.http_json import Body, json_route, text_field
from esim.smdp.http_server import HttpRequest, Route
from esim.smdp.orders import FINAL_STATES, PRE_RELEASE_STATES, Order, OrderState, new_matching_id
from esim.smdp.profile_package import ProfileSpec, generate_iccid
from esim.smdp.status import Es9Error
from esim.smdp.store import StoreError, confirmation_code_digest

if TYPE_CHECKING:
    from esim.smdp.server import SmdpConfig
    from esim.smdp.store import OrderStore

ES2_PREFIX = "/gsma/rsp2/es2plus/"
DEFAULT_OPERATOR_ID = "MobilePlansOperator"
_SPEC = "SGP.22 §5.3 (ES2+)"
_LOG = logging.getLogger(__name__)


def _refuse(code: status.StatusCode, rule: str, message: str) -> Es9Error:
    return Es9Error(code, rule, message, _SPEC)


def _eid(body: Body) -> str | None:
    text = text_field(body, "eid", required=False)
    if text is None:
        return None
    try:
        return Eid.parse(text).digits
    except IdentifierError as error:
        raise _refuse(status.INVALID_PARAMETER, "field.eid", str(error)) from None


class Es2Plus:
    """The operator-facing functions and the outgoing progress notifications."""

    def __init__(
        self, config: SmdpConfig, store: OrderStore, secrets: Mapping[str, str] | None = None
    ) -> None:
        self._config = config
        self._secrets = dict(secrets or {})
        self._store = store
        self.operator_url = config.operator_url
        self._client: httpx.AsyncClient | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def add_routes(self, routes: dict[str, Route]) -> None:
        for name, handler in (
            ("downloadOrder", self.download_order),
            ("confirmOrder", self.confirm_order),
            ("cancelOrder", self.cancel_order),
            ("releaseProfile", self.release_profile),
        ):
            routes[ES2_PREFIX + name] = json_route(self._authenticated(handler))

    def _authenticated(self, handler: Any) -> Any:
        async def checked(body: Body, request: HttpRequest) -> Body | None:
            header = body.get("header")
            requester = (
                header.get("functionRequesterIdentifier") if isinstance(header, dict) else None
            )
            if not isinstance(requester, str):
                raise _refuse(
                    status.MANDATORY_ELEMENT_MISSING,
                    "es2.header",
                    "ES2+ requests carry header.functionRequesterIdentifier",
                )
            if requester not in self._config.operator_ids or requester not in self._secrets:
                raise _refuse(
                    status.REQUESTER_UNKNOWN,
                    "es2.requester",
                    f"unknown requester {requester[:64]!r}",
                )
            if not bearer_matches(request.headers.get("Authorization"), self._secrets[requester]):
                raise _refuse(
                    status.REQUESTER_NOT_ALLOWED,
                    "es2.credential",
                    f"requester {requester!r} must send its secret as 'Authorization: Bearer "
                    "<secret>' (es2-credentials.json in the SM-DP+'s data directory)",
                )
            result: Body | None = await handler(body, request)
            return result

        return checked

    def _order(self, body: Body) -> Order:
        iccid = text_field(body, "iccid") or ""
        order = self._store.get_by_iccid(iccid.strip().rstrip("Ff"))
        if order is None:
            raise _refuse(status.ICCID_UNKNOWN, "es2.iccid-unknown", f"no order for ICCID {iccid}")
        return order

    # -- served functions ---------------------------------------------------------------

    async def download_order(self, body: Body, _: HttpRequest) -> Body:
        eid = _eid(body)
        iccid = text_field(body, "iccid", required=False) or generate_iccid()
        profile_type = text_field(body, "profileType", required=False)
        defaults = ProfileSpec(generate_iccid())
        try:
            spec = ProfileSpec(
                iccid,
                service_provider=text_field(body, "serviceProviderName", required=False)
                or defaults.service_provider,
                profile_name=text_field(body, "profileName", required=False)
                or profile_type
                or defaults.profile_name,
                profile_class=text_field(body, "profileClass", required=False) or "operational",
            )
        except (ValueError, TypeError) as error:
            raise _refuse(status.INVALID_PARAMETER, "es2.profile", str(error)) from None
        state = OrderState.ALLOCATED if eid is None else OrderState.LINKED
        try:
            order = self._store.create_order(spec, eid, state=state)
        except StoreError as error:
            raise _refuse(status.ICCID_NOT_AVAILABLE, error.rule, error.message) from None
        return {"iccid": order.iccid}

    async def confirm_order(self, body: Body, _: HttpRequest) -> Body:
        order = self._order(body)
        eid = _eid(body)
        matching_id = text_field(body, "matchingId", required=False) or new_matching_id()
        code = text_field(body, "confirmationCode", required=False)
        release = body.get("releaseFlag", False)
        if not isinstance(release, bool):
            raise _refuse(status.INVALID_PARAMETER, "field.releaseFlag", "must be a boolean")
        if order.state not in {OrderState.ALLOCATED, OrderState.LINKED}:
            raise _refuse(status.ICCID_NOT_AVAILABLE, "es2.state", f"the order is {order.state}")
        if order.eid is not None and eid is not None and eid != order.eid:
            raise _refuse(status.EID_MISMATCH, "es2.eid-mismatch", "the order is for another EID")
        fields: dict[str, Any] = {"matching_id": matching_id, "eid": eid or order.eid}
        if code:
            fields["cc_hash"] = confirmation_code_digest(code)
        to = OrderState.RELEASED if release else OrderState.CONFIRMED
        try:
            changed = self._store.transition(
                order, {OrderState.ALLOCATED, OrderState.LINKED}, to, "confirmed", **fields
            )
        except sqlite3.IntegrityError:
            raise _refuse(
                status.MATCHING_ID_CONFLICT, "es2.matching-id-taken", f"{matching_id} is in use"
            ) from None
        if changed is None:
            raise _refuse(status.ICCID_NOT_AVAILABLE, "es2.state", "the order changed meanwhile")
        answer: Body = {"matchingId": changed.matching_id, "smdpAddress": self._config.address}
        if changed.eid is not None:
            answer["eid"] = changed.eid
        return answer

    async def cancel_order(self, body: Body, _: HttpRequest) -> Body:
        order = self._order(body)
        eid = _eid(body)
        matching_id = text_field(body, "matchingId", required=False)
        text_field(body, "finalProfileStatusIndicator", required=False)
        if eid is not None and order.eid is not None and eid != order.eid:
            raise _refuse(status.EID_MISMATCH, "es2.eid-mismatch", "the order is for another EID")
        if matching_id is not None and matching_id != order.matching_id:
            raise _refuse(status.MATCHING_ID_REFUSED, "es2.matching-id", "not this order's")
        cancellable = PRE_RELEASE_STATES | {OrderState.RELEASED, OrderState.DOWNLOADING}
        if self._store.transition(order, cancellable, OrderState.CANCELLED, "cancelled") is None:
            raise _refuse(status.ICCID_NOT_AVAILABLE, "es2.state", f"the order is {order.state}")
        return {}

    async def release_profile(self, body: Body, _: HttpRequest) -> Body:
        release_stale_orders(self._store, self._config.session_ttl_seconds)
        order = self._order(body)
        changed = release_order(self._store, order)
        if changed is None:
            raise _refuse(
                status.ICCID_CANNOT_RELEASE,
                "es2.release",
                f"an order {order.state} can't be released",
            )
        return {}

    # -- handleDownloadProgressInfo (sent) ----------------------------------------------

    def download_progress(self, order: Order, point: int, error: Es9Error | None) -> None:
        """Queue a handleDownloadProgressInfo to the operator (no-op without a URL)."""
        if self.operator_url is None or (order.state in FINAL_STATES and error is None):
            return
        body: Body = {
            "header": {
                "functionRequesterIdentifier": self._config.address,
                "functionCallIdentifier": str(uuid.uuid4()),
            },
            "iccid": order.iccid,
            "profileType": order.spec.profile_name,
            # A label for the operator's logs, not logic: the wall clock is fine here.
            "timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "notificationPointId": point,
            "notificationPointStatus": (
                {"status": "Executed-Success"}
                if error is None
                else {"status": "Failed", "statusCodeData": error.status_code_data()}
            ),
        }
        if order.downloaded_by or order.eid:
            body["eid"] = order.downloaded_by or order.eid
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._send(self.operator_url, body))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, base_url: str, body: Body) -> None:
        if self._client is None:
            self._client = cancel_safe(
                httpx.AsyncClient(verify=self._config.operator_ssl, timeout=10)
            )
        url = base_url.rstrip("/") + ES2_PREFIX + "handleDownloadProgressInfo"
        try:
            response = await self._client.post(
                url,
                json=body,
                headers={"X-Admin-Protocol": "gsma/rsp/v2.2.2"},
            )
            outcome = f"HTTP {response.status_code}"
        except httpx.HTTPError as error:
            outcome = f"{type(error).__name__}: {error}"
        self._store.emit(
            "operator-notified",
            None,
            iccid=body["iccid"],
            notification_point=body["notificationPointId"],
            outcome=outcome,
        )

    async def close(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
