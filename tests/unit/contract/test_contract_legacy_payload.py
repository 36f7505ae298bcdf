"""The legacy DataMart.notifyPurchaseResult payloads, including the docs' own samples."""

import json
from typing import Any

from conftest import js, make_call, rules  # type: ignore[import-not-found]

from simulator.contract import ContractSession, NotifyPurchaseResult, Severity
from simulator.contract.model import ActivationError

# Copied exactly from seeds/000 (mobile-plans-legacy-callback-notifications).
ESIM_SAMPLE = {
    "ver": "1",
    "purchaseResult": '{"userAccount":"New","purchaseInstrument":"New","line":"New","moDirectStatus":"Complete","planName":"MyPlan"}',  # noqa: E501
    "success": True,
    "transactionId": "MSFT_ecf5a4d6-024c-46c3-8fcd-2c1f0deed572",
    "activationCode": "1$trl.prod.ondemandconnectivity.com$JO46UQDI07IKQDGG",
    "iccid": "8988247000101997790",
}
PSIM_SAMPLE = {
    "ver": "1",
    "purchaseResult": '{"userAccount":"New","purchaseInstrument":"New","line":"New","moDirectStatus":"Complete","planName":"MyPlan"}',  # noqa: E501
    "success": True,
    "transactionId": "MSFT_ecf5a4d6-024c-46c3-8fcd-2c1f0deed572",
    "iccid": "8988247000101997790",
}
FAILURE_SAMPLE = {
    "ver": "1",
    "purchaseResult": '{"userAccount":"Bailed","purchaseInstrument":"None","line":"None","moDirectStatus":"None","planName":""}',  # noqa: E501
    "success": False,
    "transactionId": "MSFT_ecf5a4d6-024c-46c3-8fcd-2c1f0deed572",
    "activationCode": "",
    "iccid": "",
}


def notify(session: ContractSession, payload: Any, obj: str = "DataMart") -> Any:
    member = "notify" if obj == "external" else "notifyPurchaseResult"
    text = payload if not isinstance(payload, dict) else json.dumps(payload)
    return session.check(make_call(obj, member, text))


def test_esim_sample(session: ContractSession) -> None:
    result = notify(session, ESIM_SAMPLE)
    assert isinstance(result.command, NotifyPurchaseResult)
    payload = result.command.payload
    assert payload.success is True
    assert payload.activation_code.smdp_address == "trl.prod.ondemandconnectivity.com"
    assert payload.activation_code.matching_id == "JO46UQDI07IKQDGG"
    assert payload.iccid.digits == "8988247000101997790"
    assert payload.purchase_result.plan_name == "MyPlan"
    assert rules(result) == {"call.legacy-api"}
    assert session.handed_back


def test_psim_sample(psim_session: ContractSession) -> None:
    result = notify(psim_session, PSIM_SAMPLE)
    assert result.ok
    assert result.command.payload.activation_code is None
    assert rules(result) == {"call.legacy-api"}


def test_failure_sample(session: ContractSession) -> None:
    result = notify(session, FAILURE_SAMPLE)
    assert result.ok
    payload = result.command.payload
    assert payload.success is False
    assert payload.iccid is None
    assert payload.activation_code is None
    assert payload.purchase_result.mo_direct_status == "None"
    assert rules(result) == {"call.legacy-api"}


def test_payload_must_be_a_string(session: ContractSession, call: Any) -> None:

    result = session.check(call("DataMart", "notifyPurchaseResult", js(ESIM_SAMPLE)))
    assert not result.ok
    assert "legacy.payload.not-a-string" in rules(result)
    assert result.portal_error is ActivationError.invalidJson
    assert "JSON.stringify" in result.violations[-1].message


def test_payload_not_json_and_not_object(session: ContractSession) -> None:
    assert "legacy.payload.not-json" in rules(notify(session, "{ver: 1"))
    assert "legacy.payload.not-json" in rules(notify(session, "[" * 100_000))
    assert "legacy.payload.not-an-object" in rules(notify(session, "[1]"))


def test_purchase_result_object_variant_warns(session: ContractSession) -> None:
    payload = dict(ESIM_SAMPLE, purchaseResult=json.loads(ESIM_SAMPLE["purchaseResult"]))  # type: ignore[arg-type]
    result = notify(session, payload)
    assert result.ok
    assert any(v.rule == "legacy.purchaseResult.object" and v.severity is Severity.WARNING
               for v in result.violations)  # fmt: skip


def test_purchase_result_not_json_string(session: ContractSession) -> None:
    result = notify(session, dict(ESIM_SAMPLE, purchaseResult="{userAccount: New}"))
    assert not result.ok
    assert "legacy.purchaseResult.not-json-string" in rules(result)
    assert result.portal_error is ActivationError.invalidJson
    result = notify(session, dict(ESIM_SAMPLE, purchaseResult=5))
    assert "legacy.purchaseResult.not-json-string" in rules(result)
    assert "legacy.purchaseResult.missing" in rules(
        notify(session, {k: v for k, v in ESIM_SAMPLE.items() if k != "purchaseResult"})
    )


def test_legacy_requires_all_four_enum_fields(session: ContractSession) -> None:
    result = notify(
        session, dict(ESIM_SAMPLE, purchaseResult='{"moDirectStatus":"Complete","planName":"x"}')
    )
    assert not result.ok
    assert "metadata.required.missing" in rules(result)


def test_ver_rules(session: ContractSession) -> None:
    assert "legacy.ver.missing" in rules(
        notify(session, {k: v for k, v in ESIM_SAMPLE.items() if k != "ver"})
    )
    assert "legacy.ver.not-a-string" in rules(
        notify(ContractSessionFactory(session), dict(ESIM_SAMPLE, ver=1))
    )
    assert "legacy.ver.unknown" in rules(
        notify(ContractSessionFactory(session), dict(ESIM_SAMPLE, ver="2"))
    )


def ContractSessionFactory(session: ContractSession) -> ContractSession:
    return ContractSession(session.launch, lambda: frozenset())


def test_success_must_be_boolean(session: ContractSession) -> None:
    result = notify(session, dict(ESIM_SAMPLE, success="true"))
    assert not result.ok
    assert "legacy.success.not-a-boolean" in rules(result)
    result = notify(session, {k: v for k, v in ESIM_SAMPLE.items() if k != "success"})
    assert "legacy.success.missing" in rules(result)


def test_success_status_mismatch(session: ContractSession) -> None:
    result = notify(session, dict(FAILURE_SAMPLE, success=True, iccid="8988247000101997790"))
    assert "legacy.success.status-mismatch" in rules(result)


def test_transaction_id_is_never_a_rejection(session: ContractSession) -> None:
    missing = notify(
        ContractSessionFactory(session),
        {k: v for k, v in ESIM_SAMPLE.items() if k != "transactionId"},
    )
    assert missing.ok
    assert {v.rule: v.severity for v in missing.violations}[
        "transactionId.missing"
    ] is Severity.INFO
    assert "optional" in next(
        v.message for v in missing.violations if v.rule == "transactionId.missing"
    )
    other = notify(
        ContractSessionFactory(session),
        dict(ESIM_SAMPLE, transactionId="CDE2882E-BD5E-485F-B921-D0D60BBCF7FF"),
    )
    assert other.ok
    assert {v.rule: v.severity for v in other.violations}[
        "transactionId.mismatch"
    ] is Severity.WARNING
    long = notify(ContractSessionFactory(session), dict(ESIM_SAMPLE, transactionId="x" * 65))
    assert long.ok
    assert "transactionId.too-long" in rules(long)
    number = notify(ContractSessionFactory(session), dict(ESIM_SAMPLE, transactionId=5))
    assert number.ok
    assert "transactionId.not-a-string" in rules(number)


def test_iccid_key_spelling_2018(session: ContractSession) -> None:
    payload = {k: v for k, v in ESIM_SAMPLE.items() if k != "iccid"}
    payload["Iccid"] = "8988247000101997790"
    result = notify(session, payload)
    assert result.ok
    assert result.command.payload.iccid.digits == "8988247000101997790"
    assert "legacy.iccid.key-spelling" in rules(result)


def test_iccid_rules(session: ContractSession) -> None:
    result = notify(session, dict(ESIM_SAMPLE, iccid="89882470001019977"))
    assert not result.ok
    assert "iccid.length" in rules(result)
    result = notify(ContractSessionFactory(session), dict(ESIM_SAMPLE, iccid="8988247000101997791"))
    assert result.ok  # a wrong check digit only warns: the docs' own sample ICCID fails it
    assert {v.rule: v.severity for v in result.violations}["iccid.check-digit"] is Severity.WARNING
    result = notify(ContractSessionFactory(session), dict(ESIM_SAMPLE, iccid=8988247000101997790))
    assert "iccid.not-a-string" in rules(result)


def test_activation_code_on_failure_and_psim(
    session: ContractSession, psim_session: ContractSession
) -> None:
    result = notify(session, dict(FAILURE_SAMPLE, activationCode=ESIM_SAMPLE["activationCode"]))
    assert "legacy.activationCode.on-failure" in rules(result)
    assert "legacy.activationCode.on-psim" in rules(notify(psim_session, ESIM_SAMPLE))


def test_bad_activation_code_in_payload(session: ContractSession) -> None:
    result = notify(session, dict(ESIM_SAMPLE, activationCode="LPA:1$smdp.example$ABC"))
    assert not result.ok
    assert "activationCode.lpa-prefix" in rules(result)
    assert result.portal_error is ActivationError.invalidActivationCode


def test_unknown_field_is_info(session: ContractSession) -> None:
    result = notify(session, dict(ESIM_SAMPLE, orderId="42"))
    assert result.ok
    assert "legacy.payload.unknown-field" in rules(result)


def test_external_notify_2017(session: ContractSession) -> None:
    result = notify(
        session,
        dict(ESIM_SAMPLE, orderId="A-1", eId="89049032000001000000000000000017"),
        "external",
    )
    assert result.ok
    assert result.command.payload.order_id == "A-1"
    assert session.handed_back
    s2 = ContractSessionFactory(session)
    assert "external.orderId.missing" in rules(notify(s2, ESIM_SAMPLE, "external"))
    s3 = ContractSessionFactory(session)
    assert "external.orderId.empty-on-success" in rules(
        notify(s3, dict(ESIM_SAMPLE, orderId=""), "external")
    )
    s4 = ContractSessionFactory(session)
    assert "external.orderId.not-empty-on-failure" in rules(
        notify(s4, dict(FAILURE_SAMPLE, orderId="A"), "external")
    )
    s5 = ContractSessionFactory(session)
    assert "external.eId.invalid" in rules(
        notify(s5, dict(ESIM_SAMPLE, orderId="A", eId="123"), "external")
    )


_WITHOUT_INSTRUMENT = (
    '{"userAccount":"New","line":"New","moDirectStatus":"Complete","planName":"MyPlan"}'
)


def test_external_notify_2017_purchase_instrument_is_optional(session: ContractSession) -> None:
    """Public page "MO Direct API" (mo-direct-api.md, the 2017 Data Marketplace revision): its
    purchaseResult table marks purchaseInstrument optional for window.external.notify, while
    "Mobile Plans legacy callback notifications" requires it for DataMart.notifyPurchaseResult."""
    payload = dict(ESIM_SAMPLE, orderId="A-1", purchaseResult=_WITHOUT_INSTRUMENT)
    result = notify(session, payload, "external")
    assert result.ok
    assert "metadata.required.missing" not in rules(result)
    assert result.command.payload.purchase_result.purchase_instrument is None
    later = notify(ContractSessionFactory(session), payload, "DataMart")
    assert "metadata.required.missing" in rules(later)


def test_megabyte_payload_is_cheap(session: ContractSession) -> None:
    payload = dict(ESIM_SAMPLE, activationCode="1$smdp.example$" + "x" * 1_048_576)
    result = notify(session, payload)
    assert not result.ok
    assert "activationCode.too-long" in rules(result)
    assert all(len(v.message) < 400 for v in result.violations)
