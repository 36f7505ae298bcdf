"""ContractSession.check on every documented call and every call-level rule."""

from typing import Any

import pytest
from conftest import ON_DEVICE, js, make_call, metadata, rules  # type: ignore[import-not-found]

from simulator.contract import (
    ActivationError,
    ContractSession,
    CreatePurchaseMetadata,
    NotifyBalanceAddition,
    NotifyCancelledPurchase,
    NotifyOperationCancel,
    NotifyProfileDownload,
    NotifyPurchaseDelayedProfile,
    NotifyPurchaseWithProfileDownload,
    SetCallbackScript,
    Severity,
)
from simulator.contract.values import UNDEFINED, JsFunction

AC = "1$smdp.example.com$MATCHING-1"
IO = "MobilePlansInlineOperations"


def severities(result: Any) -> dict[str, Severity]:
    return {v.rule: v.severity for v in result.violations}


def set_callbacks(session: ContractSession, obj: str = IO) -> None:
    for prop, name in (
        ("registrationChangedScript", "onReg"),
        ("profileActivationCompleteScript", "onAct"),
    ):
        assert session.check(make_call(obj, prop, name, kind="set")).ok


def test_create_metadata(session: ContractSession) -> None:
    result = session.check(make_call("MobilePlans", "createPurchaseMetaData"))
    assert result.command == CreatePurchaseMetadata("MobilePlans")
    assert result.violations == ()


def test_inline_download_happy_path(session: ContractSession) -> None:
    set_callbacks(session)
    assert session.script_properties == {
        "registrationChangedScript": "onReg",
        "profileActivationCompleteScript": "onAct",
    }
    result = session.check(
        make_call(IO, "notifyProfileDownload", metadata(), AC, operation_id="op-1")
    )
    assert isinstance(result.command, NotifyProfileDownload)
    assert result.command.delay_minutes is None
    assert result.command.operation_id == "op-1"
    assert result.command.activation_code.matching_id == "MATCHING-1"
    assert result.violations == ()
    assert not session.handed_back


def test_callbacks_unset_before_download_warns(session: ContractSession) -> None:
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), AC))
    assert result.ok
    assert severities(result)["callbacks.unset-before-download"] is Severity.WARNING


def test_script_property_values(session: ContractSession) -> None:
    result = session.check(
        make_call(
            "DataMartInlineProfile", "registrationChangedScript", JsFunction("onReg"), kind="set"
        )
    )
    assert result.command == SetCallbackScript(
        "DataMartInlineProfile", "registrationChangedScript", "onReg", True
    )
    assert severities(result)["callbacks.function-reference"] is Severity.WARNING
    for bad in (None, UNDEFINED, 5, js({"a": 1})):
        result = session.check(make_call(IO, "profileActivationCompleteScript", bad, kind="set"))
        assert not result.ok
        assert "callbacks.not-a-string" in rules(result)
    result = session.check(
        make_call(IO, "profileActivationCompleteScript", "window.app.done", kind="set")
    )
    assert result.ok
    assert "callbacks.not-an-identifier" in rules(result)
    result = session.check(make_call(IO, "profileActivationCompleteScript", "", kind="set"))
    assert result.ok
    assert session.script_properties["profileActivationCompleteScript"] is None


def test_unknown_members(session: ContractSession) -> None:
    assert "call.unknown-member" in rules(
        session.check(make_call("MobilePlans", "registrationChangedScript", "x", kind="set"))
    )
    assert "call.unknown-member" in rules(
        session.check(make_call(IO, "registrationCompleteScript", "x", kind="set"))
    )
    assert "call.unknown-member" in rules(session.check(make_call(IO, "notifyPurchase", 1)))
    assert "call.unknown-member" in rules(session.check(make_call("Nope", "x")))


@pytest.mark.parametrize(("obj", "member", "n"), [
    ("MobilePlans", "notifyCancelledPurchase", 0),
    (IO, "notifyProfileDownload", 1),
    (IO, "notifyProfileDownload", 4),
    (IO, "notifyBalanceAddition", 3),
    ("MobilePlans", "notifyPurchaseWithProfileDownload", 2),
    ("DataMart", "notifyPurchaseResult", 2),
])  # fmt: skip
def test_arity(session: ContractSession, obj: str, member: str, n: int) -> None:
    result = session.check(make_call(obj, member, *([UNDEFINED] * n)))
    assert not result.ok
    assert rules(result) == {"call.arity"}


def test_metadata_must_be_an_object(session: ContractSession) -> None:
    result = session.check(make_call("MobilePlans", "notifyCancelledPurchase", "md"))
    assert not result.ok
    assert "metadata.not-an-object" in rules(result)


def test_activation_code_rules_on_inline(session: ContractSession) -> None:
    set_callbacks(session)
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), "LPA:" + AC))
    assert not result.ok
    assert "activationCode.lpa-prefix" in rules(result)
    assert result.portal_error is ActivationError.invalidActivationCode
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), "not a code"))
    assert "activationCode.invalid" in rules(result)
    assert result.portal_error is ActivationError.invalidActivationCode
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), 42))
    assert "activationCode.not-a-string" in rules(result)
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), ""))
    assert "activationCode.empty" in rules(result)
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), AC + "$1.2.3$1"))
    assert result.ok  # the LPA will fail with confirmationCodeMissing; the call itself stands
    assert severities(result)["activationCode.confirmation-code"] is Severity.ERROR
    assert severities(result)["activationCode.extra-fields"] is Severity.WARNING
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), "1$smdp.address$"))
    assert result.ok
    assert "activationCode.empty-matching-id" in rules(result)


def test_no_portal_error_where_no_channel(session: ContractSession) -> None:
    result = session.check(
        make_call("MobilePlans", "notifyPurchaseWithProfileDownload", metadata(), "LPA:" + AC, 15)
    )
    assert not result.ok
    assert result.portal_error is None


def test_delayed_download_and_cancel(session: ContractSession) -> None:
    set_callbacks(session)
    result = session.check(
        make_call(IO, "notifyProfileDownload", metadata(), AC, 15, operation_id="op-7")
    )
    assert result.command.delay_minutes == 15
    cancel = session.check(
        make_call(IO, "notifyOperationCancel", js({"Id": "op-7"}), operation_id=None)
    )
    assert cancel.command == NotifyOperationCancel("op-7", None)
    assert cancel.violations == ()
    again = session.check(make_call(IO, "notifyOperationCancel", js({"Id": "op-7"})))
    assert again.ok
    assert "operationContext.not-cancellable" in rules(again)


def test_delayed_download_accepts_bare_smdp_address(session: ContractSession) -> None:
    set_callbacks(session)
    result = session.check(
        make_call(IO, "notifyProfileDownload", metadata(), "smdp.example.com", 60)
    )
    assert result.ok
    assert "activationCode.smdp-address-only" in rules(result)
    result = session.check(make_call(IO, "notifyProfileDownload", metadata(), AC, 0))
    assert result.command.delay_minutes == 0
    assert "downloadDelay.zero" in rules(result)


def test_cancel_no_ops(session: ContractSession) -> None:
    result = session.check(make_call(IO, "notifyOperationCancel", js({"id": "op-1"})))
    assert result.command == NotifyOperationCancel(None, None)
    assert severities(result) == {"operationContext.missing-id": Severity.INFO}
    assert "capital I" in result.violations[0].message
    result = session.check(make_call(IO, "notifyOperationCancel", js({"Id": "nope"})))
    assert result.ok
    assert severities(result) == {"operationContext.unknown-id": Severity.INFO}
    result = session.check(make_call(IO, "notifyOperationCancel", "op-1"))
    assert not result.ok
    assert "operationContext.not-an-object" in rules(result)


@pytest.mark.parametrize(("value", "rule"), [
    (-1, "interval.out-of-range"),
    (2**32, "interval.out-of-range"),
    (float("nan"), "interval.out-of-range"),
    (7.5, "interval.not-integer"),
    ("soon", "interval.not-a-number"),
    (None, "interval.not-a-number"),
    (True, "interval.not-a-number"),
])  # fmt: skip
def test_interval_rejections(session: ContractSession, value: Any, rule: str) -> None:
    result = session.check(
        make_call("MobilePlans", "notifyPurchaseWithProfileDownload", metadata(), AC, value)
    )
    assert not result.ok
    assert rule in rules(result)


def test_async_connectivity_rounds_up(session: ContractSession) -> None:
    result = session.check(
        make_call("MobilePlans", "notifyPurchaseWithProfileDownload", metadata(), AC, 5)
    )
    assert result.command == NotifyPurchaseWithProfileDownload(
        "MobilePlans", result.command.metadata, result.command.activation_code, 5, 15
    )
    assert "interval.rounded" in rules(result)
    assert session.handed_back


@pytest.mark.parametrize(
    ("interval", "expected"),
    [(0, 0), (15, 15), (16, 30), (2**32 - 1, 4294967295 + 15 - (4294967295 % 15 or 15))],
)
def test_rounding(session: ContractSession, interval: int, expected: int) -> None:
    result = session.check(
        make_call("MobilePlans", "notifyPurchaseWithProfileDownload", metadata(), AC, interval)
    )
    assert result.command.reregister_after_minutes == expected


def test_numeric_string_interval_warns(session: ContractSession) -> None:
    result = session.check(
        make_call("DataMart", "notifyPurchaseWithProfileDownload", metadata(), AC, "15")
    )
    assert result.command.interval_minutes == 15
    assert severities(result)["interval.numeric-string"] is Severity.WARNING


def test_after_handoff_is_rejected(session: ContractSession) -> None:
    assert session.check(
        make_call(
            "MobilePlans",
            "notifyCancelledPurchase",
            metadata(moDirectStatus="Cancelled", planName=""),
        )
    ).ok
    assert session.handed_back
    result = session.check(make_call("MobilePlans", "createPurchaseMetaData"))
    assert not result.ok
    assert rules(result) == {"call.after-handoff"}


def test_cancelled_purchase_sample_and_complete_warning(session: ContractSession) -> None:
    result = session.check(
        make_call(
            "MobilePlans",
            "notifyCancelledPurchase",
            metadata(moDirectStatus="Cancelled", line="Bailed", planName=""),
        )
    )
    assert isinstance(result.command, NotifyCancelledPurchase)
    assert result.violations == ()
    other = ContractSession(session.launch, lambda: frozenset())
    result = other.check(make_call("MobilePlans", "notifyCancelledPurchase", metadata()))
    assert "metadata.moDirectStatus.complete-on-cancel" in rules(result)


def test_download_with_failed_status_warns(session: ContractSession) -> None:
    set_callbacks(session)
    result = session.check(
        make_call(
            IO, "notifyProfileDownload", metadata(moDirectStatus="ServiceError", planName=""), AC
        )
    )
    assert "metadata.moDirectStatus.not-complete" in rules(result)


def test_balance_addition_inline(session: ContractSession) -> None:
    result = session.check(make_call(IO, "notifyBalanceAddition", metadata(), operation_id="b1"))
    assert result.command == NotifyBalanceAddition(IO, result.command.metadata, None, True, "b1")
    result = session.check(make_call(IO, "notifyBalanceAddition", metadata(), ON_DEVICE + "F"))
    assert result.command.iccid.digits == ON_DEVICE
    assert "iccid.padding-stripped" in rules(result)
    result = session.check(
        make_call(IO, "notifyBalanceAddition", metadata(), "8988247000100003319")
    )
    assert not result.ok
    assert "iccid.not-on-device" in rules(result)
    assert result.portal_error is ActivationError.invalidIccid
    result = session.check(make_call(IO, "notifyBalanceAddition", metadata(), "12345"))
    assert result.portal_error is ActivationError.invalidIccid
    assert not session.handed_back


def test_balance_addition_legacy_hands_back(session: ContractSession) -> None:
    result = session.check(make_call("MobilePlans", "notifyBalanceAddition", metadata(), ON_DEVICE))
    assert isinstance(result.command, NotifyBalanceAddition)
    assert not result.command.inline
    assert "call.legacy-api" in rules(result)
    assert session.handed_back


def test_delayed_profile(session: ContractSession) -> None:
    result = session.check(make_call("MobilePlans", "notifyPurchaseDelayedProfile", metadata(), 20))
    assert isinstance(result.command, NotifyPurchaseDelayedProfile)
    assert (result.command.delay_minutes, result.command.rounded_minutes) == (20, 30)
    assert session.handed_back


def test_legacy_inline_download(session: ContractSession) -> None:
    set_callbacks(session, "MobilePlansInlineProfileDownload")
    value = js(
        {
            "userAccount": "New",
            "purchaseInstrument": "New",
            "lineType": "New",
            "modirectStatus": "Complete",
            "planName": "My Plan",
        }
    )
    result = session.check(
        make_call(
            "MobilePlansInlineProfileDownload",
            "notifyInlineProfileDownload",
            value,
            "1$smdp.address$matchingID",
        )
    )
    assert isinstance(result.command, NotifyProfileDownload)
    assert result.command.legacy
    assert "callbacks.unset-before-download" not in rules(result)


def test_psim_download_warns(psim_session: ContractSession) -> None:
    set_callbacks(psim_session)
    result = psim_session.check(make_call(IO, "notifyProfileDownload", metadata(), AC))
    assert "device.no-esim" in rules(result)
