"""The rules about purchase metadata: required fields, enumerations, spellings, planName and
moDirectStatus."""

from __future__ import annotations

from simulator.contract.rulebook.examples import AC
from simulator.contract.rulebook.model import Rule
from simulator.contract.rulebook.table_calls import (
    DROP,
    GOOD_CANCEL,
    GOOD_INLINE,
    cancelled,
    inline,
    md,
)

RULES_METADATA: tuple[Rule, ...] = (
    Rule(
        "metadata.not-an-object",
        "error",
        "purchaseMetadata is not an object (a string, a number, JSON text, undefined).",
        "§1.1, §1.3",
        GOOD_CANCEL,
        cancelled("Cancelled"),
    ),
    Rule(
        "metadata.required.missing",
        "error",
        "A required metadata field is missing: moDirectStatus always (and userAccount, "
        "purchaseInstrument and line in a legacy purchase result). A misspelt enum member "
        "(MobilePlansMoDirectStatus.Complete instead of .complete) gives undefined, and so this.",
        "§1.3, §4.5",
        GOOD_CANCEL,
        cancelled({"planName": ""}),
    ),
    Rule(
        "metadata.enum.not-a-string",
        "error",
        "An enumerated metadata field (userAccount, purchaseInstrument, line, moDirectStatus) is "
        "not a string, e.g. a number or true. It rejects the call when the field is "
        "moDirectStatus or required; otherwise the app still acts on the call.",
        "§1.3",
        GOOD_INLINE,
        inline(md(moDirectStatus=1), AC),
    ),
    Rule(
        "metadata.enum.unknown",
        "error",
        "An enumerated metadata field has a value that is not one of its documented values. It "
        "rejects the call when the field is moDirectStatus or required; otherwise the app still "
        "acts on the call.",
        "§1.3",
        GOOD_INLINE,
        inline(md(moDirectStatus="Done"), AC),
    ),
    Rule(
        "metadata.enum.case",
        "warning",
        'An enumerated value is right but for its case ("complete" for "Complete"); the app '
        "compares the documented PascalCase strings.",
        "§1.3",
        GOOD_INLINE,
        inline(md(moDirectStatus="complete"), AC),
    ),
    Rule(
        "metadata.spelling.variant",
        "info",
        "The metadata uses the other documented spelling of a field (lineType for line, "
        "modirectStatus for moDirectStatus). Both appear in the documents and both are accepted.",
        "§1.3, §7.2",
        GOOD_INLINE,
        inline(md(line=DROP, lineType="New"), AC),
    ),
    Rule(
        "metadata.spelling.both",
        "warning",
        "Both spellings of a field are set to the same value; one is enough.",
        "§1.3, §7.2",
        GOOD_INLINE,
        inline(md(lineType="New"), AC),
    ),
    Rule(
        "metadata.spelling.conflict",
        "error",
        "Both spellings of a field are set, to different values: the app cannot tell which one "
        "the portal meant.",
        "§1.3, §7.2",
        GOOD_INLINE,
        inline(md(lineType="Existing"), AC),
    ),
    Rule(
        "metadata.field.misspelt",
        "warning",
        "The metadata has a property the app does not read that differs from a documented "
        "field only by case (planname for planName).",
        "§1.3",
        GOOD_INLINE,
        inline(md(planName=DROP, planname="Contoso 5 GB"), AC),
    ),
    Rule(
        "metadata.field.unknown",
        "info",
        "The metadata has an undocumented property; the app ignores it.",
        "§1.3",
        GOOD_INLINE,
        inline(md(planPrice="15.00"), AC),
    ),
    Rule(
        "metadata.planName.empty-on-success",
        "flaw",
        "A successful purchase (moDirectStatus Complete) without a non-empty, descriptive "
        "planName.",
        "§1.3, §4.4",
        GOOD_INLINE,
        inline(md(planName=""), AC),
    ),
    Rule(
        "metadata.planName.not-empty-on-failure",
        "flaw",
        "An unsuccessful or cancelled transaction with a plan name: planName must then be the "
        "empty string.",
        "§1.3, §4.4",
        GOOD_CANCEL,
        cancelled({"moDirectStatus": "Cancelled", "planName": "Contoso 5 GB"}),
    ),
    Rule(
        "metadata.planName.missing",
        "info",
        'An unsuccessful transaction leaves planName out; the documents send the empty string "".',
        "§1.3, §4.4",
        GOOD_CANCEL,
        cancelled({"moDirectStatus": "Cancelled"}),
    ),
    Rule(
        "metadata.planName.not-a-string",
        "flaw",
        "planName is not a string.",
        "§1.3, §4.4",
        GOOD_INLINE,
        inline(md(planName=5), AC),
    ),
    Rule(
        "metadata.moDirectStatus.not-complete",
        "warning",
        "A call that reports a fulfilled purchase (a profile download, a balance addition) "
        "carries a moDirectStatus other than Complete.",
        "§1.3",
        GOOD_INLINE,
        inline(md(moDirectStatus="PurchaseFailed"), AC),
    ),
    Rule(
        "metadata.moDirectStatus.complete-on-cancel",
        "warning",
        "notifyCancelledPurchase with moDirectStatus Complete; the documents' sample sends "
        "MobilePlansMoDirectStatus.cancelled.",
        "§3.8",
        GOOD_CANCEL,
        cancelled({"moDirectStatus": "Complete", "planName": ""}),
    ),
)
