"""The JavaScript surface the Mobile Plans app injects into the portal.

This module is the single source of truth the bridge script is generated from:
``surface_json()`` is exactly what ``bridge.js`` consumes. Every object, method,
arity and enum member carries the section key of the documents it comes from
(`simulator.contract.rulebook.sources` names the public Microsoft pages behind each key).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

__all__ = [
    "ACTIVATION_ERROR_MEMBERS",
    "ENUMS",
    "OBJECTS",
    "SCRIPT_PROPERTIES",
    "ApiStatus",
    "MethodSpec",
    "ObjectSpec",
    "surface_json",
]

# §1.3: metadata enums are PascalCase strings; JS member names are lowerCamelCase ([INFERRED]).
_ACCOUNT_LIKE: Mapping[str, str] = {
    "new": "New",
    "existing": "Existing",
    "bailed": "Bailed",
    "none": "None",
}

# §1.3: the current table, the legacy None, 2017's Bailed and the samples' Cancelled.
# invalidSim is kept as an alias because the member spelling is a [GAP].
_MO_DIRECT_STATUS: Mapping[str, str] = {
    "complete": "Complete",
    "serviceError": "ServiceError",
    "invalidSIM": "InvalidSIM",
    "invalidSim": "InvalidSIM",
    "logOnFailed": "LogOnFailed",
    "purchaseFailed": "PurchaseFailed",
    "clientError": "ClientError",
    "billingError": "BillingError",
    "none": "None",
    "bailed": "Bailed",
    "cancelled": "Cancelled",
}

# §1.4: the value is the member name itself ([INFERRED], §7.4).
_REGISTRATION_STATES: tuple[str, ...] = (
    "none",
    "deregistered",
    "searching",
    "home",
    "roaming",
    "partner",
    "denied",
)

#: §1.4 MobilePlansActivationError members in documented order.
ACTIVATION_ERROR_MEMBERS: tuple[str, ...] = (
    "success",
    "notAuthorized",
    "notFound",
    "policyViolation",
    "insufficientSpaceOnCard",
    "serverFailure",
    "serverNotReachable",
    "timeoutWaitingForUserConsent",
    "incorrectConfirmationCode",
    "confirmationCodeMaxRetriesExceeded",
    "cardRemoved",
    "cardBusy",
    "other",
    "cardGeneralFailure",
    "confirmationCodeMissing",
    "invalidMatchingId",
    "noEligibleProfileForThisDevice",
    "operationAborted",
    "eidMismatch",
    "profileNotAvailableForNewBinding",
    "profileNotReleasedByOperator",
    "operationProhibitedByProfileClass",
    "profileNotPresent",
    "noCorrespondingRequest",
    "unknownError",
    "lpaInitializationError",
    "modemNotFound",
    "localSettingsAccessFailed",
    "invalidJson",
    "invalidActivationCode",
    "invalidIccid",
)

# History of mobile-plans-callback-notifications: the 2018-11 list (then DataMartActivationErrors)
# had "invalidCallback" where 2018-12 has "invalidJson" (same place, between
# localSettingsAccessFailed and invalidActivationCode); a portal of that era comparing against
# .invalidCallback must see the value the app now sends for that condition.
_ACTIVATION_ERROR: Mapping[str, str] = {
    **{name: name for name in ACTIVATION_ERROR_MEMBERS},
    "invalidCallback": "invalidJson",
}


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


_CURRENT_ENUMS: dict[str, Mapping[str, str]] = {
    "MobilePlansUserAccount": _frozen(_ACCOUNT_LIKE),
    "MobilePlansPurchaseInstrument": _frozen(_ACCOUNT_LIKE),
    "MobilePlansLineType": _frozen(_ACCOUNT_LIKE),
    "MobilePlansMoDirectStatus": _frozen(_MO_DIRECT_STATUS),
    "MobilePlansNetworkRegistrationState": _frozen({s: s for s in _REGISTRATION_STATES}),
    "MobilePlansActivationError": _frozen(_ACTIVATION_ERROR),
}

# §1.2: the pre-2018-12 names, including the 2018-11 sample typo and the plural ActivationErrors.
_DATAMART_ALIASES: Mapping[str, str] = {
    "DataMartUserAccount": "MobilePlansUserAccount",
    "DataMartPurchaseInstrument": "MobilePlansPurchaseInstrument",
    "DataMartPurchaseInstrment": "MobilePlansPurchaseInstrument",
    "DataMartMoDirectStatus": "MobilePlansMoDirectStatus",
    "DataMartLineType": "MobilePlansLineType",
    "DataMartNetworkRegistrationState": "MobilePlansNetworkRegistrationState",
    "DataMartActivationErrors": "MobilePlansActivationError",
}

#: Enum object name -> {member name: value} (§1.2, §1.3, §1.4).
ENUMS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        **_CURRENT_ENUMS,
        **{alias: _CURRENT_ENUMS[target] for alias, target in _DATAMART_ALIASES.items()},
    }
)


class ApiStatus(StrEnum):
    """Where a method stands in Microsoft's current Mobile Plans pages.

    The app still injects every one of them, so portals written against an older page keep
    working; docs/javascript-surface.md shows the status of each.
    """

    CURRENT = "current"  # documented on "Mobile Plans callback notifications"
    LEGACY = "legacy"  # on "Mobile Plans legacy callback notifications": reference only
    REMOVED = "removed"  # documented once, no longer on any page


#: What each status means, as the JavaScript surface page says it.
STATUS_MEANINGS: Mapping[ApiStatus, str] = MappingProxyType(
    {
        ApiStatus.CURRENT: "current",
        ApiStatus.LEGACY: "legacy: reference only; do not implement going forward",
        ApiStatus.REMOVED: "removed",
    }
)


@dataclass(frozen=True)
class MethodSpec:
    """One injected method: accepted argument counts, what it returns, where it is documented.

    ``returns`` is ``"operation"`` for a ``MobilePlansOperationContext`` (``{Id}``),
    ``"metadata"`` for ``createPurchaseMetaData`` and ``"none"`` otherwise. ``status`` says
    whether the current pages document it, keep it as legacy or dropped it; ``note`` when it
    went and what to use in its place.
    """

    name: str
    arities: tuple[int, ...]
    returns: Literal["none", "operation", "metadata"]
    spec: str
    status: ApiStatus = ApiStatus.CURRENT
    note: str = ""


@dataclass(frozen=True)
class ObjectSpec:
    """One injected global object, its methods and its settable script-name properties."""

    name: str
    methods: tuple[MethodSpec, ...]
    script_properties: tuple[str, ...]

    def method(self, name: str) -> MethodSpec | None:
        """The method called ``name``, or None when the object has no such method."""
        for spec in self.methods:
            if spec.name == name:
                return spec
        return None


#: §1.1/§1.4: the two callback properties; the value is a global function's name.
SCRIPT_PROPERTIES: tuple[str, ...] = (
    "registrationChangedScript",
    "profileActivationCompleteScript",
)


def _m(
    name: str,
    arities: tuple[int, ...],
    spec: str,
    returns: Literal["none", "operation", "metadata"] = "none",
    *,
    status: ApiStatus = ApiStatus.CURRENT,
    note: str = "",
) -> MethodSpec:
    return MethodSpec(name, arities, returns, spec, status, note)


# "Mobile Plans legacy callback notifications" opens: "Please use this as reference only and do
# not implement this code going forward."
_LEGACY = ApiStatus.LEGACY
# The DataMart names became MobilePlans on 2018-12-17; only DataMart.notifyPurchaseResult stayed
# (on the legacy page). The page "Mobile Plans asynchronous fulfillment" (notifyPurchaseDelayed-
# Profile) was deleted on 2019-04-01; the Data Marketplace pages (window.external.notify) on
# 2018-01-04.
_REMOVED = ApiStatus.REMOVED
_RENAMED = "2018-12, renamed MobilePlans.{name}"
_DELAYED_NOTE = (
    "2019-04, with its page; use MobilePlansInlineOperations.notifyProfileDownload "
    "with downloadDelay"
)
_INLINE_NOTE = "use MobilePlansInlineOperations.notifyProfileDownload"


def _inline_legacy(status: ApiStatus, note: str) -> tuple[MethodSpec, ...]:
    return (_m("notifyInlineProfileDownload", (2,), "§1.2, §3.2", status=status, note=note),)


def _renamed(name: str, arities: tuple[int, ...], spec: str) -> MethodSpec:
    return _m(name, arities, spec, status=_REMOVED, note=_RENAMED.format(name=name))


_OBJECT_LIST: tuple[ObjectSpec, ...] = (
    ObjectSpec(
        name="MobilePlans",
        methods=(
            _m("createPurchaseMetaData", (0,), "§1.1, §1.3", "metadata"),
            _m("notifyPurchaseWithProfileDownload", (3,), "§1.1, §3.5"),
            _m("notifyCancelledPurchase", (1,), "§1.1, §3.8"),
            _m(
                "notifyBalanceAddition",
                (2,),
                "§1.2, §3.6",
                status=_LEGACY,
                note="use MobilePlansInlineOperations.notifyBalanceAddition",
            ),
            _m(
                "notifyPurchaseDelayedProfile",
                (2,),
                "§1.1, §3.7",
                status=_REMOVED,
                note=_DELAYED_NOTE,
            ),
        ),
        script_properties=(),
    ),
    ObjectSpec(
        name="MobilePlansInlineOperations",
        methods=(
            _m("notifyProfileDownload", (2, 3), "§1.1, §3.2, §3.3", "operation"),
            _m("notifyOperationCancel", (1,), "§1.1, §3.4"),
            _m("notifyBalanceAddition", (1, 2), "§1.1, §3.6", "operation"),
        ),
        script_properties=SCRIPT_PROPERTIES,
    ),
    ObjectSpec(
        name="DataMart",
        methods=(
            _m(
                "notifyPurchaseResult",
                (1,),
                "§1.2, §1.5, §3.1",
                status=_LEGACY,
                note="use MobilePlans.notifyPurchaseWithProfileDownload or "
                "MobilePlansInlineOperations.notifyProfileDownload",
            ),
            _m(
                "createPurchaseMetaData",
                (0,),
                "§1.1, §1.3",
                "metadata",
                status=_REMOVED,
                note=_RENAMED.format(name="createPurchaseMetaData"),
            ),
            _renamed("notifyPurchaseWithProfileDownload", (3,), "§1.2, §3.5"),
            _m(
                "notifyPurchaseDelayedProfile",
                (2,),
                "§1.2, §3.7",
                status=_REMOVED,
                note=_DELAYED_NOTE,
            ),
            _renamed("notifyBalanceAddition", (2,), "§1.2, §3.6"),
            _renamed("notifyCancelledPurchase", (1,), "§1.2, §3.8"),
        ),
        script_properties=(),
    ),
    ObjectSpec(
        "MobilePlansInlineProfile", _inline_legacy(_LEGACY, _INLINE_NOTE), SCRIPT_PROPERTIES
    ),
    # The legacy page's own sample calls this spelling.
    ObjectSpec(
        "MobilePlansInlineProfileDownload",
        _inline_legacy(_LEGACY, _INLINE_NOTE),
        SCRIPT_PROPERTIES,
    ),
    ObjectSpec(
        "DataMartInlineProfile",
        _inline_legacy(
            _REMOVED, "2018-12, renamed MobilePlansInlineProfile (itself legacy); " + _INLINE_NOTE
        ),
        SCRIPT_PROPERTIES,
    ),
    # §1.2: window.external.notify of the 2017 Data Marketplace.
    ObjectSpec(
        "external",
        (
            _m(
                "notify",
                (1,),
                "§2017, §1.5",
                status=_REMOVED,
                note="2018-01, with the Data Marketplace pages; use the MobilePlans objects",
            ),
        ),
        (),
    ),
)

#: Object name -> its specification (§1.1, §1.2).
OBJECTS: Mapping[str, ObjectSpec] = MappingProxyType({o.name: o for o in _OBJECT_LIST})


def surface_json() -> str:
    """The surface as the JSON document ``bridge.js`` consumes.

    Shape: ``{"enums": {name: {member: value}}, "objects": {name: {"methods":
    {method: {"arities": [...], "returns": "..."}}, "scriptProperties": [...]}}}``.
    Keys keep their definition order so the generated script is stable.
    """
    document = {
        "enums": {name: dict(members) for name, members in ENUMS.items()},
        "objects": {
            obj.name: {
                "methods": {
                    m.name: {"arities": list(m.arities), "returns": m.returns} for m in obj.methods
                },
                "scriptProperties": list(obj.script_properties),
            }
            for obj in OBJECTS.values()
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=None, separators=(",", ":"))
