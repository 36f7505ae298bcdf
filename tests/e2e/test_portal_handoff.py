"""The hand-offs that need no eSIM, the back button, the leave dialog, documented answers."""

from __future__ import annotations

import json

from e2e_helpers import Harness

PURCHASE_RESULT = json.dumps(
    {
        "userAccount": "New",
        "purchaseInstrument": "New",
        "line": "New",
        "moDirectStatus": "Complete",
        "planName": "Contoso 5 GB",
    }
)
FAILED_RESULT = (
    '{"userAccount":"Bailed","purchaseInstrument":"None","line":"None",'
    '"moDirectStatus":"None","planName":""}'
)


def _notify(harness: Harness, payload: dict[str, object]) -> None:
    harness.js(f"DataMart.notifyPurchaseResult({json.dumps(json.dumps(payload))})")


def test_legacy_failure_returns_to_the_provider_page(harness: Harness) -> None:
    harness.launch_and_wait()
    _notify(
        harness,
        {
            "ver": "1",
            "success": False,
            "transactionId": "",
            "activationCode": "",
            "iccid": "",
            "purchaseResult": FAILED_RESULT,
        },
    )
    harness.wait_for("ui.screen", screen="provider")
    assert harness.simulator.window.stack.currentWidget() is harness.simulator.window.provider_page


def test_legacy_success_without_activation_code_shows_the_plan_active(harness: Harness) -> None:
    harness.launch_and_wait()
    tid = harness.simulator.last_launch.transaction_id if harness.simulator.last_launch else ""
    _notify(
        harness,
        {"ver": "1", "success": True, "transactionId": tid, "purchaseResult": PURCHASE_RESULT},
    )
    screen = harness.wait_for("ui.screen", screen="plan-active")
    assert "Contoso 5 GB" in screen.fields["text"]
    assert "Contoso 5 GB" in harness.simulator.window.plan_page.body.text()


def test_legacy_payload_that_is_not_a_string_is_a_violation(harness: Harness) -> None:
    harness.launch_and_wait()
    harness.js("DataMart.notifyPurchaseResult({ver: '1', success: true})")
    violation = harness.wait_for("contract.violation", rule="legacy.payload.not-a-string")
    assert violation.fields["severity"] == "error"
    assert violation.fields["spec"] == "docs/rules.md#legacy.payload.not-a-string"


def test_invalid_activation_code_is_answered_through_the_activation_callback(
    harness: Harness,
) -> None:
    harness.launch_and_wait()
    harness.js(
        "MobilePlansInlineOperations.notifyProfileDownload("
        "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB'}, 'LPA:1$smdp.example$X')"
    )
    callback = harness.wait_for("portal.callback", property="profileActivationCompleteScript")
    assert callback.fields["delivered"] is True
    assert callback.fields["function"] == "onActivation"
    received = harness.js("window.received")
    assert received == [
        ["activation", json.dumps({"activationResult": "invalidActivationCode", "iccid": ""})]
    ]


def test_back_at_the_start_of_history_asks_before_leaving(harness: Harness) -> None:
    window = harness.simulator.window
    harness.launch_and_wait()
    window.back_action.trigger()
    harness.wait_for("ui.screen", screen="leave-dialog")
    assert window.leave_dialog.isVisible()
    window.leave_dialog.cancel_button.click()
    harness.wait_for("ui.screen", screen="portal")
    assert window.stack.currentWidget() is window.portal_area
    window.back_action.trigger()
    before = len(harness.simulator.events)
    window.leave_dialog.continue_button.click()
    harness.wait_for("ui.screen", screen="provider", after=before)
    assert window.stack.currentWidget() is window.provider_page


def test_back_inside_the_portal_navigates_the_page_history(harness: Harness) -> None:
    harness.launch_and_wait()
    harness.load("https://portal.mobileplans.test/with-frame.html")
    before = len(harness.simulator.events)
    harness.simulator.window.back_action.trigger()
    loaded = harness.wait_for("portal.loaded", after=before)
    assert "/?market=" in loaded.fields["url"]
    assert harness.events("ui.screen")[-1].fields["screen"] != "leave-dialog"


def test_cancelled_purchase_returns_without_the_leave_dialog(harness: Harness) -> None:
    harness.launch_and_wait()
    harness.js(
        "MobilePlans.notifyCancelledPurchase({userAccount: 'New', purchaseInstrument: 'New',"
        " moDirectStatus: MobilePlansMoDirectStatus.cancelled, line: 'Bailed', planName: ''})"
    )
    harness.wait_for("ui.screen", screen="provider")
    screens = [e.fields["screen"] for e in harness.events("ui.screen")]
    assert "leave-dialog" not in screens


def test_calls_after_the_hand_off_are_violations(harness: Harness) -> None:
    harness.launch_and_wait()
    harness.js(
        "(function () { MobilePlans.notifyPurchaseWithProfileDownload("
        "{moDirectStatus: 'Complete', planName: 'X'}, '1$smdp.mobileplans.test$A', 0);"
        " MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled', planName: ''}); })()"
    )
    violation = harness.wait_for("contract.violation", rule="call.after-handoff")
    assert violation.fields["method"] == "notifyCancelledPurchase"


def test_a_pop_up_is_refused_and_reported(harness: Harness) -> None:
    harness.launch_and_wait()
    harness.js("window.open('https://portal.mobileplans.test/index.html') && 1")
    violation = harness.wait_for("contract.violation", rule="portal.popup")
    assert "https://portal.mobileplans.test/index.html" in violation.fields["message"]
    assert violation.fields["spec"] == "docs/rules.md#portal.popup"
