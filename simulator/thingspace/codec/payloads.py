"""The typed ``Data`` children of a callback, one class per payload (spec §1.2.1–§1.2.6, §1.3).

Each payload converts to and from an :class:`UnverifiedFields` tree in one wire's naming: SOAP
uses the element names of Verizon's samples, REST the camelCase keys. Field names are matched
case-insensitively on the way in, because the platform itself is inconsistent (§0.6, §1.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Self

from .devices import DeviceId
from .errors import CallbackDecodeError, shown, spec_ref
from .fields import EMPTY_FIELDS, FieldPicker, FieldValue, UnverifiedFields, as_group
from .payload_base import Payload, Wire, known_fields, wire_name
from .services import ServiceName
from .unverified import (
    DeviceSuspendStatus,
    Fault,
    PrlInformation,
    SmsDelivery,
    SmsMessage,
    UnverifiedPayload,
    Usage,
)

# --- PromoChange (§1.2.1): the seed scenario, modelled in full -----------------------------

_US_DATE = "%m/%d/%Y %I:%M:%S %p"


class ChangeDateStyle(StrEnum):
    """``ChangeDate`` is an undocumented string (§1.2.1); both plausible styles are offered."""

    US = "us"  # 4/1/2017 12:00:00 AM, the style of Verizon's samples
    ISO = "iso"  # 2017-04-01T00:00:00


def format_change_date(moment: datetime, style: ChangeDateStyle = ChangeDateStyle.US) -> str:
    """*moment* written as a ``ChangeDate`` (no zone: the samples carry none)."""
    if style is ChangeDateStyle.ISO:
        return moment.replace(tzinfo=None, microsecond=0).isoformat()
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {suffix}"


def parse_change_date(text: str) -> datetime | None:
    """The naive datetime of a ``ChangeDate`` in US or ISO style, or None if neither."""
    text = text.strip()
    for parse in (lambda t: datetime.strptime(t, _US_DATE), datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class PromoChange(Payload):
    """A promotional code removed during the billing cycle (§1.2.1)."""

    ELEMENT: ClassVar[str] = "PromoChange"
    REST_KEY: ClassVar[str] = "promoChange"  # REST shape is [INF] (§1.3)
    SERVICE: ClassVar[ServiceName | None] = ServiceName.PROMO_CHANGES
    SHAPE_VERIFIED: ClassVar[bool] = True
    SPEC: ClassVar[str] = spec_ref("§1.2.1")

    change: str
    change_date: str

    def changed_at(self) -> datetime | None:
        return parse_change_date(self.change_date)

    def to_content(self, wire: Wire) -> FieldValue:
        return known_fields(
            (wire_name(wire, "Change", "change"), self.change),
            (wire_name(wire, "ChangeDate", "changeDate"), self.change_date),
        )

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        group = as_group(content, where=cls.ELEMENT, spec=cls.SPEC)
        pick = FieldPicker(group, where=cls.ELEMENT, spec=cls.SPEC)
        change = pick.required_text("Change")
        change_date = pick.required_text("ChangeDate")
        return cls(change, change_date)


# --- ResumeTrackingNotification (§1.2.2) ---------------------------------------------------

_RESUME_COMMENT = re.compile(r"auto resumed on\s*-\s*(?P<date>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ResumeTrackingNotification(Payload):
    """Free text in ``Data/Comment``: 7 days before a suspended device auto-resumes."""

    ELEMENT: ClassVar[str] = "Comment"
    REST_KEY: ClassVar[str] = "comment"  # [INF]: no REST sample exists (§1.3)
    SERVICE: ClassVar[ServiceName | None] = ServiceName.RESUME_TRACKING_NOTIFICATION
    SHAPE_VERIFIED: ClassVar[bool] = True
    SPEC: ClassVar[str] = spec_ref("§1.2.2")

    comment: str

    @property
    def resume_date_text(self) -> str | None:
        """The date of ``Device will be auto resumed on - 3/15/2017 12:00:00 AM``, if so worded."""
        match = _RESUME_COMMENT.search(self.comment.strip())
        return match.group("date").strip() if match else None

    def to_content(self, wire: Wire) -> FieldValue:
        return self.comment

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        if not isinstance(content, str):
            raise CallbackDecodeError(
                "payload.shape",
                f"{cls.ELEMENT} must be text, got {shown(content)}.",
                spec=cls.SPEC,
            )
        return cls(content)


# --- ExternalProvisioningChange (§1.2.3) ---------------------------------------------------

_EPC_SPEC = spec_ref("§1.2.3")


@dataclass(frozen=True)
class CarrierInformation:
    carrier_name: str | None = None
    service_plan: str | None = None
    state: str | None = None
    extra: UnverifiedFields = EMPTY_FIELDS

    def toknown_fields(self, wire: Wire) -> UnverifiedFields:
        known = known_fields(
            (wire_name(wire, "CarrierName", "carrierName"), self.carrier_name),
            (wire_name(wire, "ServicePlan", "servicePlan"), self.service_plan),
            (wire_name(wire, "State", "state"), self.state),
        )
        return UnverifiedFields(known.items + self.extra.items)

    @classmethod
    def fromknown_fields(cls, group: UnverifiedFields) -> CarrierInformation:
        pick = FieldPicker(group, where="CarrierInformation", spec=_EPC_SPEC)
        return cls(
            pick.text("CarrierName"), pick.text("ServicePlan"), pick.text("State"), pick.rest()
        )


@dataclass(frozen=True)
class DeviceInformation:
    """The device after the change; only the fields Verizon's page shows are typed."""

    account_name: str | None = None
    carrier_information: CarrierInformation | None = None
    device_group_name: str | None = None
    extra: UnverifiedFields = EMPTY_FIELDS

    def toknown_fields(self, wire: Wire) -> UnverifiedFields:
        carrier = None if self.carrier_information is None else self.carrier_information
        known = known_fields(
            (wire_name(wire, "AccountName", "accountName"), self.account_name),
            (
                wire_name(wire, "CarrierInformation", "carrierInformation"),
                None if carrier is None else carrier.toknown_fields(wire),
            ),
            (wire_name(wire, "DeviceGroupName", "deviceGroupName"), self.device_group_name),
        )
        return UnverifiedFields(known.items + self.extra.items)

    @classmethod
    def fromknown_fields(cls, group: UnverifiedFields) -> DeviceInformation:
        pick = FieldPicker(group, where="DeviceInfo", spec=_EPC_SPEC)
        account = pick.text("AccountName")
        carrier = pick.group("CarrierInformation")
        group_name = pick.text("DeviceGroupName")
        return cls(
            account,
            None if carrier is None else CarrierInformation.fromknown_fields(carrier),
            group_name,
            pick.rest(),
        )


@dataclass(frozen=True)
class ExternalProvisioningChange(Payload):
    """A provisioning change made outside the API (§1.2.3); ``Device`` is absent on activations."""

    ELEMENT: ClassVar[str] = "ExternalProvisioningChange"
    REST_KEY: ClassVar[str] = "externalProvisioningChange"  # [INF] (§1.3)
    SERVICE: ClassVar[ServiceName | None] = ServiceName.EXTERNAL_PROVISIONING_CHANGES
    SHAPE_VERIFIED: ClassVar[bool] = True
    SPEC: ClassVar[str] = _EPC_SPEC

    source: str | None = None
    change: str | None = None
    device_info: DeviceInformation | None = None
    extra: UnverifiedFields = EMPTY_FIELDS

    def to_content(self, wire: Wire) -> FieldValue:
        known = known_fields(
            (wire_name(wire, "Source", "source"), self.source),
            (wire_name(wire, "Change", "change"), self.change),
            (
                wire_name(wire, "DeviceInfo", "deviceInfo"),
                None if self.device_info is None else self.device_info.toknown_fields(wire),
            ),
        )
        return UnverifiedFields(known.items + self.extra.items)

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        pick = FieldPicker(
            as_group(content, where=cls.ELEMENT, spec=cls.SPEC), where=cls.ELEMENT, spec=cls.SPEC
        )
        source = pick.text("Source")
        change = pick.text("Change")
        info = pick.group("DeviceInfo")
        return cls(
            source,
            change,
            None if info is None else DeviceInformation.fromknown_fields(info),
            pick.rest(),
        )


# --- CarrierService (§1.2.4; REST deviceResponse §1.3) -------------------------------------

_CARRIER_SPEC = spec_ref("§1.2.4")


def _device_from_group(value: FieldValue, *, where: str) -> DeviceId:
    group = as_group(value, where=where, spec=_CARRIER_SPEC)
    pick = FieldPicker(group, where=where, spec=_CARRIER_SPEC)
    kind = pick.required_text("Kind")
    identifier = pick.required_text("Identifier", "id")
    return DeviceId.parse(kind, identifier, where=where)


@dataclass(frozen=True)
class ChangeDeviceIdentifier:
    """The result of ChangeDeviceIdentifier: the device's new identifiers and service plan."""

    devices: tuple[DeviceId, ...] = ()
    service_plan: str | None = None
    extra: UnverifiedFields = EMPTY_FIELDS

    def toknown_fields(self, wire: Wire) -> UnverifiedFields:
        if wire is Wire.SOAP:
            devices: tuple[tuple[str, FieldValue], ...] = tuple(
                (
                    "DeviceIdentifierChanged",
                    UnverifiedFields.of(("Kind", d.soap_label()), ("Identifier", d.value)),
                )
                for d in self.devices
            )
        else:
            devices = (
                (
                    "deviceIds",
                    tuple(
                        UnverifiedFields.of(("id", d.value), ("kind", d.rest_label()))
                        for d in self.devices
                    ),
                ),
            )
        plan = known_fields((wire_name(wire, "ServicePlan", "servicePlan"), self.service_plan))
        return UnverifiedFields(devices + plan.items + self.extra.items)

    @classmethod
    def fromknown_fields(cls, group: UnverifiedFields) -> ChangeDeviceIdentifier:
        where = "ChangeDeviceIdentifier"
        pick = FieldPicker(group, where=where, spec=_CARRIER_SPEC)
        devices: list[DeviceId] = []
        for value in pick.take_all("DeviceIdentifierChanged", "deviceIds"):
            members = value if isinstance(value, tuple) else (value,)
            devices.extend(_device_from_group(m, where=f"{where} device") for m in members)
        return cls(tuple(devices), pick.text("ServicePlan"), pick.rest())


@dataclass(frozen=True)
class CarrierService(Payload):
    """Asynchronous result of a provisioning call; only ChangeDeviceIdentifier is typed."""

    ELEMENT: ClassVar[str] = "CarrierService"
    REST_KEY: ClassVar[str] = "deviceResponse"
    SERVICE: ClassVar[ServiceName | None] = ServiceName.CARRIER_SERVICE
    SHAPE_VERIFIED: ClassVar[bool] = True
    SPEC: ClassVar[str] = _CARRIER_SPEC

    change_identifier: ChangeDeviceIdentifier | None = None
    extra: UnverifiedFields = EMPTY_FIELDS

    def to_content(self, wire: Wire) -> FieldValue:
        change = self.change_identifier
        known = known_fields(
            (
                wire_name(wire, "ChangeDeviceIdentifier", "changeIdentifierResponse"),
                None if change is None else change.toknown_fields(wire),
            )
        )
        return UnverifiedFields(known.items + self.extra.items)

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        pick = FieldPicker(
            as_group(content, where=cls.ELEMENT, spec=cls.SPEC), where=cls.ELEMENT, spec=cls.SPEC
        )
        change = pick.group("ChangeDeviceIdentifier", "changeIdentifierResponse")
        return cls(
            None if change is None else ChangeDeviceIdentifier.fromknown_fields(change), pick.rest()
        )


CallbackData = (
    PromoChange
    | ResumeTrackingNotification
    | ExternalProvisioningChange
    | CarrierService
    | DeviceSuspendStatus
    | Usage
    | SmsDelivery
    | PrlInformation
    | Fault
    | SmsMessage
    | UnverifiedPayload
)

# §1.2: the order of Data children in Verizon's samples; SmsMessage lives outside Data.
DATA_CHILD_ORDER: tuple[str, ...] = (
    "CarrierService",
    "ExternalProvisioningChange",
    "PromoChange",
    "Usage",
    "SMSDelivery",
    "PRLInformation",
    "DeviceSuspendStatus",
    "Fault",
    "Comment",
    "Summary",
    "Status",
)

_TYPED: tuple[type[Payload], ...] = (
    PromoChange,
    ResumeTrackingNotification,
    ExternalProvisioningChange,
    CarrierService,
    DeviceSuspendStatus,
    Usage,
    SmsDelivery,
    PrlInformation,
    Fault,
)
SOAP_DATA_PAYLOADS: dict[str, type[Payload]] = {cls.ELEMENT.lower(): cls for cls in _TYPED}
REST_PAYLOADS: dict[str, type[Payload]] = {cls.REST_KEY.lower(): cls for cls in _TYPED}
REST_PAYLOADS[SmsMessage.REST_KEY.lower()] = SmsMessage


def payload_from_content(
    registry: dict[str, type[Payload]], name: str, content: FieldValue, wire: Wire
) -> CallbackData:
    """The typed payload for element/key *name* (case-insensitive), or an unverified one."""
    cls = registry.get(name.lower())
    if cls is None:
        return UnverifiedPayload(name, content)
    payload = cls.from_content(content, wire)
    assert isinstance(payload, CallbackData)  # every registered class is in the union
    return payload
