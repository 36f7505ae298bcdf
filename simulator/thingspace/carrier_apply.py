"""What an accepted callback changes on a line: decided here, written by the carrier model.

Pure: takes the callback and the line it names, returns an :class:`AppliedChange` (with the
rows to write). Anything not modelled is recorded, never guessed into state
(ThingSpace SOAP CallbackRequest doc: several payload shapes are unverified).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .codec import (
    CallbackMessage,
    CarrierService,
    DeviceKind,
    DeviceSuspendStatus,
    ExternalProvisioningChange,
    FieldValue,
    PromoChange,
    UnverifiedFields,
)
from .codec.errors import spec_ref

if TYPE_CHECKING:
    from .carrier import Line

_SPEC = "ThingSpace callback docs"
_DROPPED = re.compile(r"dropped\s*[:\-]\s*(?P<code>\S.*?)\s*\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class ChangePlan:
    """Rows to write: promotion codes to delete, and (column, value) updates of the line."""

    remove_promotions: tuple[str, ...] = ()
    updates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AppliedChange:
    """The outcome of applying one callback: ``outcome`` is a stable rule-like id."""

    applied: bool
    outcome: str
    message: str
    iccid: str | None = None
    spec: str = _SPEC
    plan: ChangePlan | None = field(default=None, repr=False, compare=False)


def _recorded(outcome: str, message: str, line: Line | None, spec: str) -> AppliedChange:
    iccid = None if line is None else str(line.iccid)
    return AppliedChange(False, outcome, message, iccid, spec_ref(spec))


def _applied(outcome: str, message: str, line: Line, plan: ChangePlan, spec: str) -> AppliedChange:
    return AppliedChange(True, outcome, message, str(line.iccid), spec_ref(spec), plan)


def plan_change(callback: CallbackMessage, line: Line | None) -> AppliedChange:
    data = callback.data
    if line is None:
        devices = ", ".join(f"{d.kind.value} {d.value}" for d in callback.devices) or "none"
        return _recorded(
            "line.unknown", f"No line matches the callback's devices ({devices}).", None, "§1.2"
        )
    if isinstance(data, PromoChange):
        return _promo_change(data, line)
    if isinstance(data, DeviceSuspendStatus):
        return _suspend_status(data, line)
    if isinstance(data, ExternalProvisioningChange):
        return _external_change(data, line)
    if isinstance(data, CarrierService):
        return _carrier_service(data, line)
    name = data.element_name or type(data).__name__
    return _recorded(
        "callback.not-applied",
        f"{name} callbacks are recorded; they change nothing on a line.",
        line,
        "§1.1",
    )


def _promo_change(data: PromoChange, line: Line) -> AppliedChange:
    codes = line.promotion_codes
    named = _DROPPED.search(data.change.strip())
    if named is not None and named.group("code") in codes:
        chosen: tuple[str, ...] = (named.group("code"),)
    elif named is not None:
        return _recorded(
            "promo.not-on-line",
            f"Promotion {named.group('code')!r} is not on line {line.iccid} (has: "
            f"{', '.join(codes) or 'none'}).",
            line,
            "§1.2.1",
        )
    else:
        # Verizon's sample names no code ("PromoCode Dropped."): remove what had ended by
        # ChangeDate, or the only promotion when the date cannot be read.
        when = data.changed_at()
        if when is not None:
            chosen = tuple(p.code for p in line.promotions if p.ends_on <= when)
        else:
            chosen = codes if len(codes) == 1 else ()
        if not chosen:
            return _recorded(
                "promo.none-ended",
                f"Line {line.iccid} has no promotion that ended by {data.change_date!r} "
                f"(has: {', '.join(codes) or 'none'}).",
                line,
                "§1.2.1",
            )
    return _applied(
        "promo.removed",
        f"Removed promotion(s) {', '.join(chosen)} from line {line.iccid} ({line.plan}).",
        line,
        ChangePlan(remove_promotions=chosen),
        "§1.2.1",
    )


def _status_from_words(text: str | None) -> str | None:
    from .carrier import LineStatus

    if not text:
        return None
    word = text.strip().lower().replace(" ", "")
    if "deactiv" in word:
        return LineStatus.DEACTIVATED.value
    if "suspend" in word:
        return LineStatus.SUSPENDED.value
    if any(w in word for w in ("activ", "restor", "resum")):
        return LineStatus.ACTIVE.value
    return None


def _find_text(value: FieldValue, names: frozenset[str]) -> str | None:
    if isinstance(value, UnverifiedFields):
        for key, item in value:
            if key.lower() in names and isinstance(item, str):
                return item
        for _, item in value:
            found = _find_text(item, names)
            if found is not None:
                return found
    if isinstance(value, tuple):
        for item in value:
            found = _find_text(item, names)
            if found is not None:
                return found
    return None


def _set_status(line: Line, status: str, outcome: str, spec: str) -> AppliedChange:
    return _applied(
        outcome,
        f"Line {line.iccid} is now {status} (was {line.status.value}).",
        line,
        ChangePlan(updates=(("status", status),)),
        spec,
    )


def _suspend_status(data: DeviceSuspendStatus, line: Line) -> AppliedChange:
    state = _find_text(data.content, frozenset({"state", "status", "devicestate"}))
    status = _status_from_words(state)
    if status is None:
        return _recorded(
            "suspend-status.state-unknown",
            f"DeviceSuspendStatus names no state this model knows ({state!r}); shape not verified.",
            line,
            "§1.2.5",
        )
    return _set_status(line, status, "line.status", "§1.2.5")


_IDENTIFIER_COLUMNS = {
    DeviceKind.ICCID: "iccid",
    DeviceKind.MDN: "mdn",
    DeviceKind.IMEI: "imei",
    DeviceKind.MSISDN: "msisdn",
}


def _external_change(data: ExternalProvisioningChange, line: Line) -> AppliedChange:
    carrier = None if data.device_info is None else data.device_info.carrier_information
    status = _status_from_words(data.change) or _status_from_words(
        None if carrier is None else carrier.state
    )
    updates: list[tuple[str, str]] = []
    if status is not None:
        updates.append(("status", status))
    if carrier is not None and carrier.service_plan:
        updates.append(("plan", carrier.service_plan))
    if not updates:
        return _recorded(
            "external-change.not-modelled",
            f"ExternalProvisioningChange {data.change!r} changes nothing this model holds "
            "(identifier changes carry no new identifiers in the documented shape).",
            line,
            "§1.2.3",
        )
    text = ", ".join(f"{column}={value}" for column, value in updates)
    return _applied(
        "line.updated",
        f"Line {line.iccid}: {text} ({data.change or 'no Change'} via {data.source or '?'}).",
        line,
        ChangePlan(updates=tuple(updates)),
        "§1.2.3",
    )


def _carrier_service(data: CarrierService, line: Line) -> AppliedChange:
    change = data.change_identifier
    if change is None:
        return _recorded(
            "carrier-service.not-modelled",
            "Only ChangeDeviceIdentifier results of CarrierService are applied.",
            line,
            "§1.2.4",
        )
    updates = [
        (_IDENTIFIER_COLUMNS[d.kind], d.value)
        for d in change.devices
        if d.kind in _IDENTIFIER_COLUMNS
    ]
    if change.service_plan:
        updates.append(("plan", change.service_plan))
    if not updates:
        return _recorded(
            "carrier-service.nothing-to-change",
            "ChangeDeviceIdentifier names no identifier kind a line holds.",
            line,
            "§1.2.4",
        )
    text = ", ".join(f"{column}={value}" for column, value in updates)
    return _applied(
        "line.identifiers",
        f"Line {line.iccid}: {text}.",
        line,
        ChangePlan(updates=tuple(updates)),
        "§1.2.4",
    )
