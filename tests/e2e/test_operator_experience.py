"""End to end: the operator's APIs as the user meets them — the network flyout (GetBalance), the
SMS-triggered notification (GetNotifications) whose accept opens the Gateway page chosen by
GetOffers, whose Continue opens the portal; and the app-triggered promotion after setup.

Public pages: "Mobile Operator account management in Windows 10", "Mobile Plans gateway page",
"Mobile Plans notifications".
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e_helpers import Harness

from simulator.operator_api.config import BalanceType, NotificationType
from simulator.operator_api.sample_operator import SampleBalance

MD = "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB', userAccount: 'New'}"


@pytest.fixture
def stepped(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness(time_scale=0)


def _connected_profile(stepped: Harness) -> str:
    sim = stepped.simulator
    order = sim.esim.create_order(plan_name="Contoso 5 GB")
    stepped.launch_and_wait()
    code = order.activation_code
    stepped.js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{code}')")
    stepped.wait_for("flow.state", state="registering", timeout=30000)
    sim.clock.advance(60)
    stepped.wait_for("flow.state", state="connected", timeout=10000)
    return order.iccid


def test_sms_toast_gateway_continue_portal(stepped: Harness) -> None:
    sim = stepped.simulator
    iccid = _connected_profile(stepped)
    ui = sim.operator_experience
    sample = sim.operator_api.sample
    assert sample is not None
    sample.offers[iccid] = "returning"  # this subscriber is a returning customer

    # the flyout: MODIRECTPAYG shows "View my account" and the balance
    sample.balances[iccid] = SampleBalance(BalanceType.MODIRECTPAYG, 512.0, "P2DT3H")
    ui.service.open_flyout()
    shown = stepped.wait_for("flyout.shown")
    assert shown.fields["entries"] == ["View my account"]
    assert ui.panel.balance.text() == "512 MB · 2 days 3 hours left"

    # the operator's SMS -> GetNotifications -> the toast of that template
    before = len(sim.events)
    assert ui.service.receive_sms(NotificationType.LOW_BALANCE)
    toast = stepped.wait_for("ui.toast", after=before)
    # the buttons of the SMS sample's screenshot ("Mobile Plans notifications")
    assert toast.fields["actions"] == ["Get more data", "Not now"]
    request = stepped.wait_for("operator_api.request", after=before, api="GetNotifications")
    assert "notificationType=lowBalance" in request.fields["url"]

    # accept (the real toast button) -> GetOffers -> the enhanced Gateway page "returning"
    button = sim.window.toasts.button(str(toast.fields["toast"]), "Get more data")
    assert button is not None
    button.click()
    gateway = stepped.wait_for("gateway.shown", after=before)
    assert gateway.fields["template"] == "returning"
    assert sim.window.stack.currentWidget() is ui.page
    assert ui.page.button.text() == "Add data"

    # Continue launches the portal
    launched = len(sim.events)
    ui.page.button.click()  # the window is not shown in tests: click() emits clicked
    stepped.wait_for("portal.launch", after=launched)
    stepped.wait_for("portal.loaded", after=launched)
    assert sim.window.stack.currentWidget() is sim.window.portal_area
    assert not [e for e in sim.events if e.kind == "contract.violation" and "api" in e.fields]


def test_promotion_after_setup_on_a_pc_without_a_profile(stepped: Harness) -> None:
    sim = stepped.simulator
    ui = sim.operator_experience
    assert ui.service.setup_completed()
    toast = stepped.wait_for("ui.toast")
    assert toast.fields["text"].startswith("Activate your free trial")
    ui.service.toast_answered(str(toast.fields["toast"]), "Get connected")
    # no active profile: no GetOffers, template "0" (the docs' example template)
    gateway = stepped.wait_for("gateway.shown")
    assert gateway.fields["template"] == "0"
    assert not stepped.events("operator_api.request")
    assert ui.page.body.text() == "Stay connected from virtually anywhere."
    # its picture, fetched from the sample operator over loopback HTTPS and drawn
    image = stepped.wait_for("gateway.image")
    assert image.fields["loaded"] is True
    assert image.fields["size"] == [740, 480]
    view = ui.page.image_view
    assert view is not None
    assert view.state == "loaded"
    assert not view.label.pixmap().isNull()


def test_provider_page_continue_goes_through_the_gateway_page(stepped: Harness) -> None:
    """ "Mobile Plans gateway page": the Gateway page is shown before the portal."""
    from PySide6.QtWidgets import QPushButton

    sim = stepped.simulator
    window = sim.window
    proceed = window.provider_page.findChild(QPushButton, "button-continue")
    assert proceed is not None
    proceed.click()
    stepped.wait_for("gateway.shown")
    assert window.stack.currentWidget() is sim.operator_experience.page
    assert not stepped.events("portal.launch")  # not yet: the Gateway page comes first
    sim.operator_experience.page.button.click()
    stepped.wait_for("portal.loaded")


def test_ranges_set_in_the_panel_filter_the_next_launch(stepped: Harness) -> None:
    sim = stepped.simulator
    iccid = _connected_profile(stepped)
    assert stepped.events("portal.launch")[-1].fields["params"].get("iccids") is None  # before
    stepped.launch_and_wait()
    assert stepped.events("portal.launch")[-1].fields["params"]["iccids"] == iccid
    panel = sim.operator_experience.panel
    panel.ranges.setText("894411")
    panel.ranges.editingFinished.emit()
    stepped.launch_and_wait()
    assert "iccids" not in stepped.events("portal.launch")[-1].fields["params"]
    # the service no longer counts the profile as the operator's: no GetBalance for it
    sim.operator_experience.service.open_flyout()
    assert stepped.wait_for("flyout.shown").fields["entries"] == ["Connect with a data plan"]
    assert not stepped.events("operator_api.request")
