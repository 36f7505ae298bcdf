"""What a ``thingspace.received`` event says about one callback, and its one-line reading. Pure.

The event carries the parsed callback (service, device identifiers, the service's own data,
whether credentials were present — never their values) so a log answers "what did the platform
tell us?" without the body. Every text in it is cut to a bounded size: the event history of a
long-running listener must not grow with what a sender chooses to put in a field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum

from .codec import CallbackMessage, DeviceId
from .codec.fields import UnverifiedFields

MAX_TEXT_CHARS = 256  # any one text in an event; longer ones end in "…"
MAX_DATA_ITEMS = 64  # values of the service's data shown, in all; the rest is "…"
MAX_DATA_DEPTH = 6
MAX_LINE_CHARS = 400

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def bounded_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def device_label(device: DeviceId) -> str:
    return bounded_text(f"{device.kind.value}:{device.value}", 80)


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_DATA_ITEMS


def _summary(value: object, depth: int, budget: _Budget) -> JsonValue:
    budget.left -= 1
    if budget.left < 0 or depth > MAX_DATA_DEPTH:
        return "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return bounded_text(value)
    if isinstance(value, DeviceId):
        return device_label(value)
    if isinstance(value, UnverifiedFields):
        group: dict[str, JsonValue] = {}
        for key, item in value:
            name = bounded_text(key, 80)
            shown = _summary(item, depth + 1, budget)
            # XML repeats elements: a repeated name keeps every value, in order.
            if name in group:
                earlier = group[name]
                group[name] = [*earlier, shown] if isinstance(earlier, list) else [earlier, shown]
            else:
                group[name] = shown
        return group
    if isinstance(value, tuple | list):
        return [_summary(item, depth + 1, budget) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields: dict[str, JsonValue] = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if isinstance(item, UnverifiedFields) and not item:
                continue  # an empty "extra": nothing the sender said
            fields[field.name] = _summary(item, depth + 1, budget)
        return fields
    return bounded_text(repr(value))


def longest_text(value: object, depth: int = 0) -> int:
    """The length of the longest text anywhere in a payload (0 past a sane depth)."""
    if depth > MAX_DATA_DEPTH * 4:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, UnverifiedFields):
        return max((max(len(k), longest_text(v, depth + 1)) for k, v in value), default=0)
    if isinstance(value, tuple | list):
        return max((longest_text(item, depth + 1) for item in value), default=0)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return max(
            (longest_text(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)),
            default=0,
        )
    return 0


def data_summary(message: CallbackMessage) -> JsonValue:
    """The service's data, field by field (PromoChange: ``change``, ``change_date``)."""
    return _summary(message.data, 0, _Budget())


def message_fields(message: CallbackMessage) -> dict[str, object]:
    """The event fields that describe a parsed callback (accepted or refused after parsing)."""
    return {
        "service": None if message.service is None else message.service.value,
        "payload": message.data.element_name,
        "request_id": None if message.request_id is None else bounded_text(message.request_id),
        "devices": [device_label(device) for device in message.devices[:MAX_DATA_ITEMS]],
        "data": data_summary(message),
        "credentials": {"username": bool(message.username), "password": bool(message.password)},
        "callback_count": message.callback_count,
        "max_callback_threshold": message.max_callback_threshold,
    }


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return repr(bounded_text(value, 80))  # quoted and escaped: no control characters
    if isinstance(value, dict | list):
        return "{…}" if isinstance(value, dict) else "[…]"
    return str(value)


def _data_text(data: object) -> str:
    if not isinstance(data, dict):
        return ""
    return ", ".join(f"{key}={_scalar(value)}" for key, value in data.items())


def describe_received(wall: str, fields: Mapping[str, object]) -> str:
    """One readable line for a ``thingspace.received`` event (what ``thingspace listen`` prints)."""
    clock = wall[11:19] if len(wall) >= 19 else wall
    status = fields.get("status")
    wire = str(fields.get("format") or "").upper()
    if not fields.get("accepted"):
        rule = fields.get("outcome")
        reason = str(fields.get("message") or "")
        line = f"{clock} {status} REJECTED {wire} {rule}: {reason}"
    else:
        service = fields.get("service") or fields.get("payload") or "unknown service"
        raw_devices = fields.get("devices")
        devices = (
            " ".join(str(d) for d in raw_devices)
            if isinstance(raw_devices, list) and raw_devices
            else "no device"
        )
        request_id = fields.get("request_id")
        request = f" request {_scalar(request_id)}" if isinstance(request_id, str) else ""
        what = _data_text(fields.get("data"))
        if fields.get("duplicate"):
            result = "duplicate, already handled"
        else:
            applied = "applied" if fields.get("applied") else "not applied"
            result = f"{fields.get('outcome')} ({applied})"
        line = f"{clock} {status} {service} via {wire} for {devices}{request}: {what} -> {result}"
    line = "".join(c if c.isprintable() else "?" for c in line)
    return bounded_text(line, MAX_LINE_CHARS)
