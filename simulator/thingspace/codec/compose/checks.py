"""Field checks and defaults the templates share: dates, fault codes, base64, devices."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime

from ..errors import shown
from ..payloads import format_change_date, parse_change_date
from .assignments import parse_device_list
from .template import CallbackComposeError, ComposeContext

_FAULT_CODE = re.compile(
    r"[A-Za-z][A-Za-z0-9]*\.(INPUT_INVALID|REQUEST_FAILED|REQUEST_ONHOLD|REQUEST_CANCELLED)"
    r"\.[A-Za-z0-9_]+"
)


def us_date(moment: datetime) -> str:
    return format_change_date(moment.replace(microsecond=0))


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def check_date(value: str) -> str | None:
    if parse_change_date(value) is None:
        return f"{shown(value)} is neither a US date (4/1/2017 12:00:00 AM) nor ISO-8601"
    return None


def check_fault_code(value: str) -> str | None:
    if _FAULT_CODE.fullmatch(value.strip()) is None:
        return (
            f"{shown(value)} is not <Service>.<CLASS>.<Specific> with CLASS one of "
            "INPUT_INVALID, REQUEST_FAILED, REQUEST_ONHOLD, REQUEST_CANCELLED"
        )
    return None


def check_base64(value: str) -> str | None:
    try:
        base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return f"{shown(value)} is not base64"
    return None


def check_devices(value: str) -> str | None:
    try:
        parse_device_list(value, where="DeviceIdentifierChanged")
    except CallbackComposeError as error:
        return error.message
    return None


def echo_devices(context: ComposeContext) -> str | None:
    text = ",".join(f"{device.soap_label()}:{device.value}" for device in context.devices)
    return text or None
