"""The bundled portal as a presenter meets it: the Operator panel arms the next order's
misbehaviour, Cancel goes once the order is placed, the account page follows the virtual date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from e2e_helpers import Harness

from simulator.portal.sample_backend.next_order import OTHER_EID


def _until(harness: Harness, condition: str, timeout: int = 15000) -> None:
    harness.qtbot.waitUntil(lambda: bool(harness.js(condition)), timeout=timeout)


def _buy(harness: Harness, plan_id: str) -> None:
    _until(harness, f"document.getElementById('choose-{plan_id}') !== null")
    harness.js(f"document.getElementById('choose-{plan_id}').click()")
    _until(harness, "document.activeElement.id === 'account-title'")
    harness.js("document.getElementById('account-form').requestSubmit()")
    _until(harness, "document.activeElement.id === 'payment-title'")
    harness.js("document.getElementById('payment-form').requestSubmit()")
    _until(harness, "document.activeElement.id === 'confirm-title'")
    assert harness.js("document.getElementById('cancel').hidden") is False
    harness.js("document.getElementById('place-order').click()")


def test_next_order_eid_mismatch_then_cancel_hidden_and_the_virtual_date(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_dir=None, time_scale=0)  # the bundled portal and backend
    sim = harness.simulator
    panel = sim.operator_panel
    panel.next_eid_mismatch.setChecked(True)
    panel.next_arm.click()
    assert "EID mismatch" in panel.next_summary.text()
    harness.launch_and_wait()
    _buy(harness, "contoso-5gb")

    failed = harness.wait_for("lpa.error", timeout=30000)
    assert failed.fields["activation_error"] == "eidMismatch"
    harness.wait_for("ui.screen", screen="error")
    assert sim.window.stack.currentWidget() is sim.window.error_page
    assert "eid" in sim.window.error_detail.text().lower()
    (order,) = sim.esim.orders.orders()
    assert order.eid == OTHER_EID
    # The plan was used once; the panel says so after the order event.
    harness.qtbot.waitUntil(lambda: "plain one" in panel.next_summary.text())
    # The order is placed: Cancel would report a cancelled purchase after a completed one.
    assert harness.js("document.getElementById('cancel').hidden") is True


def test_cancel_goes_once_placed_and_the_account_page_follows_the_virtual_date(
    make_harness: Callable[..., Harness],
) -> None:
    # The run's calendar starts at noon: the hour skipped below never crosses a billing
    # cycle's end (midnight), whatever time of day the suite runs at.
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=None)
    harness = make_harness(portal_dir=None, time_scale=0, calendar_start=noon)
    sim = harness.simulator
    harness.launch_and_wait()
    _buy(harness, "contoso-5gb")
    harness.wait_for("carrier.line", change="created", timeout=30000)
    assert harness.js("document.getElementById('cancel').hidden") is True

    sim.clock.advance(3600)  # an hour of virtual time; the date moves with it
    # A hold (a callback on its way into the portal) keeps the step until it is released.
    harness.qtbot.waitUntil(lambda: sim.clock.now() >= 3600, timeout=30000)
    today = sim.calendar_today()
    start = sim.calendar_start
    assert today == (start + timedelta(seconds=sim.clock.now())).date()
    harness.js("location.href = document.getElementById('view-account').href")
    _until(harness, "(document.getElementById('as-of') || {}).textContent")
    assert harness.js("document.getElementById('as-of').textContent") == (
        f"Balances and promotions as of {today.isoformat()}."
    )
    lines = harness.js("document.getElementById('lines').textContent")
    (line,) = sim.platform.carrier.lines()
    (promotion,) = line.promotions
    assert promotion.ends_on.date() > start.date()  # the first billing-cycle end after today
    assert f"until {promotion.ends_on.date().isoformat()}" in lines
    assert "2017" not in lines
    # Same launch, another page: Cancel stays away.
    assert harness.js("document.getElementById('cancel').hidden") is True


MD = "{moDirectStatus: 'Complete', planName: 'Fabrikam 5 GB', userAccount: 'New'}"


def test_smdp_host_mapping_and_the_unknown_host_error(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(
        portal_dir=None,
        time_scale=0,
        operator_name="Fabrikam Wireless",
        smdp_hosts=("smdp.fabrikam.example",),
    )
    sim = harness.simulator
    assert sim.window.provider_page.operator.text() == "Fabrikam Wireless"
    assert "Fabrikam Wireless" in sim.window.windowTitle()
    harness.launch_and_wait()
    # An activation code naming a host nobody mapped: refused at once, saying how to map it.
    harness.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '1$smdp.other.example$ABC-1')"
    )
    failed = harness.wait_for("lpa.error", timeout=20000)
    assert failed.fields["activation_error"] == "serverNotReachable"
    harness.wait_for("ui.screen", screen="error")
    detail = sim.window.error_detail.text()
    assert "smdp.other.example" in detail
    assert "--smdp-host smdp.other.example" in detail
    sim.window.errorAnswered.emit(False)

    # The mapped host's code downloads from the simulator's SM-DP+.
    order = sim.esim.create_order(plan_name="Fabrikam 5 GB")
    code = f"1$smdp.fabrikam.example${order.matching_id}"
    harness.js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{code}')")
    harness.wait_for("euicc.profile", iccid=order.iccid, state="enabled", timeout=30000)
    (profile,) = sim.esim.profiles()
    assert profile.iccid == order.iccid
    assert profile.service_provider == "Fabrikam Wireless"
