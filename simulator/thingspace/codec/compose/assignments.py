"""Parse what a person typed: ``KIND:ID`` devices and ``NAME=VALUE`` fields."""

from __future__ import annotations

from collections.abc import Iterable

from ..devices import DeviceId
from ..errors import CallbackDecodeError, shown, spec_ref
from .template import SPEC_SERVICES, CallbackComposeError

_SPEC_DEVICES = spec_ref("§3.1")


def parse_device_argument(text: str, *, where: str = "device") -> DeviceId:
    """``KIND:ID`` (e.g. ``Mdn:3124705797``) as a validated :class:`DeviceId`."""
    kind, colon, identifier = text.partition(":")
    if not colon or not kind.strip():
        raise CallbackComposeError(
            "compose.device-syntax",
            f"{where} {shown(text)} is not KIND:ID (e.g. Mdn:3124705797).",
            spec=_SPEC_DEVICES,
            field="device",
        )
    try:
        return DeviceId.parse(kind.strip(), identifier.strip(), where=where)
    except CallbackDecodeError as error:
        raise CallbackComposeError(
            error.rule, error.message, spec=error.spec, field="device"
        ) from None


def parse_field_assignments(texts: Iterable[str], *, where: str = "field") -> dict[str, str]:
    """``NAME=VALUE`` texts as a mapping; the value may hold ``=``, names may not repeat."""
    fields: dict[str, str] = {}
    seen: set[str] = set()
    for text in texts:
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CallbackComposeError(
                "compose.field-syntax",
                f"{where} {shown(text)} is not NAME=VALUE.",
                spec=SPEC_SERVICES,
                field=name or None,
            )
        if name.lower() in seen:
            raise CallbackComposeError(
                "compose.field-repeated",
                f"{where} {name!r} is given twice.",
                spec=SPEC_SERVICES,
                field=name,
            )
        seen.add(name.lower())
        fields[name] = value
    return fields


def parse_device_list(text: str, *, where: str) -> tuple[DeviceId, ...]:
    return tuple(
        parse_device_argument(part.strip(), where=where) for part in text.split(",") if part.strip()
    )
