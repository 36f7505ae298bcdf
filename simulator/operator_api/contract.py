"""Checks one operator API response against the documented contract. Pure and bounded.

The status table, headers and bodies come from the public pages "Mobile Operator account
management in Windows 10" (GetBalance, and the error-code table all three APIs share), "Mobile
Plans gateway page" (GetOffers) and "Mobile Plans notifications" (GetNotifications). Every
finding is a :class:`~simulator.contract.violations.Violation` whose ``spec`` links its section
in docs/operator-apis.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulator.contract.violations import Severity, Violation
from simulator.operator_api.config import BalanceType, ServiceConfiguration
from simulator.operator_api.durations import IsoDuration, parse_iso_duration, parse_retry_after
from simulator.operator_api.requests import TRANSACTION_HEADER, Api, ApiRequest
from simulator.operator_api.rules import violation

__all__ = ["MAX_BODY_BYTES", "ApiResponse", "Balance", "CheckedResponse", "check_response"]

MAX_BODY_BYTES = 256 * 1024  # a balance, offer or notification list is a few hundred bytes
_DOCUMENTED_STATUSES = frozenset({200, 201, 400, 401, 403, 404, 409, 429, 500})
_MAX_SHOWN = 80
_MAX_MB = 10**300  # larger integers do not fit a float (a Double in the Balance table)


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Balance:
    type: BalanceType
    data_remaining_mb: float | None
    time_remaining: IsoDuration | None
    id: str | None = None


@dataclass
class CheckedResponse:
    """What the service understood from one answer, and what was wrong with it.

    ``balances`` / ``gateway_ids`` / ``notification_ids`` are the usable entries (None when the
    answer carries none); ``retry_after`` the seconds a 429 asked to wait.
    """

    api: Api
    status: int
    violations: list[Violation] = field(default_factory=list)
    balances: list[Balance] | None = None
    gateway_ids: list[str] | None = None
    notification_ids: list[str] | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not any(v.severity is Severity.ERROR for v in self.violations)

    def add(self, rule: str, message: str, field_name: str | None = None) -> None:
        self.violations.append(violation(rule, message, field_name))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


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
            f"{request.api} answered {len(response.body)} bytes; more than {MAX_BODY_BYTES}",
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
        checked.balances = _check_balances(document, request, checked)
    elif request.api is Api.GET_OFFERS:
        checked.gateway_ids = _check_offers(document, request, config, checked)
    else:
        checked.notification_ids = _check_notifications(document, request, config, checked)
    return checked


def _check_error_status(
    request: ApiRequest, response: ApiResponse, checked: CheckedResponse, now: datetime | None
) -> None:
    status, body = response.status, response.body.decode("utf-8", "replace").strip()
    if status not in _DOCUMENTED_STATUSES:
        checked.add(
            "status.undocumented",
            f"{request.api} answered HTTP {status}; the error-code table lists 200, 201, 400, "
            "401, 403, 404, 409, 429 and 500",
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


def _list_field(
    document: Mapping[str, Any], name: str, prefix: str, limit: int, checked: CheckedResponse
) -> list[Any] | None:
    if name not in document:
        near = [k for k in document if isinstance(k, str) and k.casefold() == name.casefold()]
        hint = f" (found {near[0]!r}: names are case-sensitive)" if near else ""
        checked.add(f"{prefix}.{name}.missing", f"the body has no {name!r} list{hint}", name)
        return None
    value = document[name]
    if not isinstance(value, list):
        checked.add(f"{prefix}.{name}.not-a-list", f"{name} is {_show(value)}, not a list", name)
        return None
    if len(value) > limit:
        checked.add(
            f"{prefix}.{name}.over-limit",
            f"{name} has {len(value)} entries; the request asked for at most limit={limit}",
            name,
        )
    return value


def _check_balances(
    document: Mapping[str, Any], request: ApiRequest, checked: CheckedResponse
) -> list[Balance] | None:
    entries = _list_field(document, "balances", "balance", request.limit, checked)
    if entries is None:
        return None
    if not entries:
        checked.add(
            "balance.balances.empty",
            "balances is empty; a zero balance is one entry with dataRemainingInMB=0 and "
            'timeRemaining="PT0S"',
            "balances",
        )
    found = []
    for n, entry in enumerate(entries[: max(request.limit, 1)]):
        balance = _check_balance(entry, f"balances[{n}]", request, checked)
        if balance is not None:
            found.append(balance)
    return found


def _check_balance(
    entry: Any, where: str, request: ApiRequest, checked: CheckedResponse
) -> Balance | None:
    if not isinstance(entry, dict):
        checked.add("balance.entry.not-an-object", f"{where} is {_show(entry)}", where)
        return None
    kind = _balance_type(entry, where, checked)
    data = _data_remaining(entry, where, checked)
    time_left = _time_remaining(entry, where, checked)
    balance_id = entry.get("id")
    if balance_id is None and (request.fields_template or "").casefold() == "full":
        checked.add(
            "balance.id.missing",
            f"{where} has no id; fieldsTemplate=full asks for every Balance property",
            f"{where}.id",
        )
    elif balance_id is not None and not isinstance(balance_id, str):
        checked.add("balance.id.not-a-string", f"{where}.id is {_show(balance_id)}", f"{where}.id")
        balance_id = None
    if kind is None:
        return None
    if (
        kind in (BalanceType.MODIRECT, BalanceType.MODIRECTPAYG)
        and data == 0
        and time_left is not None
        and not time_left.is_zero
    ):
        checked.add(
            "balance.zero-not-none",
            f"{where} has no data left but {time_left.text} of time as {kind}; when the remaining "
            'balance is 0 but the plan has not expired the docs expect type "NONE"',
            f"{where}.type",
        )
    return Balance(kind, data, time_left, balance_id)


def _balance_type(
    entry: Mapping[str, Any], where: str, checked: CheckedResponse
) -> BalanceType | None:
    if "type" not in entry:
        checked.add("balance.type.missing", f"{where} has no type", f"{where}.type")
        return None
    value = entry["type"]
    try:
        return BalanceType(value)
    except ValueError:
        hint = ""
        if isinstance(value, str) and value.upper() in BalanceType.__members__:
            hint = f" (the values are upper case: {value.upper()!r})"
        checked.add(
            "balance.type.unknown",
            f"{where}.type is {_show(value)}; one of MODIRECT, MODIRECTPAYG, NONE, "
            f"NOTSUPPORTED{hint}",
            f"{where}.type",
        )
        return None


def _data_remaining(entry: Mapping[str, Any], where: str, checked: CheckedResponse) -> float | None:
    name = "dataRemainingInMB"
    if name not in entry and "dataRemaininginMB" in entry:
        name = "dataRemaininginMB"
        checked.add(
            "balance.dataRemainingInMB.sample-spelling",
            f"{where} spells it dataRemaininginMB (the docs' sample); the Balance table says "
            "dataRemainingInMB",
            f"{where}.{name}",
        )
    if name not in entry:
        checked.add(
            "balance.dataRemainingInMB.missing",
            f"{where} has no dataRemainingInMB",
            f"{where}.dataRemainingInMB",
        )
        return None
    value = entry[name]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_MB:
        value = math.inf if value > 0 else -math.inf  # beyond a float: unusable as infinity
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        checked.add(
            "balance.dataRemainingInMB.not-a-number",
            f"{where}.{name} is {_show(value)}; a Double (MB)",
            f"{where}.{name}",
        )
        return None
    if value < 0:
        checked.add(
            "balance.dataRemainingInMB.negative", f"{where}.{name} is {value}", f"{where}.{name}"
        )
        return None
    return float(value)


def _time_remaining(
    entry: Mapping[str, Any], where: str, checked: CheckedResponse
) -> IsoDuration | None:
    if "timeRemaining" not in entry:
        checked.add(
            "balance.timeRemaining.missing",
            f"{where} has no timeRemaining",
            f"{where}.timeRemaining",
        )
        return None
    value = entry["timeRemaining"]
    duration = parse_iso_duration(value) if isinstance(value, str) else None
    if duration is None:
        checked.add(
            "balance.timeRemaining.not-iso8601",
            f'{where}.timeRemaining is {_show(value)}; an ISO 8601 duration such as "P23DT23H" '
            'or "PT0S"',
            f"{where}.timeRemaining",
        )
    return duration


def _check_offers(
    document: Mapping[str, Any],
    request: ApiRequest,
    config: ServiceConfiguration,
    checked: CheckedResponse,
) -> list[str] | None:
    entries = _list_field(document, "offers", "offers", request.limit, checked)
    if entries is None:
        return None
    if not entries:
        checked.add("offers.offers.empty", 'no offer: the Gateway page shows template "0"')
    found = []
    for n, entry in enumerate(entries[: max(request.limit, 1)]):
        where = f"offers[{n}]"
        if not isinstance(entry, dict):
            checked.add("offers.entry.not-an-object", f"{where} is {_show(entry)}", where)
            continue
        if "gatewayId" not in entry:
            checked.add("offers.gatewayId.missing", f"{where} has no gatewayId", where)
            continue
        value = entry["gatewayId"]
        if isinstance(value, int) and not isinstance(value, bool):
            checked.add(
                "offers.gatewayId.not-a-string",
                f'{where}.gatewayId is the number {value}; the docs send a string ("0")',
                f"{where}.gatewayId",
            )
            value = str(value)
        if not isinstance(value, str):
            checked.add("offers.gatewayId.unknown", f"{where}.gatewayId is {_show(value)}", where)
            continue
        if value not in config.gateway_ids:
            known = ", ".join(sorted(config.gateway_ids)) or "none"
            checked.add(
                "offers.gatewayId.unknown",
                f"{where}.gatewayId {value!r} is not a Gateway template of this operator's "
                f"configuration (configured: {known})",
                f"{where}.gatewayId",
            )
            continue
        found.append(value)
    return found


def _check_notifications(
    document: Mapping[str, Any],
    request: ApiRequest,
    config: ServiceConfiguration,
    checked: CheckedResponse,
) -> list[str] | None:
    entries = _list_field(document, "notifications", "notifications", request.limit, checked)
    if entries is None:
        return None
    if not entries:
        checked.add("notifications.notifications.empty", "no notification: no toast is shown")
    found = []
    for n, entry in enumerate(entries[: max(request.limit, 1)]):
        where = f"notifications[{n}]"
        if not isinstance(entry, dict):
            checked.add("notifications.entry.not-an-object", f"{where} is {_show(entry)}", where)
            continue
        if "notificationId" not in entry:
            checked.add(
                "notifications.notificationId.missing", f"{where} has no notificationId", where
            )
            continue
        value = entry["notificationId"]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            checked.add(
                "notifications.notificationId.not-an-id",
                f"{where}.notificationId is {_show(value)}",
                f"{where}.notificationId",
            )
            continue
        key = str(value)
        kind = entry.get("notificationType")
        asked = request.notification_type
        if kind is not None and asked is not None and kind != asked.value:
            checked.add(
                "notifications.notificationType.mismatch",
                f"{where}.notificationType is {_show(kind)} but the request asked for "
                f"{asked.value!r}",
                f"{where}.notificationType",
            )
        # with no notification templates configured there is nothing to match ids against
        if config.notification_ids and key not in config.notification_ids:
            known = ", ".join(sorted(config.notification_ids)) or "none"
            checked.add(
                "notifications.notificationId.unknown",
                f"{where}.notificationId {key!r} is not a notification of this operator's "
                f"configuration (configured: {known})",
                f"{where}.notificationId",
            )
            continue
        found.append(key)
    return found
