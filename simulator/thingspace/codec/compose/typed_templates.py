"""Templates of the services whose payloads the codec types (shape verified).

CarrierService, EnhancedConnectivityService (the MO SMS), ExternalProvisioningChanges,
PromoChanges and ResumeTrackingNotification.
"""

from __future__ import annotations

from datetime import timedelta

from ..payloads import (
    CallbackData,
    CarrierInformation,
    CarrierService,
    ChangeDeviceIdentifier,
    DeviceInformation,
    ExternalProvisioningChange,
    PromoChange,
    ResumeTrackingNotification,
)
from ..services import ServiceName
from ..unverified import SmsMessage
from .assignments import parse_device_list
from .checks import check_date, check_devices, echo_devices, midnight, us_date
from .template import CallbackTemplate, ComposeField, Values


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
    devices = () if changed is None else parse_device_list(changed, where="DeviceIdentifierChanged")
    return CarrierService(
        ChangeDeviceIdentifier(devices, values.text("ServicePlan")), values.extras()
    )


def _sms_message(values: Values) -> CallbackData:
    return SmsMessage(values.required("SmsMessage"))


TYPED_TEMPLATES: tuple[CallbackTemplate, ...] = (
    CallbackTemplate(
        ServiceName.CARRIER_SERVICE.value,
        CarrierService.ELEMENT,
        CarrierService.SPEC,
        (
            ComposeField(
                "DeviceIdentifierChanged",
                echo_devices,
                "the device's identifiers after the change, KIND:ID[,KIND:ID] "
                "(default: the message's devices)",
                check=check_devices,
            ),
            ComposeField("ServicePlan", None, "the service plan after the change, e.g. M2M_4G"),
        ),
        _carrier_service,
        extensible=True,
        status="Success",
        reserved=frozenset({"changedeviceidentifier", "changeidentifierresponse"}),
        note="a ChangeDeviceIdentifier result",
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
                lambda c: us_date(c.now),
                "when it was removed, US or ISO-8601",
                required=True,
                check=check_date,
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
                    "Device will be auto resumed on - "
                    + us_date(midnight(c.now) + timedelta(days=7))
                ),
                "free text; sent 7 days before the auto-resume",
                required=True,
            ),
        ),
        _resume_tracking,
    ),
)
