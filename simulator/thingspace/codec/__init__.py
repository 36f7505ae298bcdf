"""Codec for operator-platform (ThingSpace / nPhase M2M) device callbacks; pure, no Qt.

``parse_*`` functions take untrusted bytes and return a typed :class:`CallbackMessage` or raise
:class:`CallbackDecodeError` (rule, message, spec section, HTTP status hint). ``build_*``
functions write what the platform would send. Spec: ``thingspace-callbacks.md``.
"""

from __future__ import annotations

from .devices import DeviceId, DeviceKind
from .errors import CallbackDecodeError, CallbackEncodeError
from .fields import FieldValue, UnverifiedFields
from .limits import DEFAULT_MAX_BYTES, read_capped
from .model import CallbackMessage
from .payloads import (
    CallbackData,
    CarrierInformation,
    CarrierService,
    ChangeDateStyle,
    ChangeDeviceIdentifier,
    DeviceInformation,
    ExternalProvisioningChange,
    PromoChange,
    ResumeTrackingNotification,
    format_change_date,
    parse_change_date,
)
from .rest import build_rest_callback, parse_rest_callback
from .services import ServiceName, canonical_service_name
from .soap import DataLayout, build_soap_callback, parse_soap_callback
from .unverified import (
    DeviceSuspendStatus,
    Fault,
    PrlInformation,
    SmsDelivery,
    SmsMessage,
    UnverifiedPayload,
    Usage,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CallbackData",
    "CallbackDecodeError",
    "CallbackEncodeError",
    "CallbackMessage",
    "CarrierInformation",
    "CarrierService",
    "ChangeDateStyle",
    "ChangeDeviceIdentifier",
    "DataLayout",
    "DeviceId",
    "DeviceInformation",
    "DeviceKind",
    "DeviceSuspendStatus",
    "ExternalProvisioningChange",
    "Fault",
    "FieldValue",
    "PrlInformation",
    "PromoChange",
    "ResumeTrackingNotification",
    "ServiceName",
    "SmsDelivery",
    "SmsMessage",
    "UnverifiedFields",
    "UnverifiedPayload",
    "Usage",
    "build_rest_callback",
    "build_soap_callback",
    "canonical_service_name",
    "format_change_date",
    "parse_change_date",
    "parse_rest_callback",
    "parse_soap_callback",
    "read_capped",
]
