"""The typed inputs of the contract: a portal call, the launch it belongs to, the callback enums."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

from .values import JsValue

__all__ = ["ActivationError", "LaunchContext", "PortalCall", "RegistrationState"]


class PortalCall(NamedTuple):
    """One call (or script-property assignment) the portal made on an injected object.

    ``kind`` is "call" for a method call and "set" for ``obj.member = args[0]``.
    ``operation_id`` is the ``Id`` bridge.js already returned for operation-returning
    methods (§7.1), ``seq`` the bridge's running call number.

    A named tuple, so never changed once made: one is made for every call on the GUI thread,
    where the bridge builds it with ``tuple.__new__`` (a frozen dataclass's generated
    ``__init__`` is one more Python function there, cache-cold).
    """

    object_name: str
    member: str
    kind: Literal["call", "set"]
    args: tuple[JsValue, ...]
    operation_id: str | None
    document_url: str
    seq: int


@dataclass(frozen=True)
class LaunchContext:
    """What the app passed to the portal at launch (§2.2) that the rules compare against."""

    transaction_id: str
    device_kind: Literal["esim", "psim"]


class ActivationError(StrEnum):
    """MobilePlansActivationError (§1.4) in documented order; value = member name (§7.4).

    Kept equal to ``surface.ACTIVATION_ERROR_MEMBERS`` (a unit test checks it).
    """

    success = "success"
    notAuthorized = "notAuthorized"
    notFound = "notFound"
    policyViolation = "policyViolation"
    insufficientSpaceOnCard = "insufficientSpaceOnCard"
    serverFailure = "serverFailure"
    serverNotReachable = "serverNotReachable"
    timeoutWaitingForUserConsent = "timeoutWaitingForUserConsent"
    incorrectConfirmationCode = "incorrectConfirmationCode"
    confirmationCodeMaxRetriesExceeded = "confirmationCodeMaxRetriesExceeded"
    cardRemoved = "cardRemoved"
    cardBusy = "cardBusy"
    other = "other"
    cardGeneralFailure = "cardGeneralFailure"
    confirmationCodeMissing = "confirmationCodeMissing"
    invalidMatchingId = "invalidMatchingId"
    noEligibleProfileForThisDevice = "noEligibleProfileForThisDevice"
    operationAborted = "operationAborted"
    eidMismatch = "eidMismatch"
    profileNotAvailableForNewBinding = "profileNotAvailableForNewBinding"
    profileNotReleasedByOperator = "profileNotReleasedByOperator"
    operationProhibitedByProfileClass = "operationProhibitedByProfileClass"
    profileNotPresent = "profileNotPresent"
    noCorrespondingRequest = "noCorrespondingRequest"
    unknownError = "unknownError"
    lpaInitializationError = "lpaInitializationError"
    modemNotFound = "modemNotFound"
    localSettingsAccessFailed = "localSettingsAccessFailed"
    invalidJson = "invalidJson"
    invalidActivationCode = "invalidActivationCode"
    invalidIccid = "invalidIccid"


class RegistrationState(StrEnum):
    """MobilePlansNetworkRegistrationState (§1.4); value = member name (§7.4)."""

    none = "none"
    deregistered = "deregistered"
    searching = "searching"
    home = "home"
    roaming = "roaming"
    partner = "partner"
    denied = "denied"
