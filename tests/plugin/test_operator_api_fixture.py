"""`mobile_plans.operator_api` and the `iccid_ranges` marker option, run as a portal team would
(its own pytest process)."""

from __future__ import annotations

import pytest
from conftest import run

OPERATOR_API = """
import pytest

OURS = "8999001000000000018"


def _install(mobile_plans, order):
    done = []
    mobile_plans.simulator.esim.download(
        order.activation_code, confirmation_code=None, progress=lambda *a: None, done=done.append
    )
    mobile_plans.wait(lambda: bool(done), 60, "the download")
    assert done[0].ok


def test_the_three_apis_as_the_service_calls_them(mobile_plans):
    balance = mobile_plans.operator_api.get_balance(iccid=OURS)
    assert balance.checked.ok
    assert balance.checked.balances[0].type == "MODIRECTPAYG"
    mobile_plans.operator_api.set_balance(OURS, "NONE", 0, "PT0S")
    assert mobile_plans.operator_api.get_balance(iccid=OURS).checked.balances[0].type == "NONE"
    assert mobile_plans.operator_api.get_offers(iccid=OURS).checked.gateway_ids == ["0"]
    found = mobile_plans.operator_api.get_notifications("zeroBalance", iccid=OURS)
    assert found.checked.notification_ids == ["2"]
    mobile_plans.operator_api.answer_next("GetOffers", 200, {"offers": [{"gatewayId": "9"}]})
    mobile_plans.operator_api.get_offers(iccid=OURS)
    assert [v.fields["rule"] for v in mobile_plans.violations] == ["offers.gatewayId.unknown"]
    response = mobile_plans.wait_for("operator_api.response", api="GetOffers", ok=False)
    assert response.fields["gatewayIds"] == []


def test_promotion_flyout_and_gateway(mobile_plans):
    flyout = mobile_plans.operator_api.open_flyout()
    assert flyout.fields["entries"] == ["Connect with a data plan"]  # no profile yet
    toast = mobile_plans.operator_api.complete_setup()
    # the buttons of the promotion's screenshot ("Mobile Plans notifications")
    assert toast.fields["actions"] == ["Get connected", "Don\u2019t show again"]
    assert mobile_plans.operator_api.send_sms("lowBalance") is None  # no operator profile
    mobile_plans.operator_api.answer_toast(toast, "Get connected")
    gateway = mobile_plans.wait_for("gateway.shown")
    assert gateway.fields["template"] == "0"
    assert mobile_plans.operator_api.open_gateway().fields["page"] == "enhanced"


@pytest.mark.mobile_plans(iccid_ranges=["894411"])
def test_iccids_only_lists_profiles_in_the_operators_ranges(mobile_plans):
    _install(mobile_plans, mobile_plans.smdp.create_order())  # 8999001...: not this operator's
    ours = mobile_plans.smdp.create_order(iccid="8944110000000000016")
    _install(mobile_plans, ours)
    launch = mobile_plans.launch()
    assert launch.params["iccids"] == ours.iccid
"""


def test_operator_api_fixture(plugin_pytester: pytest.Pytester) -> None:
    plugin_pytester.makepyfile(test_operator=OPERATOR_API)
    result = run(plugin_pytester, "-q")
    result.assert_outcomes(passed=3)
