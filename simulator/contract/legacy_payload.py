"""The legacy notification payload (§1.5): ``DataMart.notifyPurchaseResult`` and 2017's
``window.external.notify``.

The payload must be a *string* of JSON (§4.6) whose ``purchaseResult`` is itself a
JSON string; an object in ``purchaseResult`` is the 2018 variant and is accepted with
a WARNING. An undecodable payload is answered with ``invalidJson`` (§1.4, §4.11).
"""

from __future__ import annotations

import json
from types import MappingProxyType
from urllib.parse import unquote

from esim.identifiers.eid import Eid

from .codes import check_activation_code, check_iccid
from .commands import LegacyPurchaseResult
from .metadata import COMPLETE, PurchaseMetadata, parse_metadata
from .model import LaunchContext
from .value_text import describe, describe_typed
from .values import UNDEFINED, JsObject, JsValue, WireFormatError, from_json
from .violations import Findings

__all__ = ["MAX_TRANSACTION_ID_LENGTH", "check_transaction_id", "parse_legacy_payload"]

_SECTION = "§1.5 (mobile-plans-legacy-callback-notifications)"
_SECTION_2017 = "§1.5 (mo-direct-api, 2017)"
MAX_TRANSACTION_ID_LENGTH = 64
_KNOWN = ("ver", "success", "transactionId", "activationCode", "iccid", "Iccid", "purchaseResult")
_KNOWN_2017 = (*_KNOWN, "orderId", "eId")
_INVALID_JSON = "invalidJson"
_OPTIONAL_IN_2017 = frozenset({"purchaseInstrument"})


def parse_legacy_payload(
    value: JsValue, findings: Findings, launch: LaunchContext, *, external: bool = False
) -> LegacyPurchaseResult | None:
    """Decode and check one legacy payload; None after a rejecting ERROR."""
    section = _SECTION_2017 if external else _SECTION
    payload = _decode_payload(value, findings, section)
    if payload is None:
        return None
    ver = _check_ver(payload.get("ver"), findings, section)
    success = _check_success(payload.get("success"), findings, section)
    transaction_id = check_transaction_id(payload.get("transactionId"), findings, launch, section)
    iccid_value = _pick_iccid(payload, findings, section)
    iccid = None
    if iccid_value is not UNDEFINED and iccid_value != "":
        iccid = check_iccid(iccid_value, findings, "payload.iccid", section)
    code = None
    code_value = payload.get("activationCode")
    if code_value is not UNDEFINED and code_value != "":
        code = check_activation_code(code_value, findings, "payload.activationCode")
        if code is None:
            findings.portal_error = findings.portal_error or "invalidActivationCode"
        elif success is False:
            findings.warning(
                "legacy.activationCode.on-failure",
                "payload.activationCode is set although success is false; the app downloads "
                "nothing on failure (the docs' failure sample sends '')",
                f"{section}, §3.1",
                "payload.activationCode",
            )
        elif launch.device_kind == "psim":
            findings.warning(
                "legacy.activationCode.on-psim",
                "payload.activationCode is set but the device has a physical SIM; the "
                "physical-SIM sample omits it",
                f"{section}, §3.1",
                "payload.activationCode",
            )
    metadata = _purchase_result(
        payload.get("purchaseResult"), findings, success, section, external=external
    )
    order_id = eid = None
    if external:
        order_id = _check_order_id(payload.get("orderId"), findings, bool(success))
        eid = _check_eid(payload.get("eId"), findings)
    _report_unknown(payload, findings, _KNOWN_2017 if external else _KNOWN, section)
    if findings.rejected or metadata is None or success is None:
        return None
    if success != (metadata.mo_direct_status == COMPLETE):
        findings.warning(
            "legacy.success.status-mismatch",
            f"payload.success is {describe(success)} but purchaseResult.moDirectStatus is "
            f"{describe(metadata.mo_direct_status)}; success true goes with Complete",
            section,
            "payload.success",
        )
    return LegacyPurchaseResult(
        ver=ver,
        success=success,
        transaction_id=transaction_id,
        activation_code=code,
        iccid=iccid,
        purchase_result=metadata,
        order_id=order_id,
        eid=eid,
        fields=MappingProxyType(dict(payload.entries)),
    )


def _decode_payload(value: JsValue, findings: Findings, section: str) -> JsObject | None:
    if not isinstance(value, str):
        hint = " — pass JSON.stringify(payload)" if isinstance(value, JsObject) else ""
        findings.error(
            "legacy.payload.not-a-string",
            f'the notification payload is {describe_typed(value)}; "ensure that the '
            f'notification payload is passed as a string"{hint}',
            f"{section}, §4.6",
            "notificationPayload",
        )
        findings.portal_error = _INVALID_JSON
        return None
    try:
        decoded = from_json(json.loads(value))
    except (ValueError, RecursionError) as error:
        detail = error.message if isinstance(error, WireFormatError) else str(error)[:120]
        findings.error(
            "legacy.payload.not-json",
            f"the notification payload {describe(value)} is not JSON: {detail}",
            f"{section}, §4.6",
            "notificationPayload",
        )
        findings.portal_error = _INVALID_JSON
        return None
    if not isinstance(decoded, JsObject):
        findings.error(
            "legacy.payload.not-an-object",
            f"the notification payload decodes to {describe_typed(decoded)}; it "
            "must be a JSON object",
            section,
            "notificationPayload",
        )
        findings.portal_error = _INVALID_JSON
        return None
    return decoded


def _check_ver(value: JsValue, findings: Findings, section: str) -> str | None:
    if value is UNDEFINED:
        findings.warning("legacy.ver.missing", "payload.ver is missing; send '1'", section, "ver")
        return None
    if not isinstance(value, str):
        findings.warning(
            "legacy.ver.not-a-string",
            f"payload.ver is {describe_typed(value)}; every sample sends the string '1'",
            section,
            "ver",
        )
        return None
    if value != "1":
        findings.warning(
            "legacy.ver.unknown",
            f"payload.ver is {describe(value)}; the only documented version is '1'",
            section,
            "ver",
        )
    return value


def _check_success(value: JsValue, findings: Findings, section: str) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is UNDEFINED:
        findings.error(
            "legacy.success.missing",
            "payload.success is missing; it is true if the user purchased a plan",
            section,
            "success",
        )
    else:
        findings.error(
            "legacy.success.not-a-boolean",
            f"payload.success is {describe_typed(value)}; it must be the boolean true or false",
            section,
            "success",
        )
    return None


def check_transaction_id(
    value: JsValue, findings: Findings, launch: LaunchContext, section: str
) -> str | None:
    """§1.5, §4.8: echoing the launch's transactionId is optional, so nothing here rejects."""
    rule_section = f"{section}, §4.8"
    if value is UNDEFINED:
        findings.info(
            "transactionId.missing",
            f"payload.transactionId is not sent; echoing it is optional (the portal must still "
            f"log it), the launch's was {launch.transaction_id!r}",
            rule_section,
            "transactionId",
        )
        return None
    if not isinstance(value, str):
        findings.warning(
            "transactionId.not-a-string",
            f"payload.transactionId is {describe_typed(value)}; when echoed it is the "
            "launch's string",
            rule_section,
            "transactionId",
        )
        return None
    if len(value) > MAX_TRANSACTION_ID_LENGTH:
        findings.warning(
            "transactionId.too-long",
            f"payload.transactionId {describe(value)} is longer than the documented maximum of "
            f"{MAX_TRANSACTION_ID_LENGTH} characters",
            rule_section,
            "transactionId",
        )
    elif value != launch.transaction_id:
        if unquote(value) == launch.transaction_id:
            findings.info(
                "transactionId.url-encoded",
                f"payload.transactionId {describe(value)} is the launch's ID still URL-encoded; "
                f"the decoded value is {launch.transaction_id!r}",
                rule_section,
                "transactionId",
            )
        else:
            findings.warning(
                "transactionId.mismatch",
                f"payload.transactionId is {describe(value)} but this launch's is "
                f"{launch.transaction_id!r}; echoing is optional, but an echoed ID should be the "
                "one received",
                rule_section,
                "transactionId",
            )
    return value


def _pick_iccid(payload: JsObject, findings: Findings, section: str) -> JsValue:
    if not payload.has("Iccid"):
        return payload.get("iccid")
    if payload.has("iccid"):
        findings.warning(
            "legacy.iccid.key-spelling",
            "payload has both 'iccid' and 'Iccid'; the documented key is 'iccid' (used)",
            section,
            "iccid",
        )
        return payload.get("iccid")
    findings.warning(
        "legacy.iccid.key-spelling",
        "payload uses the key 'Iccid' (2018 eSIM example); the documented key is 'iccid'",
        section,
        "Iccid",
    )
    return payload.get("Iccid")


def _purchase_result(
    value: JsValue, findings: Findings, success: bool | None, section: str, *, external: bool
) -> PurchaseMetadata | None:
    field = "payload.purchaseResult"
    if value is UNDEFINED:
        findings.error(
            "legacy.purchaseResult.missing",
            f"{field} is missing; it holds the purchase metadata as a JSON string",
            section,
            field,
        )
        return None
    if isinstance(value, JsObject):
        findings.warning(
            "legacy.purchaseResult.object",
            f"{field} is an object (2018 variant); the current docs send it as a JSON-encoded "
            "string",
            section,
            field,
        )
        metadata_value: JsValue = value
    elif isinstance(value, str):
        try:
            metadata_value = from_json(json.loads(value))
        except (ValueError, RecursionError):
            findings.error(
                "legacy.purchaseResult.not-json-string",
                f"{field} {describe(value)} is not a JSON-encoded string",
                section,
                field,
            )
            findings.portal_error = _INVALID_JSON
            return None
    else:
        findings.error(
            "legacy.purchaseResult.not-json-string",
            f"{field} is {describe_typed(value)}; it must be a JSON-encoded string",
            section,
            field,
        )
        findings.portal_error = _INVALID_JSON
        return None
    # The 2017 window.external.notify table (mo-direct-api) marks purchaseInstrument optional;
    # the later DataMart.notifyPurchaseResult table requires all four.
    optional = _OPTIONAL_IN_2017 if external else frozenset()
    return parse_metadata(
        metadata_value, findings, field=field, legacy=True, success=bool(success), optional=optional
    )


def _check_order_id(value: JsValue, findings: Findings, success: bool) -> str | None:
    # 2017: orderId is required, "must not be empty" on success and "must be empty" on failure.
    field = "payload.orderId"
    if value is UNDEFINED:
        findings.flaw(
            "external.orderId.missing", f"{field} is missing; it is required", _SECTION_2017, field
        )
        return None
    if not isinstance(value, str):
        findings.flaw(
            "external.orderId.not-a-string",
            f"{field} is {describe_typed(value)}; it must be a string",
            _SECTION_2017,
            field,
        )
        return None
    if success and not value:
        findings.flaw(
            "external.orderId.empty-on-success",
            f"{field} is empty on a successful purchase; it must not be empty",
            _SECTION_2017,
            field,
        )
    elif not success and value:
        findings.flaw(
            "external.orderId.not-empty-on-failure",
            f"{field} is {describe(value)} on a failed purchase; it must be empty",
            _SECTION_2017,
            field,
        )
    return value


def _check_eid(value: JsValue, findings: Findings) -> str | None:
    field = "payload.eId"
    if value is UNDEFINED or value == "":
        return None
    if not isinstance(value, str):
        findings.warning(
            "external.eId.invalid",
            f"{field} is {describe_typed(value)}; an EID is a string of 32 digits",
            _SECTION_2017,
            field,
        )
        return None
    try:
        return Eid.parse(value).digits
    except ValueError as error:
        findings.warning(
            "external.eId.invalid",
            f"{field}: {getattr(error, 'message', str(error))}",
            _SECTION_2017,
            field,
        )
        return value


def _report_unknown(
    payload: JsObject, findings: Findings, known: tuple[str, ...], section: str
) -> None:
    for key in payload.keys()[:64]:
        if key not in known:
            findings.info(
                "legacy.payload.unknown-field",
                f"payload has the undocumented field {describe(key, 40)}; the app ignores it",
                section,
                key[:40],
            )
