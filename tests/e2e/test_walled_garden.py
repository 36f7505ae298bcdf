"""End to end: the walled garden on the portal's web view. Loopback servers only: the portal at
portal.mobileplans.test, the same folder at other.mobileplans.test (a host outside the garden).

Public pages "Mobile Plans walled garden" (the portal and the GetBalance endpoint must be in the
garden; host names only) and "Mobile Plans integration" (with no balance the user reaches only
the garden's sites).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from conftest import OTHER_HOST
from e2e_helpers import Harness

from simulator.portal.walled_garden import DOCS_ANCHOR, GardenMode
from simulator.pytest_plugin import MobilePlans

OWN = "/index.html"
OUTSIDE = f"https://{OTHER_HOST}/index.html"


def _fetch(harness: Harness, url: str) -> str:
    """'ok' or the error the page's fetch() got (the request made from the portal itself)."""
    harness.js(
        f"(window.__fetched = null, fetch({url!r}, {{mode: 'no-cors', cache: 'no-store'}})"
        ".then(() => window.__fetched = 'ok', e => window.__fetched = String(e)), 0)"
    )
    harness.qtbot.waitUntil(lambda: harness.js("window.__fetched") is not None, timeout=10000)
    return str(harness.js("window.__fetched"))


def _register_a_line(harness: Harness) -> None:
    simulator = harness.simulator
    simulator.network.register("8999001000000000018")
    simulator.clock.advance(60)
    harness.wait_for("network.registration", state="home")


def test_enforced_only_the_gardens_hosts_until_a_line_is_registered(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(walled_garden=GardenMode.ENFORCE, time_scale=0)
    harness.launch_and_wait()  # the portal itself is in the garden
    closed = harness.wait_for("walled_garden.state", state="closed")
    assert "portal.mobileplans.test" in closed.fields["hosts"]
    assert "login.live.com" in closed.fields["hosts"]

    assert _fetch(harness, OWN) == "ok"
    assert _fetch(harness, OUTSIDE).startswith("TypeError")  # blocked: a network error
    blocked = harness.wait_for("network.blocked", host=OTHER_HOST)
    assert blocked.fields["url"] == OUTSIDE
    assert blocked.fields["resource"] == "xhr"
    violation = harness.wait_for("contract.violation", rule="walled-garden.host-not-allowed")
    assert violation.fields["severity"] == "error"
    assert violation.fields["spec"] == DOCS_ANCHOR
    assert OTHER_HOST in violation.fields["message"]
    assert not [e for e in harness.events("network.blocked") if e.fields["host"] != OTHER_HOST]

    # the same host again: blocked again, reported once per launch
    assert _fetch(harness, OUTSIDE).startswith("TypeError")
    assert len(harness.events("contract.violation")) == 1
    assert len(harness.events("network.blocked")) == 2

    group = harness.simulator.operator_experience.garden  # the MO service panel shows it
    assert group.outside.text() == f"{OTHER_HOST} (blocked)"
    assert group.state.text().startswith("closed: ")

    # a plan bought and the line registered: the garden opens
    _register_a_line(harness)
    harness.wait_for("walled_garden.state", state="open")
    assert _fetch(harness, OUTSIDE) == "ok"
    assert len(harness.events("network.blocked")) == 2


def test_report_mode_lets_requests_through_and_says_which(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()  # the default
    assert harness.simulator.walled_garden.mode is GardenMode.REPORT
    harness.launch_and_wait()
    assert _fetch(harness, OUTSIDE) == "ok"
    outside = harness.wait_for("network.outside-garden", host=OTHER_HOST)
    assert outside.fields["mode"] == "report"
    violation = harness.wait_for("contract.violation", rule="walled-garden.host-not-allowed")
    assert violation.fields["severity"] == "warning"
    assert not harness.events("network.blocked")


def test_off_says_nothing(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(walled_garden=GardenMode.OFF)
    harness.launch_and_wait()
    assert _fetch(harness, OUTSIDE) == "ok"
    assert not harness.events("network.outside-garden")
    assert not harness.events("contract.violation")


def test_the_operator_can_add_hosts_and_switch_modes(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(walled_garden=GardenMode.ENFORCE)
    simulator = harness.simulator
    simulator.operator_api.config = replace(
        simulator.operator_api.config, walled_garden_hosts=(OTHER_HOST,)
    )
    harness.launch_and_wait()
    assert _fetch(harness, OUTSIDE) == "ok"
    simulator.operator_api.config = replace(simulator.operator_api.config, walled_garden_hosts=())
    harness.launch_and_wait()
    assert _fetch(harness, OUTSIDE).startswith("TypeError")
    simulator.operator_experience.garden.mode.setCurrentText("off")  # the panel's switch
    harness.wait_for("walled_garden.state", state="off")
    assert _fetch(harness, OUTSIDE) == "ok"


@pytest.mark.mobile_plans(walled_garden="enforce")
def test_the_bundled_portal_sells_a_plan_from_inside_the_garden(mobile_plans: MobilePlans) -> None:
    """The sample operator keeps every asset and its backend on its portal's host, so a user
    with no plan and no Wi-Fi can buy; once the line registers the garden opens."""
    mobile_plans.buy("contoso-5gb")
    mobile_plans.wait_for("euicc.profile", state="enabled", timeout=60)
    mobile_plans.clock.advance(minutes=1)
    mobile_plans.wait_for("network.registration", state="home")
    opened = mobile_plans.wait_for("walled_garden.state", state="open")
    assert mobile_plans.walled_garden.mode is GardenMode.ENFORCE
    assert mobile_plans.events_of("walled_garden.state", state="closed")[0].seq < opened.seq
    assert not mobile_plans.events_of("network.blocked")
    mobile_plans.assert_no_violations()
