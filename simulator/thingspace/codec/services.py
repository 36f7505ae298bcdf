"""Callback service names as registered with the platform (ThingSpace service names doc).

Verizon spells some services two ways on different pages; both are accepted and mapped to one
canonical member, so a registration made with either spelling finds the same listener.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import CallbackDecodeError, shown, spec_ref


class ServiceName(StrEnum):
    """The canonical spelling of each callback service (§1.1 table, first spelling)."""

    CARRIER_SERVICE = "CarrierService"
    DEVICE_SERVICE = "DeviceService"
    DEVICE_PRL_INFORMATION = "DevicePRLInformation"
    DEVICE_SUSPENSION_STATUS = "DeviceSuspensionStatus"
    DEVICE_USAGE = "DeviceUsage"
    ENHANCED_CONNECTIVITY_SERVICE = "EnhancedConnectivityService"
    SMS_DELIVERY_CONFIRMATION = "SMSDeliveryConfirmation"
    EXTERNAL_PROVISIONING_CHANGES = "ExternalProvisioningChanges"
    PROMO_CHANGES = "PromoChanges"
    RESUME_TRACKING_NOTIFICATION = "ResumeTrackingNotification"
    ALERT_SERVICE = "AlertService"
    STATE_SERVICE = "StateService"
    NIDD_SERVICE = "NiddService"
    DEVICE_PROFILE_SERVICE = "DeviceProfileService"
    DIAGNOSTICS_SERVICE = "DiagnosticsService"
    SUBSCRIPTION_NOTIFICATION_SERVICE = "SubscriptionNotificationService"
    INTELLIGENCE_SERVICE = "IntelligenceService"


# §1.1 and §0.2: "PromoChange" is the SOAP UnregisterCallback page's spelling, "AlertsService"
# the REST deregister page's.
SERVICE_ALIASES: dict[str, ServiceName] = {
    "PromoChange": ServiceName.PROMO_CHANGES,
    "AlertsService": ServiceName.ALERT_SERVICE,
}

# Variants seen only in a third-party SDK enum (§1.1); kept recognisable, never canonicalised.
UNVERIFIED_SERVICE_NAMES = frozenset(
    {
        "Extended",
        "DevicePromoUsage",
        "VIPCallbackService",
        "PwnService",
        "QoS",
        "NetworkEventService",
    }
)


def canonical_service_name(name: str) -> ServiceName:
    """The canonical member for *name*, accepting every documented spelling (exact case)."""
    try:
        return ServiceName(name)
    except ValueError:
        pass
    if name in SERVICE_ALIASES:
        return SERVICE_ALIASES[name]
    raise CallbackDecodeError(
        "service.unknown",
        f"Service name {shown(name)} is not a documented ThingSpace callback service.",
        spec=spec_ref("§1.1"),
    )
