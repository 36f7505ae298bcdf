"""Compose the callback a platform would send: a service, devices and ``NAME=VALUE`` fields.

The one message builder behind the Platform panel's composer and ``mobileplans-sim thingspace
send`` (issue 5, item 6). It builds every service of thingspace-callbacks.md §1.1, and the
``Data`` children of §1.2 that belong to no single service (``Fault``, ``Summary`` and
``Status``). Every field has a default, so a service name alone is enough to make a message.

Payloads the codec types are built typed. These are PromoChange, ResumeTrackingNotification,
ExternalProvisioningChange, CarrierService, the §1.2.5 payloads (DeviceSuspendStatus, Usage,
SMSDelivery, PRLInformation, Fault) and the MO SMS. Every other service becomes an
:class:`UnverifiedPayload` holding an :class:`UnverifiedFields` tree, marked
``SHAPE_VERIFIED = False``. Field names of unverified shapes are the simulator's own guesses,
and any further ``NAME=VALUE`` is carried as given.

Pure: no I/O. Pass ``now`` and ``request_id`` to get the same message every time. Bad input
raises :class:`CallbackComposeError`, which names the field and the spec section.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .devices import DeviceId
from .errors import CallbackDecodeError, CallbackEncodeError, RuleError, shown, spec_ref
from .fields import FieldValue, UnverifiedFields
from .model import CallbackMessage
from .payloads import (
    CallbackData,
    CarrierInformation,
    CarrierService,
    ChangeDeviceIdentifier,
    DeviceInformation,
    ExternalProvisioningChange,
    PromoChange,
    ResumeTrackingNotification,
    format_change_date,
    parse_change_date,
)
from .services import ServiceName, canonical_service_name
from .unverified import (
    DeviceSuspendStatus,
    Fault,
    PrlInformation,
    SmsDelivery,
    SmsMessage,
    UnverifiedPayload,
    Usage,
)
from .xml_writer import check_xml_name, check_xml_text

_SPEC_SERVICES = spec_ref("§1.1")
_SPEC_ENVELOPE = spec_ref("§1.2, §2.6")
_SPEC_DEVICES = spec_ref("§3.1")
_SPEC_UNVERIFIED = spec_ref("§1.2.5")
_SPEC_FAULT = spec_ref("§1.3")

# The envelope field the composer takes among the payload fields (the CLI's and panel's habit).
REQUEST_ID_FIELD = "RequestId"

_FAULT_CODE = re.compile(
    r"[A-Za-z][A-Za-z0-9]*\.(INPUT_INVALID|REQUEST_FAILED|REQUEST_ONHOLD|REQUEST_CANCELLED)"
    r"\.[A-Za-z0-9_]+"
)


class CallbackComposeError(RuleError):
    """The composer was given something it cannot turn into a callback.

    ``field`` names the culprit: a payload field such as ``"ChangeDate"``, or ``"service"``,
    ``"device"`` or ``"RequestId"``. ``rule`` is a short stable id such as
    ``"compose.field-unknown"``, and ``spec`` is the section the rule comes from.
    ``str(error)`` gives the message followed by the rule and the spec reference.
    """

    def __init__(self, rule: str, message: str, *, spec: str, field: str | None = None) -> None:
        super().__init__(rule, message, spec=spec, status=400)
        self.field = field

    def __repr__(self) -> str:
        return f"CallbackComposeError(rule={self.rule!r}, field={self.field!r}, spec={self.spec!r})"


@dataclass(frozen=True)
class ComposeContext:
    """What a field's default may depend on: the moment and the devices of the message."""

    now: datetime
    devices: tuple[DeviceId, ...]


Default = str | Callable[[ComposeContext], str | None] | None
Check = Callable[[str], str | None]  # the reason the value is refused, or None


@dataclass(frozen=True)
class ComposeField:
    """One field the composer knows for a callback type.

    ``default`` is a text value, a function of the :class:`ComposeContext`, or None (the
    field is left out unless given). A field given with an empty value is left out. If
    ``required`` is set, an empty value is refused instead.
    """

    name: str
    default: Default = None
    help: str = ""
    required: bool = False
    check: Check | None = None

    def default_text(self, context: ComposeContext) -> str | None:
        if callable(self.default):
            return self.default(context)
        return self.default


@dataclass(frozen=True)
class Values:
    """A template's fields resolved against what was given: what its builder reads."""

    template: CallbackTemplate
    known: Mapping[str, str | None]
    extra: tuple[tuple[str, str], ...]
    context: ComposeContext

    def text(self, name: str) -> str | None:
        return self.known[name]

    def required(self, name: str) -> str:
        value = self.known[name]
        if value is None:  # only reachable for a field whose default is None
            raise self.fail(name, "compose.field-missing", f"{name} is needed.")
        return value

    def group(self, *names: str) -> UnverifiedFields:
        """The named fields that are present, in the order given, as a tree."""
        return UnverifiedFields(
            tuple((name, value) for name in names if (value := self.known[name]) is not None)
        )

    def extras(self) -> UnverifiedFields:
        return UnverifiedFields(self.extra)

    def all_fields(self) -> FieldValue:
        """Every present field in template order, then the extras, as the content of an
        unverified payload. An empty element (``""``) stands in when nothing is left."""
        tree = UnverifiedFields(self.group(*self.known).items + self.extra)
        return tree if len(tree) else ""

    def fail(self, field: str, rule: str, message: str) -> CallbackComposeError:
        return CallbackComposeError(
            rule, f"{self.template.name}: {message}", spec=self.template.spec, field=field
        )


Builder = Callable[[Values], CallbackData]


@dataclass(frozen=True)
class CallbackTemplate:
    """How one callback type is composed: its fields, their defaults and its payload.

    ``name`` is what the composer lists: a §1.1 service name, or a service-less §1.2 ``Data``
    child. ``verified`` is False when the payload's shape is not published (§1.2.5, and the
    "not seen" rows of §1.1). ``extensible`` means that fields the template does not know
    are carried as given. ``soap`` is False for services the legacy SOAP platform does not
    offer (§1.1); the codec still writes SOAP for them. ``status`` is the REST ``status``
    value to send. SOAP has no element for it.
    """

    name: str
    payload_name: str
    spec: str
    fields: tuple[ComposeField, ...]
    build: Builder
    verified: bool = True
    extensible: bool = False
    soap: bool = True
    status: str | None = None
    reserved: frozenset[str] = frozenset()  # lower-case names an extra may not take
    note: str = ""

    def field(self, name: str) -> ComposeField | None:
        wanted = name.lower()
        return next((f for f in self.fields if f.name.lower() == wanted), None)

    def summary(self) -> str:
        """One line for a tooltip or ``--help``: payload, spec section and caveats."""
        parts = [f"{self.name}: Data/{self.payload_name} ({self.spec})"]
        if not self.verified:
            parts.append("shape not verified; any NAME=VALUE is carried as given")
        elif self.extensible:
            parts.append("other NAME=VALUE fields are carried as extras")
        if not self.soap:
            parts.append("REST only on the real platform (§1.1)")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


# --- field checks and defaults --------------------------------------------------------------


def _us(moment: datetime) -> str:
    return format_change_date(moment.replace(microsecond=0))


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _check_date(value: str) -> str | None:
    if parse_change_date(value) is None:
        return f"{shown(value)} is neither a US date (4/1/2017 12:00:00 AM) nor ISO-8601"
    return None


def _check_fault_code(value: str) -> str | None:
    if _FAULT_CODE.fullmatch(value.strip()) is None:
        return (
            f"{shown(value)} is not <Service>.<CLASS>.<Specific> with CLASS one of "
            "INPUT_INVALID, REQUEST_FAILED, REQUEST_ONHOLD, REQUEST_CANCELLED"
        )
    return None


def _check_base64(value: str) -> str | None:
    try:
        base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return f"{shown(value)} is not base64"
    return None


def _check_devices(value: str) -> str | None:
    try:
        _device_list(value, where="DeviceIdentifierChanged")
    except CallbackComposeError as error:
        return error.message
    return None


def _device_list(text: str, *, where: str) -> tuple[DeviceId, ...]:
    return tuple(
        parse_device_argument(part.strip(), where=where) for part in text.split(",") if part.strip()
    )


def _echo_devices(context: ComposeContext) -> str | None:
    text = ",".join(f"{device.soap_label()}:{device.value}" for device in context.devices)
    return text or None


# --- builders -------------------------------------------------------------------------------


def _promo_change(values: Values) -> CallbackData:
    return PromoChange(values.required("Change"), values.required("ChangeDate"))


def _resume_tracking(values: Values) -> CallbackData:
    return ResumeTrackingNotification(values.required("Comment"))


def _external_change(values: Values) -> CallbackData:
    carrier = values.group("CarrierName", "ServicePlan", "State")
    info = None
    if len(carrier) or values.text("AccountName") or values.text("DeviceGroupName"):
        info = DeviceInformation(
            values.text("AccountName"),
            CarrierInformation(
                values.text("CarrierName"), values.text("ServicePlan"), values.text("State")
            )
            if len(carrier)
            else None,
            values.text("DeviceGroupName"),
        )
    return ExternalProvisioningChange(
        values.text("Source"), values.text("Change"), info, values.extras()
    )


def _carrier_service(values: Values) -> CallbackData:
    changed = values.text("DeviceIdentifierChanged")
    devices = () if changed is None else _device_list(changed, where="DeviceIdentifierChanged")
    return CarrierService(
        ChangeDeviceIdentifier(devices, values.text("ServicePlan")), values.extras()
    )


def _sms_message(values: Values) -> CallbackData:
    return SmsMessage(values.required("SmsMessage"))


_UnverifiedClass = type[DeviceSuspendStatus | Usage | SmsDelivery | PrlInformation | Fault]


def _unverified_as(cls: _UnverifiedClass) -> Builder:
    def build(values: Values) -> CallbackData:
        return cls(values.all_fields())

    return build


def _unverified_named(name: str) -> Builder:
    def build(values: Values) -> CallbackData:
        return UnverifiedPayload(name, values.all_fields())

    return build


def _nidd(values: Values) -> CallbackData:
    # §1.3 [3P]: niddResponse.niddMONotificationResponse{accountName, message (base64), ...}.
    inner = UnverifiedFields(values.group("accountName", "message").items + values.extra)
    content = UnverifiedFields.of(("niddMONotificationResponse", inner))
    return UnverifiedPayload("niddResponse", content)


# --- the templates ---------------------------------------------------------------------------

_ACCOUNT = "TestAccount-2"  # Verizon's REST sandbox account (§2.2)


def _simple_unverified(
    service: ServiceName, field: str, value: str, *, soap: bool, trigger: str
) -> CallbackTemplate:
    """A §1.1 service whose payload was "not seen": carried under the service's own name."""
    return CallbackTemplate(
        service.value,
        service.value,
        _SPEC_SERVICES,
        (ComposeField(field, value, f"what triggered it ({trigger})"),),
        _unverified_named(service.value),
        verified=False,
        extensible=True,
        soap=soap,
        note="payload name and fields are the simulator's placeholders (§1.1: not seen)",
    )


_TEMPLATES: tuple[CallbackTemplate, ...] = (
    CallbackTemplate(
        ServiceName.CARRIER_SERVICE.value,
        CarrierService.ELEMENT,
        CarrierService.SPEC,
        (
            ComposeField(
                "DeviceIdentifierChanged",
                _echo_devices,
                "the device's identifiers after the change, KIND:ID[,KIND:ID] "
                "(default: the message's devices)",
                check=_check_devices,
            ),
            ComposeField("ServicePlan", None, "the service plan after the change, e.g. M2M_4G"),
        ),
        _carrier_service,
        extensible=True,
        status="Success",
        reserved=frozenset({"changedeviceidentifier", "changeidentifierresponse"}),
        note="a ChangeDeviceIdentifier result",
    ),
    _simple_unverified(
        ServiceName.DEVICE_SERVICE,
        "Operation",
        "CheckDeviceAvailability",
        soap=True,
        trigger="CheckDeviceAvailability, CheckOrderStatus, UploadActivate, UploadDevices",
    ),
    CallbackTemplate(
        ServiceName.DEVICE_PRL_INFORMATION.value,
        PrlInformation.ELEMENT,
        PrlInformation.SPEC,
        (ComposeField("PrlVersion", "52", "the PRL version (2G/3G only)"),),
        _unverified_as(PrlInformation),
        verified=False,
        extensible=True,
    ),
    CallbackTemplate(
        ServiceName.DEVICE_SUSPENSION_STATUS.value,
        DeviceSuspendStatus.ELEMENT,
        DeviceSuspendStatus.SPEC,
        (
            ComposeField("State", "Suspend", "the device's current state"),
            ComposeField(
                "SuspendDate", lambda c: _us(_midnight(c.now)), "the date it was suspended"
            ),
            ComposeField(
                "AutoResumeDate",
                lambda c: _us(_midnight(c.now) + timedelta(days=90)),
                "the date it returns to active",
            ),
            ComposeField("DaysSuspendedInLast12Months", "0", "days suspended, last 12 months"),
            ComposeField("DaysRemaining", "90", "suspend days left in this 12-month period"),
        ),
        _unverified_as(DeviceSuspendStatus),
        verified=False,
        extensible=True,
    ),
    CallbackTemplate(
        ServiceName.DEVICE_USAGE.value,
        Usage.ELEMENT,
        Usage.SPEC,
        (
            ComposeField(
                "StartDate", lambda c: _us(_midnight(c.now) - timedelta(days=1)), "window start"
            ),
            ComposeField("EndDate", lambda c: _us(_midnight(c.now)), "window end"),
            ComposeField("TotalBytes", "1048576", "bytes used in the window"),
            ComposeField("TotalSms", "3", "SMS used in the window"),
        ),
        _unverified_as(Usage),
        verified=False,
        extensible=True,
    ),
    CallbackTemplate(
        ServiceName.ENHANCED_CONNECTIVITY_SERVICE.value,
        SmsMessage.ELEMENT,
        SmsMessage.SPEC,
        (
            ComposeField(
                "SmsMessage", "status ok rssi -67", "the mobile-originated SMS text", required=True
            ),
        ),
        _sms_message,
        note="SOAP root SmsCallbackRequest (§1.2.6)",
    ),
    CallbackTemplate(
        ServiceName.SMS_DELIVERY_CONFIRMATION.value,
        SmsDelivery.ELEMENT,
        SmsDelivery.SPEC,
        (
            ComposeField("DeliveryStatus", "Delivered", "Delivered, or Expired after 120 h"),
            ComposeField("DeliveryDate", lambda c: _us(c.now), "when the device acknowledged"),
        ),
        _unverified_as(SmsDelivery),
        verified=False,
        extensible=True,
    ),
    CallbackTemplate(
        ServiceName.EXTERNAL_PROVISIONING_CHANGES.value,
        ExternalProvisioningChange.ELEMENT,
        ExternalProvisioningChange.SPEC,
        (
            ComposeField("Source", "Verizon", "the tool used to make the change"),
            ComposeField(
                "Change", "Restore", "Activate, Suspend, Restore, Deactivate, changeICCID, ..."
            ),
            ComposeField("AccountName", None, "DeviceInfo/AccountName"),
            ComposeField(
                "CarrierName", "Verizon Wireless", "DeviceInfo/CarrierInformation/CarrierName"
            ),
            ComposeField("ServicePlan", None, "DeviceInfo/CarrierInformation/ServicePlan"),
            ComposeField("State", None, "DeviceInfo/CarrierInformation/State"),
            ComposeField("DeviceGroupName", None, "DeviceInfo/DeviceGroupName"),
        ),
        _external_change,
        extensible=True,
        reserved=frozenset({"deviceinfo", "carrierinformation"}),
        note="Device is left out for activations on the real platform (§1.2.3)",
    ),
    CallbackTemplate(
        ServiceName.PROMO_CHANGES.value,
        PromoChange.ELEMENT,
        PromoChange.SPEC,
        (
            ComposeField(
                "Change", "PromoCode Dropped.", "the promotional code removed", required=True
            ),
            ComposeField(
                "ChangeDate",
                lambda c: _us(c.now),
                "when it was removed, US or ISO-8601",
                required=True,
                check=_check_date,
            ),
        ),
        _promo_change,
    ),
    CallbackTemplate(
        ServiceName.RESUME_TRACKING_NOTIFICATION.value,
        ResumeTrackingNotification.ELEMENT,
        ResumeTrackingNotification.SPEC,
        (
            ComposeField(
                "Comment",
                lambda c: (
                    "Device will be auto resumed on - " + _us(_midnight(c.now) + timedelta(days=7))
                ),
                "free text; sent 7 days before the auto-resume",
                required=True,
            ),
        ),
        _resume_tracking,
    ),
    _simple_unverified(
        ServiceName.ALERT_SERVICE,
        "Trigger",
        "UsageTrigger",
        soap=True,
        trigger="trigger conditions met (usage triggers)",
    ),
    _simple_unverified(
        ServiceName.STATE_SERVICE,
        "Operation",
        "gotostate",
        soap=False,
        trigger="PUT /devices/actions/gotostate",
    ),
    CallbackTemplate(
        ServiceName.NIDD_SERVICE.value,
        "niddResponse",
        spec_ref("§1.3"),
        (
            ComposeField("accountName", _ACCOUNT, "the account the device belongs to"),
            ComposeField(
                "message",
                base64.b64encode(b"hello").decode("ascii"),
                "the mobile-originated data, base64",
                required=True,
                check=_check_base64,
            ),
        ),
        _nidd,
        verified=False,
        extensible=True,
        soap=False,
        note="niddMONotificationResponse (MO data) [3P]",
    ),
    _simple_unverified(
        ServiceName.DEVICE_PROFILE_SERVICE,
        "Operation",
        "ProfileDownload",
        soap=False,
        trigger="eUICC profile operations",
    ),
    _simple_unverified(
        ServiceName.DIAGNOSTICS_SERVICE,
        "DeviceState",
        "awake",
        soap=False,
        trigger="SCEF awake/sleep state",
    ),
    _simple_unverified(
        ServiceName.SUBSCRIPTION_NOTIFICATION_SERVICE,
        "Notification",
        "UsageThreshold",
        soap=False,
        trigger="throttling / usage thresholds",
    ),
    _simple_unverified(
        ServiceName.INTELLIGENCE_SERVICE,
        "Notification",
        "NetworkIntelligence",
        soap=False,
        trigger="network intelligence",
    ),
    # §1.2 Data children that belong to no one service.
    CallbackTemplate(
        Fault.ELEMENT,
        Fault.ELEMENT,
        _SPEC_FAULT,
        (
            ComposeField(
                "faultcode",
                "UnifiedWebService.REQUEST_FAILED.DeviceAlreadyActive",
                "<Service>.<CLASS>.<Specific>; the stable part",
                required=True,
                check=_check_fault_code,
            ),
            ComposeField("faultstring", "Device is already active.", "text; may change"),
        ),
        _unverified_as(Fault),
        verified=False,
        extensible=True,
        status="Failed",
        note="a failed asynchronous request (REST faultResponse)",
    ),
    CallbackTemplate(
        "Summary",
        "Summary",
        _SPEC_UNVERIFIED,
        (ComposeField("Text", "Summary", "content not seen"),),
        _unverified_named("Summary"),
        verified=False,
        extensible=True,
    ),
    CallbackTemplate(
        "Status",
        "Status",
        _SPEC_UNVERIFIED,
        (ComposeField("Text", "Status", "content not seen"),),
        _unverified_named("Status"),
        verified=False,
        extensible=True,
    ),
)

TEMPLATES: Mapping[str, CallbackTemplate] = {t.name: t for t in _TEMPLATES}
# What the composer offers: the 17 services of §1.1 in order, then Fault, Summary, Status.
COMPOSABLE: tuple[str, ...] = tuple(TEMPLATES)
assert set(COMPOSABLE) >= {s.value for s in ServiceName}  # every service has a template


def template_for(name: str) -> CallbackTemplate:
    """The template for a composable *name* (a §1.1 service, in either documented spelling)."""
    if name in TEMPLATES:
        return TEMPLATES[name]
    try:
        return TEMPLATES[canonical_service_name(name).value]
    except CallbackDecodeError:
        raise CallbackComposeError(
            "service.unknown",
            f"{shown(name)} is not a callback the composer makes; choose one of "
            f"{', '.join(COMPOSABLE)}.",
            spec=_SPEC_SERVICES,
            field="service",
        ) from None


# --- parsing what a person typed --------------------------------------------------------------


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
                spec=_SPEC_SERVICES,
                field=name or None,
            )
        if name.lower() in seen:
            raise CallbackComposeError(
                "compose.field-repeated",
                f"{where} {name!r} is given twice.",
                spec=_SPEC_SERVICES,
                field=name,
            )
        seen.add(name.lower())
        fields[name] = value
    return fields


# --- composing -----------------------------------------------------------------------------


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
