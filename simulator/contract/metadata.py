"""The purchase-metadata object (§1.3) and its rules (§4.4, §4.5).

Both documented spellings of two fields are accepted: ``line``/``lineType`` and
``moDirectStatus``/``modirectStatus`` (§1.3, §7.2); the one used is reported.
Enum values are the PascalCase strings of §1.3 — exactly what the enum members
hold and what the 2018 samples assigned literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .surface import ENUMS
from .value_text import describe, describe_typed
from .values import UNDEFINED, JsObject, JsValue
from .violations import Findings, Severity

__all__ = ["COMPLETE", "FIELD_SPELLINGS", "PurchaseMetadata", "parse_metadata"]

_SECTION = "§1.3 (mobile-plans-callback-notifications)"
_LEGACY_SECTION = "§1.5, §4.5 (mobile-plans-legacy-callback-notifications)"
COMPLETE = "Complete"

#: Canonical field -> accepted spellings, canonical first (§1.3 "Property-name inconsistencies").
FIELD_SPELLINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "userAccount": ("userAccount",),
        "purchaseInstrument": ("purchaseInstrument",),
        "line": ("line", "lineType"),
        "moDirectStatus": ("moDirectStatus", "modirectStatus"),
        "planName": ("planName",),
    }
)

_ENUM_VALUES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "userAccount": tuple(dict.fromkeys(ENUMS["MobilePlansUserAccount"].values())),
        "purchaseInstrument": tuple(dict.fromkeys(ENUMS["MobilePlansPurchaseInstrument"].values())),
        "line": tuple(dict.fromkeys(ENUMS["MobilePlansLineType"].values())),
        "moDirectStatus": tuple(dict.fromkeys(ENUMS["MobilePlansMoDirectStatus"].values())),
    }
)
_ENUM_OBJECT = {
    "userAccount": "MobilePlansUserAccount",
    "purchaseInstrument": "MobilePlansPurchaseInstrument",
    "line": "MobilePlansLineType",
    "moDirectStatus": "MobilePlansMoDirectStatus",
}
_ALL_SPELLINGS = frozenset(s for spellings in FIELD_SPELLINGS.values() for s in spellings)
_KNOWN_KEYS = {s.casefold(): s for s in sorted(_ALL_SPELLINGS, reverse=True)}
_MAX_KEYS_EXAMINED = 64


@dataclass(frozen=True)
class PurchaseMetadata:
    """The metadata as the app understood it: canonical PascalCase values, or None.

    ``spellings`` maps each canonical field the portal set to the spelling it used
    (``{"line": "lineType"}``).
    """

    user_account: str | None
    purchase_instrument: str | None
    line: str | None
    mo_direct_status: str | None
    plan_name: str | None
    spellings: Mapping[str, str]

    @property
    def complete(self) -> bool:
        """Whether moDirectStatus is ``Complete``, the current API's success (§1.3)."""
        return self.mo_direct_status == COMPLETE


def parse_metadata(
    value: JsValue,
    findings: Findings,
    *,
    field: str = "purchaseMetadata",
    legacy: bool = False,
    success: bool | None = None,
    optional: frozenset[str] = frozenset(),
) -> PurchaseMetadata | None:
    """Check ``value`` as purchase metadata; None after a rejecting ERROR.

    ``legacy`` applies the legacy table (all four enum fields required, §4.5);
    ``success`` overrides the success test (the legacy payload's own flag);
    ``optional`` names canonical fields a variant leaves optional even under ``legacy``.
    """
    if not isinstance(value, JsObject):
        findings.error(
            "metadata.not-an-object",
            f"{field} is {describe_typed(value)}; it must be the object from "
            "createPurchaseMetaData()",
            "§1.1, §1.3",
            field,
        )
        return None
    section = _LEGACY_SECTION if legacy else _SECTION
    spellings, raw = _pick_spellings(value, findings, field, section)
    _report_unknown_keys(value, findings, field, section)
    enums: dict[str, str | None] = {}
    for canonical, allowed in _ENUM_VALUES.items():
        required = (legacy and canonical not in optional) or canonical == "moDirectStatus"
        enums[canonical] = _enum_field(
            findings, f"{field}.{spellings.get(canonical, canonical)}", canonical,
            raw.get(canonical, UNDEFINED), allowed, required, section,
        )  # fmt: skip
    if findings.rejected:
        return None
    status = enums["moDirectStatus"]
    succeeded = status == COMPLETE if success is None else success
    plan_name = _plan_name(findings, field, raw.get("planName", UNDEFINED), succeeded, section)
    return PurchaseMetadata(
        user_account=enums["userAccount"],
        purchase_instrument=enums["purchaseInstrument"],
        line=enums["line"],
        mo_direct_status=status,
        plan_name=plan_name,
        spellings=MappingProxyType(spellings),
    )


def _pick_spellings(
    value: JsObject, findings: Findings, field: str, section: str
) -> tuple[dict[str, str], dict[str, JsValue]]:
    spellings: dict[str, str] = {}
    raw: dict[str, JsValue] = {}
    present = value.properties()
    for canonical, variants in FIELD_SPELLINGS.items():
        used = list(filter(present.__contains__, variants))
        if not used:
            continue
        spelling = used[0]
        spellings[canonical] = spelling
        raw[canonical] = present[spelling]
        if len(used) > 1:
            first, second = (value.get(s) for s in used)
            if first != second:
                findings.error(
                    "metadata.spelling.conflict",
                    f"{field} sets both {used[0]} = {describe(first, 40)} and {used[1]} = "
                    f"{describe(second, 40)}; set one of them",
                    section,
                    f"{field}.{canonical}",
                )
            else:
                findings.warning(
                    "metadata.spelling.both",
                    f"{field} sets both {used[0]} and {used[1]} (same value); one is enough",
                    section,
                    f"{field}.{canonical}",
                )
        elif spelling != canonical:
            findings.info(
                "metadata.spelling.variant",
                f"{field} uses the spelling {spelling!r} for {canonical!r}; both appear in the "
                "docs and both are accepted",
                f"{section}, §7.2",
                f"{field}.{spelling}",
            )
    return spellings, raw


def _report_unknown_keys(value: JsObject, findings: Findings, field: str, section: str) -> None:
    for key, _ in value.entries[:_MAX_KEYS_EXAMINED]:
        if key in _ALL_SPELLINGS:
            continue
        near = _KNOWN_KEYS.get(key.casefold()) if len(key) <= 40 else None
        if near is not None:
            findings.warning(
                "metadata.field.misspelt",
                f"{field} has {describe(key, 40)}, which the app does not read; did you mean "
                f"{near!r}?",
                section,
                f"{field}.{key[:40]}",
            )
        else:
            findings.info(
                "metadata.field.unknown",
                f"{field} has the undocumented property {describe(key, 40)}; the app ignores it",
                section,
                f"{field}.{key[:40]}",
            )


def _enum_field(
    findings: Findings,
    name: str,
    canonical: str,
    value: JsValue,
    allowed: tuple[str, ...],
    required: bool,
    section: str,
) -> str | None:
    # moDirectStatus decides success or failure, so a bad one rejects; the others only feed
    # the app's reporting, so the app can still act (a non-rejecting ERROR).
    decisive = canonical == "moDirectStatus"
    if value is UNDEFINED:
        if required:
            findings.error(
                "metadata.required.missing",
                f"{name} is missing or undefined (a misspelt enum member such as "
                f"{_ENUM_OBJECT[canonical]}.Complete gives undefined); this field is required",
                section,
                name,
            )
        return None
    if not isinstance(value, str):
        findings.add(
            "metadata.enum.not-a-string",
            Severity.ERROR,
            f"{name} is {describe_typed(value)}; it must be one of {', '.join(allowed)}",
            section,
            name,
            reject=decisive or required,
        )
        return None
    if value in allowed:
        return value
    if len(value) <= 40:
        for candidate in allowed:
            if candidate.casefold() == value.casefold():
                findings.warning(
                    "metadata.enum.case",
                    f"{name} is {describe(value)}; the documented value is {candidate!r} "
                    f"({_ENUM_OBJECT[canonical]} values are PascalCase)",
                    section,
                    name,
                )
                return candidate
    findings.add(
        "metadata.enum.unknown",
        Severity.ERROR,
        f"{name} is {describe(value)}, not one of {', '.join(allowed)}",
        section,
        name,
        reject=decisive or required,
    )
    return None


def _plan_name(
    findings: Findings, field: str, value: JsValue, succeeded: bool, section: str
) -> str | None:
    name = f"{field}.planName"
    rule_section = f"{section}, §4.4"
    if value is UNDEFINED:
        if succeeded:
            findings.flaw(
                "metadata.planName.empty-on-success",
                f"{name} is not set on a successful purchase; it must be a non-empty, "
                "descriptive plan name",
                rule_section,
                name,
            )
        else:
            findings.info(
                "metadata.planName.missing",
                f"{name} is not set; on an unsuccessful transaction it should be the empty "
                'string ""',
                rule_section,
                name,
            )
        return None
    if not isinstance(value, str):
        findings.flaw(
            "metadata.planName.not-a-string",
            f"{name} is {describe_typed(value)}; it must be a string",
            rule_section,
            name,
        )
        return None
    if succeeded and not value.strip():
        findings.flaw(
            "metadata.planName.empty-on-success",
            f"{name} is {describe(value)} on a successful purchase; it must be a non-empty, "
            "descriptive plan name",
            rule_section,
            name,
        )
    elif not succeeded and value:
        findings.flaw(
            "metadata.planName.not-empty-on-failure",
            f"{name} is {describe(value)} on an unsuccessful transaction; it must be the empty "
            'string ""',
            rule_section,
            name,
        )
    return value
