"""Payloads whose content model is not published (ThingSpace SOAP CallbackRequest doc), and MO SMS.

Their content is carried as found, in an :class:`UnverifiedFields` tree, marked
``SHAPE_VERIFIED = False``; nothing about their inner names is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from .errors import CallbackDecodeError, shown, spec_ref
from .fields import EMPTY_FIELDS, FieldValue, UnverifiedFields
from .payload_base import Payload, Wire
from .services import ServiceName


@dataclass(frozen=True)
class _UnverifiedContent(Payload):
    SHAPE_VERIFIED: ClassVar[bool] = False
    SPEC: ClassVar[str] = spec_ref("§1.2.5")

    content: FieldValue = EMPTY_FIELDS

    def to_content(self, wire: Wire) -> FieldValue:
        return self.content

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        return cls(content)


@dataclass(frozen=True)
class DeviceSuspendStatus(_UnverifiedContent):
    """Result of GetDeviceSuspensionStatus; content carried as found (shape not verified)."""

    ELEMENT: ClassVar[str] = "DeviceSuspendStatus"
    REST_KEY: ClassVar[str] = "deviceSuspendStatus"  # [INF]
    SERVICE: ClassVar[ServiceName | None] = ServiceName.DEVICE_SUSPENSION_STATUS


@dataclass(frozen=True)
class Usage(_UnverifiedContent):
    """Result of Get(Aggregate|Rated)DeviceUsage; content carried as found (shape not verified)."""

    ELEMENT: ClassVar[str] = "Usage"
    REST_KEY: ClassVar[str] = "usage"  # [INF]
    SERVICE: ClassVar[ServiceName | None] = ServiceName.DEVICE_USAGE


@dataclass(frozen=True)
class SmsDelivery(_UnverifiedContent):
    """SMS delivery confirmation or expiry; content carried as found (shape not verified)."""

    ELEMENT: ClassVar[str] = "SMSDelivery"
    REST_KEY: ClassVar[str] = "smsDelivery"  # [INF]
    SERVICE: ClassVar[ServiceName | None] = ServiceName.SMS_DELIVERY_CONFIRMATION


@dataclass(frozen=True)
class PrlInformation(_UnverifiedContent):
    """Result of GetDevicePRLInformation; content carried as found (shape not verified)."""

    ELEMENT: ClassVar[str] = "PRLInformation"
    REST_KEY: ClassVar[str] = "prlInformation"  # [INF]
    SERVICE: ClassVar[ServiceName | None] = ServiceName.DEVICE_PRL_INFORMATION


@dataclass(frozen=True)
class Fault(_UnverifiedContent):
    """A failed asynchronous request; REST ``faultResponse{faultcode, faultstring}`` (§1.3)."""

    ELEMENT: ClassVar[str] = "Fault"
    REST_KEY: ClassVar[str] = "faultResponse"
    SERVICE: ClassVar[ServiceName | None] = None

    def _lookup(self, name: str) -> str | None:
        if isinstance(self.content, UnverifiedFields):
            for key, value in self.content:
                if key.lower() == name and isinstance(value, str):
                    return value
        return None

    @property
    def code(self) -> str | None:
        """``faultcode``, e.g. ``UnifiedWebService.REQUEST_FAILED.DeviceAlreadyActive``."""
        return self._lookup("faultcode")

    @property
    def text(self) -> str | None:
        """``faultstring``; Verizon says the code is stable and the text is not."""
        return self._lookup("faultstring")


@dataclass(frozen=True)
class SmsMessage(Payload):
    """A mobile-originated SMS: SOAP root ``SmsCallbackRequest`` (§1.2.6)."""

    ELEMENT: ClassVar[str] = "SmsMessage"
    REST_KEY: ClassVar[str] = "smsMessage"  # [INF]
    SERVICE: ClassVar[ServiceName | None] = ServiceName.ENHANCED_CONNECTIVITY_SERVICE
    SHAPE_VERIFIED: ClassVar[bool] = True
    SPEC: ClassVar[str] = spec_ref("§1.2.6")

    text: str

    def to_content(self, wire: Wire) -> FieldValue:
        return self.text

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        if not isinstance(content, str):
            raise CallbackDecodeError(
                "payload.shape", f"SmsMessage must be text, got {shown(content)}.", spec=cls.SPEC
            )
        return cls(content)


# Services of payloads known only by name (§1.1, §1.3).
# The services whose payload was "not seen" (§1.1) are carried under the service's own name
# (simulator/thingspace/codec/compose/unverified_templates.py), so that name tells the service back.
_UNVERIFIED_SERVICES: dict[str, ServiceName] = {
    "niddresponse": ServiceName.NIDD_SERVICE,
    **{
        service.value.lower(): service
        for service in (
            ServiceName.DEVICE_SERVICE,
            ServiceName.ALERT_SERVICE,
            ServiceName.STATE_SERVICE,
            ServiceName.DEVICE_PROFILE_SERVICE,
            ServiceName.DIAGNOSTICS_SERVICE,
            ServiceName.SUBSCRIPTION_NOTIFICATION_SERVICE,
            ServiceName.INTELLIGENCE_SERVICE,
        )
    },
}


@dataclass(frozen=True)
class UnverifiedPayload(Payload):
    """Any other ``Data`` child or REST payload key (Summary, Status, niddResponse, ...)."""

    ELEMENT: ClassVar[str] = ""
    REST_KEY: ClassVar[str] = ""
    SERVICE: ClassVar[ServiceName | None] = None
    SHAPE_VERIFIED: ClassVar[bool] = False
    SPEC: ClassVar[str] = spec_ref("§1.2.5")

    name: str
    content: FieldValue = EMPTY_FIELDS

    @property
    def element_name(self) -> str:
        return self.name

    @property
    def rest_key(self) -> str:
        return self.name

    @property
    def service(self) -> ServiceName | None:
        return _UNVERIFIED_SERVICES.get(self.name.lower())

    def to_content(self, wire: Wire) -> FieldValue:
        return self.content
