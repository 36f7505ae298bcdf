"""The typed commands a valid portal call becomes: one per documented call (§1.1, §1.2, §3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from esim.identifiers.iccid import Iccid

from .codes import ActivationCodeLike
from .metadata import PurchaseMetadata
from .values import JsValue

__all__ = [
    "Command",
    "CreatePurchaseMetadata",
    "ExternalNotify",
    "LegacyPurchaseResult",
    "NotifyBalanceAddition",
    "NotifyCancelledPurchase",
    "NotifyOperationCancel",
    "NotifyProfileDownload",
    "NotifyPurchaseDelayedProfile",
    "NotifyPurchaseResult",
    "NotifyPurchaseWithProfileDownload",
    "SetCallbackScript",
]


@dataclass(frozen=True)
class CreatePurchaseMetadata:
    """``<object>.createPurchaseMetaData()`` (§1.1)."""

    object_name: str


@dataclass(frozen=True)
class SetCallbackScript:
    """``<object>.registrationChangedScript = ...`` or ``.profileActivationCompleteScript`` (§1.1).

    ``function_name`` is the global function to call, None when the portal cleared it
    (empty string) or assigned an anonymous function; ``was_function_reference`` is the
    2018 style of assigning the function itself (§1.2).
    """

    object_name: str
    property: str
    function_name: str | None
    was_function_reference: bool


@dataclass(frozen=True)
class LegacyPurchaseResult:
    """The decoded legacy payload (§1.5); ``fields`` holds every field as sent."""

    ver: str | None
    success: bool
    transaction_id: str | None
    activation_code: ActivationCodeLike | None
    iccid: Iccid | None
    purchase_result: PurchaseMetadata
    order_id: str | None
    eid: str | None
    fields: Mapping[str, JsValue]


@dataclass(frozen=True)
class NotifyPurchaseResult:
    """``DataMart.notifyPurchaseResult(JSON.stringify(payload))``: hand-off (§3.1)."""

    payload: LegacyPurchaseResult


@dataclass(frozen=True)
class ExternalNotify:
    """2017 ``window.external.notify(payload)``: the legacy payload plus orderId/eId (§1.5)."""

    payload: LegacyPurchaseResult


@dataclass(frozen=True)
class NotifyProfileDownload:
    """Inline download (§3.2), delayed when ``delay_minutes`` is given (§3.3).

    ``legacy`` marks ``notifyInlineProfileDownload`` of the legacy inline objects (§1.2).
    """

    object_name: str
    metadata: PurchaseMetadata
    activation_code: ActivationCodeLike
    delay_minutes: int | None
    operation_id: str | None
    legacy: bool


@dataclass(frozen=True)
class NotifyOperationCancel:
    """``notifyOperationCancel(ctx)`` (§3.4); ``target_operation_id`` None = no-op ([INFERRED])."""

    target_operation_id: str | None
    operation_id: str | None


@dataclass(frozen=True)
class NotifyBalanceAddition:
    """Balance added (§3.6); ``inline`` = MobilePlansInlineOperations (portal stays)."""

    object_name: str
    metadata: PurchaseMetadata
    iccid: Iccid | None
    inline: bool
    operation_id: str | None


@dataclass(frozen=True)
class NotifyPurchaseWithProfileDownload:
    """Asynchronous connectivity (§3.5): re-register after ``reregister_after_minutes``."""

    object_name: str
    metadata: PurchaseMetadata
    activation_code: ActivationCodeLike
    interval_minutes: int
    reregister_after_minutes: int


@dataclass(frozen=True)
class NotifyCancelledPurchase:
    """The user cancelled in the portal; control returns to the app (§3.8)."""

    object_name: str
    metadata: PurchaseMetadata


@dataclass(frozen=True)
class NotifyPurchaseDelayedProfile:
    """Asynchronous profile delivery over SM-DS (§3.7, removed 2019-03)."""

    object_name: str
    metadata: PurchaseMetadata
    delay_minutes: int
    rounded_minutes: int


Command: TypeAlias = (
    CreatePurchaseMetadata
    | SetCallbackScript
    | NotifyPurchaseResult
    | ExternalNotify
    | NotifyProfileDownload
    | NotifyOperationCancel
    | NotifyBalanceAddition
    | NotifyPurchaseWithProfileDownload
    | NotifyCancelledPurchase
    | NotifyPurchaseDelayedProfile
)
