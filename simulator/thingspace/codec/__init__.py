"""Codec for operator-platform (ThingSpace / nPhase M2M) device callbacks; pure, no Qt.

``parse_*`` functions take untrusted bytes and return a typed :class:`CallbackMessage` or raise
:class:`CallbackDecodeError` (rule, message, spec section, HTTP status hint). ``build_*``
functions write what the platform would send; ``compose_message`` makes the message itself
from a service name, devices and ``NAME=VALUE`` fields (every service of §1.1).
Spec: ``ThingSpace callback docs``.
"""

from __future__ import annotations

from .compose import (
    COMPOSABLE,
    CallbackComposeError,
    CallbackTemplate,
    ComposeField,
    compose_message,
    default_fields,
    parse_device_argument,
    parse_field_assignments,
    template_for,
)
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
    "COMPOSABLE",
    "DEFAULT_MAX_BYTES",
    "CallbackComposeError",
    "CallbackData",
    "CallbackDecodeError",
    "CallbackEncodeError",
    "CallbackMessage",
    "CallbackTemplate",
    "CarrierInformation",
    "CarrierService",
    "ChangeDateStyle",
    "ChangeDeviceIdentifier",
    "ComposeField",
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
    "compose_message",
    "default_fields",
    "format_change_date",
    "parse_change_date",
    "parse_device_argument",
    "parse_field_assignments",
    "parse_rest_callback",
    "parse_soap_callback",
    "read_capped",
    "template_for",
]
