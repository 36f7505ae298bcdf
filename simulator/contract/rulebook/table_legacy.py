"""The rules about legacy purchase results: DataMart.notifyPurchaseResult's payload, its
transactionId, and the 2017 window.external.notify payload."""

from __future__ import annotations

from typing import Any

from simulator.contract.rulebook.examples import (
    AC,
    ICCID_ON_DEVICE,
    TRANSACTION_ID,
    Call,
    Example,
    Stringified,
)
from simulator.contract.rulebook.model import Rule

_RESULT = {
    "userAccount": "New",
    "purchaseInstrument": "New",
    "line": "New",
    "moDirectStatus": "Complete",
    "planName": "Contoso Classic 2 GB",
}
_PAYLOAD: dict[str, Any] = {
    "ver": "1",
    "success": True,
    "transactionId": TRANSACTION_ID,
    "activationCode": AC,
    "purchaseResult": Stringified(_RESULT),
}


def legacy(payload: Any = None, **changes: Any) -> Example:
    """DataMart.notifyPurchaseResult(JSON.stringify(payload with changes))."""
    if payload is None:
        merged = {**_PAYLOAD, **changes}
        payload = Stringified({k: v for k, v in merged.items() if v is not _DROP})
    return Example(Call("DataMart.notifyPurchaseResult", (payload,)))


def external(**changes: Any) -> Example:
    """window.external.notify(...) of the 2017 Data Marketplace, with an orderId."""
    merged = {**_PAYLOAD, "orderId": "CM-1001", **changes}
    fields = {k: v for k, v in merged.items() if v is not _DROP}
    return Example(Call("window.external.notify", (Stringified(fields),)))


_DROP = object()
_FAILED_RESULT = Stringified({**_RESULT, "moDirectStatus": "PurchaseFailed", "planName": ""})
GOOD_LEGACY = legacy()
GOOD_EXTERNAL = external()

RULES_LEGACY: tuple[Rule, ...] = (
    Rule(
        "legacy.payload.not-a-string",
        "error",
        "The legacy purchase-result payload is passed as an object; it must be passed as a "
        "string (JSON.stringify). The app answers invalidJson.",
        "§1.5, §4.6",
        GOOD_LEGACY,
        legacy(dict(_PAYLOAD)),
    ),
    Rule(
        "legacy.payload.not-json",
        "error",
        "The legacy payload string is not JSON.",
        "§1.5, §4.6",
        GOOD_LEGACY,
        legacy("{ver: '1', success: true}"),
    ),
    Rule(
        "legacy.payload.not-an-object",
        "error",
        "The legacy payload is JSON but not an object (an array, a number).",
        "§1.5",
        GOOD_LEGACY,
        legacy(Stringified([1, 2])),
    ),
    Rule(
        "legacy.payload.unknown-field",
        "info",
        "The legacy payload has an undocumented field; the app ignores it.",
        "§1.5",
        GOOD_LEGACY,
        legacy(orderNumber="CM-1001"),
    ),
    Rule(
        "legacy.ver.missing",
        "warning",
        'The legacy payload has no ver; every sample sends "1".',
        "§1.5",
        GOOD_LEGACY,
        legacy(ver=_DROP),
    ),
    Rule(
        "legacy.ver.not-a-string",
        "warning",
        'ver is not a string; every sample sends the string "1".',
        "§1.5",
        GOOD_LEGACY,
        legacy(ver=1),
    ),
    Rule(
        "legacy.ver.unknown",
        "warning",
        'ver is a version the documents do not describe (only "1").',
        "§1.5",
        GOOD_LEGACY,
        legacy(ver="2"),
    ),
    Rule(
        "legacy.success.missing",
        "error",
        "The legacy payload has no success (true when the user bought a plan).",
        "§1.5",
        GOOD_LEGACY,
        legacy(success=_DROP),
    ),
    Rule(
        "legacy.success.not-a-boolean",
        "error",
        'success is not the boolean true or false (e.g. the string "true").',
        "§1.5",
        GOOD_LEGACY,
        legacy(success="true"),
    ),
    Rule(
        "legacy.success.status-mismatch",
        "warning",
        "success and purchaseResult.moDirectStatus disagree (success true goes with Complete).",
        "§1.5",
        GOOD_LEGACY,
        legacy(success=False, activationCode=""),
    ),
    Rule(
        "legacy.activationCode.on-failure",
        "warning",
        "An activation code is sent with success false; the app downloads nothing on failure.",
        "§1.5, §3.1",
        GOOD_LEGACY,
        legacy(
            success=False,
            purchaseResult=Stringified({**_RESULT, "moDirectStatus": "PurchaseFailed"}),
        ),
    ),
    Rule(
        "legacy.activationCode.on-psim",
        "warning",
        "An activation code is sent to a PC with a physical SIM; the physical-SIM sample "
        "leaves it out.",
        "§1.5, §3.1",
        GOOD_LEGACY,
        Example(legacy().call, device="psim"),
    ),
    Rule(
        "legacy.iccid.key-spelling",
        "warning",
        "The payload spells the ICCID field Iccid (or sends both iccid and Iccid); the "
        "documented field is iccid.",
        "§1.5",
        legacy(activationCode="", iccid=ICCID_ON_DEVICE),
        legacy(activationCode="", Iccid=ICCID_ON_DEVICE),
    ),
    Rule(
        "legacy.purchaseResult.missing",
        "error",
        "The legacy payload has no purchaseResult.",
        "§1.5",
        GOOD_LEGACY,
        legacy(purchaseResult=_DROP),
    ),
    Rule(
        "legacy.purchaseResult.object",
        "warning",
        "purchaseResult is an object inside the payload; the documents encode it as a JSON "
        "string of its own.",
        "§1.5",
        GOOD_LEGACY,
        legacy(purchaseResult=_RESULT),
    ),
    Rule(
        "legacy.purchaseResult.not-json-string",
        "error",
        "purchaseResult is a string that is not JSON, or neither a string nor an object.",
        "§1.5",
        GOOD_LEGACY,
        legacy(purchaseResult="Complete"),
    ),
    Rule(
        "transactionId.missing",
        "info",
        "The legacy payload does not echo the launch's transactionId. Echoing is optional; "
        "the portal must still log it.",
        "§1.5, §4.8",
        GOOD_LEGACY,
        legacy(transactionId=_DROP),
    ),
    Rule(
        "transactionId.not-a-string",
        "warning",
        "The echoed transactionId is not a string.",
        "§1.5, §4.8",
        GOOD_LEGACY,
        legacy(transactionId=12),
    ),
    Rule(
        "transactionId.too-long",
        "warning",
        "The echoed transactionId is longer than 64 characters, the documented maximum.",
        "§1.5, §4.8",
        GOOD_LEGACY,
        legacy(transactionId="x" * 65),
    ),
    Rule(
        "transactionId.mismatch",
        "warning",
        "The echoed transactionId is not the one the portal was launched with.",
        "§1.5, §4.8",
        GOOD_LEGACY,
        legacy(transactionId="waoigFfX00yGH3Vb.1"),
    ),
    Rule(
        "transactionId.url-encoded",
        "info",
        "The echoed transactionId is still URL-encoded (%2F for /); the app compares it decoded.",
        "§1.5, §2.3, §4.8",
        GOOD_LEGACY,
        Example(
            legacy(transactionId="HADRdRhKI0S5bN4n%2E1").call,
            note="the launch's transactionId was HADRdRhKI0S5bN4n.1",
        ),
    ),
    Rule(
        "external.orderId.missing",
        "flaw",
        "A 2017 window.external.notify payload has no orderId (required).",
        "§1.5, §2017",
        GOOD_EXTERNAL,
        external(orderId=_DROP),
    ),
    Rule(
        "external.orderId.not-a-string",
        "flaw",
        "orderId is not a string.",
        "§1.5, §2017",
        GOOD_EXTERNAL,
        external(orderId=1001),
    ),
    Rule(
        "external.orderId.empty-on-success",
        "flaw",
        "orderId is empty although success is true; it must not be empty then.",
        "§1.5, §2017",
        GOOD_EXTERNAL,
        external(orderId=""),
    ),
    Rule(
        "external.orderId.not-empty-on-failure",
        "flaw",
        "orderId is set although success is false; it must be empty then.",
        "§1.5, §2017",
        external(
            success=False,
            orderId="",
            activationCode="",
            purchaseResult=Stringified(
                {**_RESULT, "moDirectStatus": "PurchaseFailed", "planName": ""}
            ),
        ),
        external(
            success=False,
            activationCode="",
            purchaseResult=Stringified(
                {**_RESULT, "moDirectStatus": "PurchaseFailed", "planName": ""}
            ),
        ),
    ),
    Rule(
        "external.eId.invalid",
        "warning",
        "A 2017 payload's eId is not a valid EID (32 digits, check digits mod 97 = 1).",
        "§1.5, §2017",
        GOOD_EXTERNAL,
        external(eId="89033023422130000000000199055790"),
    ),
)
