"""The body rules of GetBalance, GetOffers and GetNotifications (see contract.py for the
public pages they come from). Each returns the usable entries and records what is wrong."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from simulator.operator_api.config import BalanceType, ServiceConfiguration
from simulator.operator_api.durations import IsoDuration, parse_iso_duration
from simulator.operator_api.requests import ApiRequest
from simulator.operator_api.responses import Balance, CheckedResponse
from simulator.operator_api.responses import show as _show

__all__ = ["check_balances", "check_notifications", "check_offers"]

_MAX_MB = 10**300  # larger integers do not fit a float (a Double in the Balance table)


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


def check_balances(
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


def check_offers(
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


def check_notifications(
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
