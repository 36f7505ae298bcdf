"""The bundled Contoso portal's flows end to end, a few lines each (copy and adapt).

Each test gets a fresh simulated PC (`mobile_plans`): its own eUICC, stub SM-DP+ and a virtual
clock that moves only when the test says so.
"""

from __future__ import annotations

import json

import pytest


def test_inline_download_installs_and_connects(mobile_plans, contoso):
    contoso.buy("contoso-5gb")
    mobile_plans.wait_for("flow.state", flow="inline-download", state="registering", timeout=30)
    mobile_plans.clock.advance(minutes=1)
    connected = mobile_plans.wait_for("flow.state", state="connected")
    assert mobile_plans.network.state(connected.fields["iccid"]) == "home"
    callback = mobile_plans.wait_for("portal.callback", property="profileActivationCompleteScript")
    assert json.loads(callback.fields["argument"])["activationResult"] == "success"
    mobile_plans.assert_no_violations()


def test_delayed_download_waits_for_the_toast(mobile_plans, contoso):
    contoso.buy("contoso-travel-10gb")
    mobile_plans.wait_for("flow.state", flow="delayed-download", state="scheduled")
    mobile_plans.clock.advance(minutes=15)
    mobile_plans.answer_toast("Download")
    mobile_plans.wait_for("flow.state", state="registering", timeout=30)
    mobile_plans.clock.advance(minutes=1)
    mobile_plans.wait_for("flow.state", flow="delayed-download", state="connected")
    mobile_plans.assert_no_violations()


def test_delayed_download_cancelled_before_the_toast(mobile_plans, contoso):
    contoso.buy("contoso-travel-10gb")
    mobile_plans.wait_for("flow.state", state="scheduled")
    mobile_plans.click("#cancel-scheduled")
    mobile_plans.wait_for("flow.state", flow="delayed-download", state="cancelled")
    mobile_plans.clock.advance(minutes=30)
    assert not [e for e in mobile_plans.events_of("ui.toast") if e.fields["actions"]]
    assert mobile_plans.euicc.profiles() == []


def test_asynchronous_connectivity_connects_after_the_interval(mobile_plans, contoso):
    contoso.buy("contoso-unlimited")
    expected = mobile_plans.wait_for("flow.state", state="registration-error-expected", timeout=30)
    iccid = expected.fields["iccid"]
    assert mobile_plans.network.state(iccid) == "denied"
    mobile_plans.clock.advance(minutes=15)
    assert mobile_plans.network.state(iccid) == "searching"
    mobile_plans.clock.advance(minutes=1)
    assert mobile_plans.network.state(iccid) == "home"
    mobile_plans.wait_for("flow.state", flow="async-connectivity", state="connected")


def test_balance_top_up_shows_the_balance_screen(mobile_plans, contoso):
    contoso.buy("topup-1gb", line=True)
    call = mobile_plans.wait_for("bridge.call", method="notifyBalanceAddition")
    assert call.fields["object"] == "MobilePlansInlineOperations"
    mobile_plans.wait_for("ui.screen", screen="balance")
    mobile_plans.assert_no_violations()


def test_cancel_returns_to_the_app(mobile_plans):
    mobile_plans.launch()
    mobile_plans.click("#cancel")
    mobile_plans.wait_for("bridge.call", method="notifyCancelledPurchase")
    mobile_plans.wait_for("ui.screen", screen="provider")
    mobile_plans.assert_no_violations()


def test_a_failing_sm_dp_plus_reaches_the_portal_as_server_failure(mobile_plans, contoso):
    mobile_plans.smdp.behave_next(fail_at="getBoundProfilePackage")
    contoso.buy("contoso-5gb")
    error = mobile_plans.wait_for("lpa.error", timeout=30)
    assert error.fields["activation_error"] == "serverFailure"
    mobile_plans.wait_for("ui.screen", screen="error")
    mobile_plans.answer_error(retry=False)
    mobile_plans.wait_for_element("#try-again:not([hidden])")
    assert "problem" in contoso.status()


@pytest.mark.mobile_plans(device="psim", market="GB", location="GB")
def test_a_physical_sim_pc_is_launched_without_an_eid(mobile_plans):
    launch = mobile_plans.launch()
    assert "eid" not in launch.params
    assert launch.params["market"] == "GB"
