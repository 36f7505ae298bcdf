"""The `X-MP-LPAError-Codes` values: Windows `ESimOperationStatus` names for a failed download.

Public pages "Mobile Plans eSIM error handling" (mobile-plans-eSIM-error-handling.md) and the UWP
reference "ESimOperationStatus Enum" (Windows.Networking.NetworkOperators): the header carries
ESimOperationStatus member names. The first 24 MobilePlansActivationError members mirror that
enum one to one; newer SDKs added five members Mobile Plans has no member for
(TimeoutWaitingForResponse, IccidAlreadyExists, ProfileProcessingError, ServerNotTrusted,
ProfileDownloadMaxRetriesExceeded). The LPA's mapping rule says which failure it really was, so
the header can name those five precisely even though the portal callback gets the nearest
MobilePlansActivationError. Pure: no Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from simulator.contract.surface import ACTIVATION_ERROR_MEMBERS

__all__ = ["ESIM_OPERATION_STATUS_MEMBERS", "esim_operation_status"]

#: Mirrored one to one by the first 24 MobilePlansActivationError members, in enum order.
_MIRRORED = tuple(name[0].upper() + name[1:] for name in ACTIVATION_ERROR_MEMBERS[:24])

#: The members newer SDKs appended (UWP "ESimOperationStatus Enum").
NEWER_MEMBERS = (
    "TimeoutWaitingForResponse",
    "IccidAlreadyExists",
    "ProfileProcessingError",
    "ServerNotTrusted",
    "ProfileDownloadMaxRetriesExceeded",
)

ESIM_OPERATION_STATUS_MEMBERS: tuple[str, ...] = (*_MIRRORED, *NEWER_MEMBERS)

# LPA mapping rule (esim.lpa.activation_errors) -> the precise newer member. Rules not listed
# fall back to the mirrored member of the activation error.
_BY_RULE: Mapping[str, str] = MappingProxyType(
    {
        # no answer from the SM-DP+ within the LPA's HTTP timeout
        "es9.transport.timeout": "TimeoutWaitingForResponse",
        # BPP errorReason 9 (SGP.22 §5.7.6): the card already holds a profile with this ICCID
        "es10.LoadBoundProfilePackage.installFailedDueToIccidAlreadyExistsOnEuicc": (
            "IccidAlreadyExists"
        ),
        # BPP errorReason 12: the card could not process the profile elements
        "es10.LoadBoundProfilePackage.installFailedDueToPEProcessingError": (
            "ProfileProcessingError"
        ),
        # TLS to the SM-DP+ not chained to a CI the device trusts, or the card refusing the
        # SM-DP+'s certificate (SGP.22 §6.1, §5.7.13)
        "es9.transport.tls": "ServerNotTrusted",
        "es10.AuthenticateServer.ciPKUnknown": "ServerNotTrusted",
        "es10.AuthenticateServer.invalidCertificate": "ServerNotTrusted",
        "es10.PrepareDownload.invalidCertificate": "ServerNotTrusted",
        # ES9+ 8.8.5/6.4 "too many download retries" (SGP.22 §6.5.2)
        "es9.8.8.5/6.4": "ProfileDownloadMaxRetriesExceeded",
    }
)


def esim_operation_status(activation_error: str, rule: str | None = None) -> str:
    """The ESimOperationStatus name reported for one failure.

    ``activation_error`` is the MobilePlansActivationError the portal got; ``rule`` the LPA's
    mapping rule when known. App-level errors with no counterpart report ``Other``.
    """
    if rule is not None and rule in _BY_RULE:
        return _BY_RULE[rule]
    if activation_error in ACTIVATION_ERROR_MEMBERS[:24]:
        return activation_error[0].upper() + activation_error[1:]
    return "Other"
