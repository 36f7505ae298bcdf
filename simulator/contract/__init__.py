"""The Mobile Plans portal ↔ app contract, pure Python: the injected JS surface, the wire
format of call arguments, and the parsing + validation of every portal call into a typed
command or a rejection with violations. Every rule is explained, with the Microsoft
documentation it comes from, on docs/rules.md (`rulebook`)."""

from .commands import (
    Command,
    CreatePurchaseMetadata,
    ExternalNotify,
    LegacyPurchaseResult,
    NotifyBalanceAddition,
    NotifyCancelledPurchase,
    NotifyOperationCancel,
    NotifyProfileDownload,
    NotifyPurchaseDelayedProfile,
    NotifyPurchaseResult,
    NotifyPurchaseWithProfileDownload,
    SetCallbackScript,
)
from .metadata import PurchaseMetadata
from .model import ActivationError, LaunchContext, PortalCall, RegistrationState
from .session import CheckResult, ContractSession
from .violations import Severity, Violation

__all__ = [
    "ActivationError",
    "CheckResult",
    "Command",
    "ContractSession",
    "CreatePurchaseMetadata",
    "ExternalNotify",
    "LaunchContext",
    "LegacyPurchaseResult",
    "NotifyBalanceAddition",
    "NotifyCancelledPurchase",
    "NotifyOperationCancel",
    "NotifyProfileDownload",
    "NotifyPurchaseDelayedProfile",
    "NotifyPurchaseResult",
    "NotifyPurchaseWithProfileDownload",
    "PortalCall",
    "PurchaseMetadata",
    "RegistrationState",
    "SetCallbackScript",
    "Severity",
    "Violation",
]
