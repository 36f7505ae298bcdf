"""Templates of the services whose payload shape is not verified (§1.2.5, §1.1 "not seen").

Each becomes an :class:`UnverifiedPayload` (or one of its §1.2.5 subclasses) holding an
:class:`UnverifiedFields` tree; any further ``NAME=VALUE`` is carried as given.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from ..errors import spec_ref
from ..fields import UnverifiedFields
from ..payloads import CallbackData
from ..services import ServiceName
from ..unverified import (
    DeviceSuspendStatus,
    Fault,
    PrlInformation,
    SmsDelivery,
    UnverifiedPayload,
    Usage,
)
from .checks import check_base64, check_fault_code, midnight, us_date
from .template import SPEC_SERVICES, Builder, CallbackTemplate, ComposeField, Values

_SPEC_UNVERIFIED = spec_ref("§1.2.5")
_SPEC_FAULT = spec_ref("§1.3")

_ACCOUNT = "TestAccount-2"  # Verizon's REST sandbox account (§2.2)


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


def _simple_unverified(
    service: ServiceName, field: str, value: str, *, soap: bool, trigger: str
) -> CallbackTemplate:
    """A §1.1 service whose payload was "not seen": carried under the service's own name."""
    return CallbackTemplate(
        service.value,
        service.value,
        SPEC_SERVICES,
        (ComposeField(field, value, f"what triggered it ({trigger})"),),
        _unverified_named(service.value),
        verified=False,
        extensible=True,
        soap=soap,
        note="payload name and fields are the simulator's placeholders (§1.1: not seen)",
    )


UNVERIFIED_TEMPLATES: tuple[CallbackTemplate, ...] = (
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
                "SuspendDate", lambda c: us_date(midnight(c.now)), "the date it was suspended"
            ),
            ComposeField(
                "AutoResumeDate",
                lambda c: us_date(midnight(c.now) + timedelta(days=90)),
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
                "StartDate", lambda c: us_date(midnight(c.now) - timedelta(days=1)), "window start"
            ),
            ComposeField("EndDate", lambda c: us_date(midnight(c.now)), "window end"),
            ComposeField("TotalBytes", "1048576", "bytes used in the window"),
            ComposeField("TotalSms", "3", "SMS used in the window"),
        ),
        _unverified_as(Usage),
        verified=False,
        extensible=True,
    ),
    CallbackTemplate(
        ServiceName.SMS_DELIVERY_CONFIRMATION.value,
        SmsDelivery.ELEMENT,
        SmsDelivery.SPEC,
        (
            ComposeField("DeliveryStatus", "Delivered", "Delivered, or Expired after 120 h"),
            ComposeField("DeliveryDate", lambda c: us_date(c.now), "when the device acknowledged"),
        ),
        _unverified_as(SmsDelivery),
        verified=False,
        extensible=True,
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
                check=check_base64,
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
                check=check_fault_code,
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
