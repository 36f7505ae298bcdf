"""The mobile_plans fixture, run as a portal team runs it: in its own pytest process."""

from __future__ import annotations

import pytest
from conftest import run

PASSING_AND_FAILING = """
import pytest

MD = "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB', userAccount: 'New'}"


def test_inline_download_connects(mobile_plans):
    order = mobile_plans.smdp.create_order()
    mobile_plans.launch()
    mobile_plans.js(
        "MobilePlansInlineOperations.notifyProfileDownload(%s, '%s')" % (MD, order.activation_code)
    )
    mobile_plans.wait_for("flow.state", state="registering", timeout=30)
    mobile_plans.clock.advance(minutes=1)
    connected = mobile_plans.wait_for("flow.state", state="connected")
    assert connected.fields["iccid"] == order.iccid
    assert [p.state for p in mobile_plans.euicc.profiles()] == ["enabled"]
    assert mobile_plans.network.state(order.iccid) == "home"


@pytest.mark.mobile_plans(device="psim", market="GB", location="FR", imei="490154203237518")
def test_marker_sets_the_device(mobile_plans):
    launch = mobile_plans.launch()
    assert launch.params["market"] == "GB"
    assert launch.params["location"] == "FR"
    assert launch.params["imei"] == "490154203237518"
    assert "eid" not in launch.params


def test_a_wrong_expectation_fails_readably(mobile_plans):
    mobile_plans.launch()
    mobile_plans.js("MobilePlans.notifyCancelledPurchase({planName: 42})")
    mobile_plans.wait_for("flow.state", state="connected", timeout=1)
"""


def test_pass_and_fail_with_the_last_events_and_the_violations(
    plugin_pytester: pytest.Pytester,
) -> None:
    plugin_pytester.makepyfile(test_portal=PASSING_AND_FAILING)
    result = run(plugin_pytester, "-q")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*waited 1 s for an event flow.state state=connected; the last events were:*",
            "*mobile_plans: last events*",
            "*bridge.call*notifyCancelledPurchase*",
            "*mobile_plans: contract violations*",
            "*error: *",
        ]
    )
    # the failure is the simulator's story, not a Qt or plugin stack
    assert "simulator/pytest_plugin/driver.py" not in out
    assert "QtCore" not in out
