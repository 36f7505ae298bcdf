"""Compose a message: resolve the given fields against a template and build the callback."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from ..devices import DeviceId
from ..errors import CallbackEncodeError, shown, spec_ref
from ..model import CallbackMessage
from ..xml_writer import check_xml_name, check_xml_text
from .registry import template_for
from .template import CallbackComposeError, CallbackTemplate, ComposeContext, Values

_SPEC_ENVELOPE = spec_ref("§1.2, §2.6")

# The envelope field the composer takes among the payload fields (the CLI's and panel's habit).
REQUEST_ID_FIELD = "RequestId"


def _check_text(value: str, *, field: str, spec: str) -> None:
    try:
        check_xml_text(value, where=field)
    except CallbackEncodeError as error:
        raise CallbackComposeError(
            "compose.field-character", error.message, spec=spec, field=field
        ) from None


def _resolve(
    template: CallbackTemplate, given: Mapping[str, str], context: ComposeContext
) -> Values:
    chosen: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw_name, value in given.items():
        name = raw_name.strip()
        if name.lower() in seen:
            raise CallbackComposeError(
                "compose.field-repeated",
                f"{template.name}: field {name!r} is given twice (names ignore case).",
                spec=template.spec,
                field=name,
            )
        seen.add(name.lower())
        _check_text(value, field=name, spec=template.spec)
        known = template.field(name)
        if known is not None:
            chosen[known.name] = value
            continue
        names = ", ".join(f.name for f in template.fields)
        if not template.extensible:
            raise CallbackComposeError(
                "compose.field-unknown",
                f"{name!r} is not a field of {template.name} (its fields: {names}, "
                f"{REQUEST_ID_FIELD}).",
                spec=template.spec,
                field=name,
            )
        try:
            check_xml_name(name)
        except CallbackEncodeError:
            raise CallbackComposeError(
                "compose.field-name",
                f"{template.name}: {name!r} cannot name a field (letters, digits, _ . -; not "
                "starting with a digit).",
                spec=template.spec,
                field=name or None,
            ) from None
        if name.lower() in template.reserved:
            raise CallbackComposeError(
                "compose.field-reserved",
                f"{template.name}: {name!r} is built from the fields {names}; give those instead.",
                spec=template.spec,
                field=name,
            )
        extra.append((name, value))

    resolved: dict[str, str | None] = {}
    for field in template.fields:
        if field.name not in chosen:
            resolved[field.name] = field.default_text(context)
            continue
        value = chosen[field.name]
        if not value.strip():
            if field.required:
                raise CallbackComposeError(
                    "compose.field-empty",
                    f"{template.name}: {field.name} cannot be empty ({field.help}).",
                    spec=template.spec,
                    field=field.name,
                )
            resolved[field.name] = None
            continue
        reason = None if field.check is None else field.check(value)
        if reason is not None:
            raise CallbackComposeError(
                "compose.field-invalid",
                f"{template.name}: {field.name} {reason}.",
                spec=template.spec,
                field=field.name,
            )
        resolved[field.name] = value
    return Values(template, resolved, tuple(extra), context)


def default_fields(
    service: str, devices: Sequence[DeviceId] = (), *, now: datetime | None = None
) -> dict[str, str]:
    """The fields *service* is composed with when none are given (left-out ones omitted)."""
    template = template_for(service)
    context = ComposeContext(now or datetime.now(), tuple(devices))
    return {
        field.name: text
        for field in template.fields
        if (text := field.default_text(context)) is not None
    }


def compose_message(
    service: str,
    devices: Sequence[DeviceId] = (),
    fields: Mapping[str, str] | None = None,
    *,
    request_id: str | None = None,
    username: str = "",
    password: str = "",
    now: datetime | None = None,
) -> CallbackMessage:
    """The callback the platform would send for *service* about *devices*.

    *service* is a name from :data:`COMPOSABLE`, and either documented spelling of a service
    is accepted. *fields* are ``NAME=VALUE`` pairs with names matched case-insensitively. A
    field that is not given takes its default, and a field given empty is left out. The
    ``RequestId`` field may stand in for *request_id*. With neither, a UUID is made. The
    message always carries a RequestId, MO SMS included: REST needs one (§1.3), although
    Verizon's SOAP ``SmsCallbackRequest`` has none (§1.2.6).
    Raises :class:`CallbackComposeError`.
    """
    template = template_for(service)
    given = dict(fields or {})
    for name in list(given):
        if name.strip().lower() == REQUEST_ID_FIELD.lower():
            from_fields = given.pop(name).strip()
            if request_id is not None and from_fields and from_fields != request_id:
                raise CallbackComposeError(
                    "compose.request-id-conflict",
                    f"RequestId is given twice: {shown(request_id)} and {shown(from_fields)}.",
                    spec=_SPEC_ENVELOPE,
                    field=REQUEST_ID_FIELD,
                )
            request_id = request_id or from_fields or None
    if request_id is not None:
        if not request_id.strip():
            raise CallbackComposeError(
                "compose.field-empty",
                "RequestId cannot be empty.",
                spec=_SPEC_ENVELOPE,
                field=REQUEST_ID_FIELD,
            )
        _check_text(request_id, field=REQUEST_ID_FIELD, spec=_SPEC_ENVELOPE)
    _check_text(username, field="Username", spec=_SPEC_ENVELOPE)
    _check_text(password, field="Password", spec=_SPEC_ENVELOPE)

    context = ComposeContext(now or datetime.now(), tuple(devices))
    data = template.build(_resolve(template, given, context))
    return CallbackMessage(
        data=data,
        request_id=request_id or str(uuid.uuid4()),
        devices=context.devices,
        username=username,
        password=password,
        status=template.status,
    )
