"""Checks one operator API response against the documented contract. Pure and bounded.

The status table, headers and bodies come from the public pages "Mobile Operator account
management in Windows 10" (GetBalance, and the error-code table all three APIs share), "Mobile
Plans gateway page" (GetOffers) and "Mobile Plans notifications" (GetNotifications). Every
finding is a :class:`~simulator.contract.violations.Violation` whose ``spec`` links its section
in docs/operator-apis.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from simulator.operator_api.bodies import check_balances, check_notifications, check_offers
from simulator.operator_api.config import ServiceConfiguration
from simulator.operator_api.durations import parse_retry_after
from simulator.operator_api.requests import TRANSACTION_HEADER, Api, ApiRequest
from simulator.operator_api.responses import ApiResponse, Balance, CheckedResponse
from simulator.operator_api.responses import show as _show

__all__ = ["MAX_BODY_BYTES", "ApiResponse", "Balance", "CheckedResponse", "check_response"]

MAX_BODY_BYTES = 256 * 1024  # a balance, offer or notification list is a few hundred bytes
_DOCUMENTED_STATUSES = frozenset({200, 201, 400, 401, 403, 404, 409, 429, 500})
_MAX_SHOWN = 80
MAX_RETRY_AFTER_SECONDS = 24 * 3600  # throttling, not an outage: a day is already generous


def check_response(
    request: ApiRequest,
    response: ApiResponse,
    config: ServiceConfiguration,
    *,
    now: datetime | None = None,
) -> CheckedResponse:
    checked = CheckedResponse(request.api, response.status)
    if len(response.body) > MAX_BODY_BYTES:
        checked.add(
            "transport.too-large",
            f"{request.api} answered more than {MAX_BODY_BYTES} bytes (read no further); "
            "a balance, offer or notification list is a few hundred",
        )
        return checked
    if TRANSACTION_HEADER.lower() not in response.headers:
        checked.add(
            "header.transaction-id-missing",
            f"{request.api} answered without {TRANSACTION_HEADER}; the docs' examples return it",
        )
    if response.status not in (200, 201):
        _check_error_status(request, response, checked, now)
        return checked
    if response.status == 201:
        checked.add(
            "status.created-on-get",
            f"{request.api} is a GET and creates nothing; answer 200 (OK)",
        )
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type.lower():
        checked.add(
            "header.content-type",
            f"Content-Type is {content_type or 'missing'!r}; the docs answer application/json",
        )
    document = _decode(response.body, checked, request.api)
    if document is None:
        return checked
    if request.api is Api.GET_BALANCE:
        checked.balances = check_balances(document, request, checked)
    elif request.api is Api.GET_OFFERS:
        checked.gateway_ids = check_offers(document, request, config, checked)
    else:
        checked.notification_ids = check_notifications(document, request, config, checked)
    return checked


def _check_error_status(
    request: ApiRequest, response: ApiResponse, checked: CheckedResponse, now: datetime | None
) -> None:
    status, body = response.status, response.body.decode("utf-8", "replace").strip()
    if status not in _DOCUMENTED_STATUSES:
        location = response.headers.get("location", "")
        redirect = (
            f" (a redirect to {location[:_MAX_SHOWN]!r}, which the service does not follow)"
            if 300 <= status < 400 and location
            else ""
        )
        checked.add(
            "status.undocumented",
            f"{request.api} answered HTTP {status}{redirect}; the error-code table lists 200, "
            "201, 400, 401, 403, 404, 409, 429 and 500",
        )
    elif status == 400:
        checked.add(
            "status.bad-request",
            f"{request.api} refused the documented request {request.url} with 400: "
            f"{body[:_MAX_SHOWN] or '(no body)'}",
        )
        if not body:
            checked.add(
                "status.bad-request-without-detail",
                "a 400 must name the incorrect parameter in the body",
            )
    elif status == 401:
        auth = (
            "the configured Basic credentials"
            if "Authorization" in request.headers
            else ("a request without Authorization (none configured)")
        )
        checked.add("status.unauthorized", f"{request.api} answered 401 to {auth}")
    elif status == 403:
        checked.add(
            "status.forbidden",
            f"{request.api} answered 403: the operator refused the service's client certificate",
        )
    elif status == 404:
        checked.add(
            "status.not-found",
            f"{request.api} does not know ICCID {request.iccid} (404); a zero balance is 200 "
            "with dataRemainingInMB=0 and timeRemaining=PT0S, never 404",
        )
    elif status == 409:
        checked.add(
            "status.conflict",
            f"{request.api} answered 409 (repeated TransactionId) to "
            f"{request.transaction_id}, which the service sent only once",
        )
    elif status == 429:
        _check_retry_after(response, checked, now)
    elif status == 500:
        checked.add("status.server-error", f"{request.api} failed with 500: {body[:_MAX_SHOWN]}")
        if not body:
            checked.add(
                "status.server-error-without-cause",
                "a 500 should include the cause of the error for debugging",
            )


def _check_retry_after(
    response: ApiResponse, checked: CheckedResponse, now: datetime | None
) -> None:
    checked.add("status.too-many-requests", "the operator throttled the service (429)")
    value = response.headers.get("retry-after")
    if value is None:
        checked.add(
            "status.retry-after-missing",
            "a 429 must carry Retry-After saying when the service may retry",
        )
        return
    seconds = parse_retry_after(value, now)
    digits = value.strip()
    if (seconds is None and digits.isascii() and digits.isdigit()) or (
        seconds is not None and seconds > MAX_RETRY_AFTER_SECONDS
    ):
        checked.add(
            "status.retry-after-unreasonable",
            f"Retry-After {value[:_MAX_SHOWN]!r} asks the service to wait more than a day",
        )
        checked.retry_after = seconds
        return
    if seconds is None:
        checked.add(
            "status.retry-after-invalid",
            f"Retry-After {value[:_MAX_SHOWN]!r} is neither a number of seconds nor an HTTP-date",
        )
    checked.retry_after = seconds


def _decode(body: bytes, checked: CheckedResponse, api: Api) -> Mapping[str, Any] | None:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        checked.add("body.not-json", f"the {api} body is not JSON: {str(error)[:_MAX_SHOWN]}")
        return None
    if not isinstance(document, dict):
        checked.add("body.not-an-object", f"the {api} body is {_show(document)}, not an object")
        return None
    return document
