"""Every flow end to end: portal page → bridge → contract → flows → LPA → eUICC → SM-DP+."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from e2e_helpers import Harness

from esim.smdp import OrderBehaviour, Step

MD = "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB', userAccount: 'New'}"


@pytest.fixture
def stepped(make_harness: Callable[..., Harness]) -> Harness:
    """A simulator whose clock moves only when the test says so."""
    return make_harness(time_scale=0)


def _download(harness: Harness, code: str, extra: str = "") -> object:
    return harness.js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{code}'{extra})")


def _received(harness: Harness) -> list[tuple[str, dict[str, str]]]:
    return [(kind, json.loads(arg)) for kind, arg in harness.js("window.received")]


def _wait_received(harness: Harness, count: int) -> list[tuple[str, dict[str, str]]]:
    harness.qtbot.waitUntil(lambda: len(harness.js("window.received")) >= count, timeout=20000)
    return _received(harness)


def test_inline_download_calls_the_portal_back_and_registers(stepped: Harness) -> None:
    sim = stepped.simulator
    order = sim.esim.create_order(plan_name="Contoso 5 GB")
    stepped.launch_and_wait()
    op = stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{order.activation_code}')"
    )
    assert set(op) == {"Id"}
    stepped.wait_for("flow.state", state="registering", timeout=30000)
    # the progress popup was shown over the portal, which stayed loaded
    popup = [e for e in stepped.events("ui.screen") if e.fields["screen"] == "progress-popup"]
    # one `ui.screen` for the popup; its "(xKB of yKB)" follows the `lpa.progress` events
    assert len(popup) == 1
    assert popup[0].fields["text"] == "Installing eSIM profile"
    progress = [e.fields["text"] for e in stepped.events("lpa.progress")]
    assert any(text.endswith("KB of 61KB)") for text in progress)
    assert sim.window.progress_popup.text.text() == progress[-1]
    assert [k for k, _ in _wait_received(stepped, 2)] == ["activation", "registration"]
    sim.clock.advance(60)
    received = _wait_received(stepped, 3)
    assert received[0] == ("activation", {"activationResult": "success", "iccid": order.iccid})
    assert received[1][1] == {"networkRegistrationState": "searching", "iccid": order.iccid}
    assert received[2][1] == {"networkRegistrationState": "home", "iccid": order.iccid}
    assert [p.state for p in sim.esim.profiles()] == ["enabled"]
    assert stepped.events("flow.state")[-1].fields["state"] == "connected"
    # the operator platform now knows the line, with the plan the portal sold
    line = stepped.wait_for("carrier.line", iccid=order.iccid, change="created")
    assert line.fields["plan"] == "Contoso 5 GB"
    # the next launch lists the new profile
    stepped.launch_and_wait()
    assert stepped.events("portal.launch")[-1].fields["params"]["iccids"] == order.iccid


def test_failed_download_answers_the_portal_shows_the_error_and_reports_on_relaunch(
    stepped: Harness,
) -> None:
    sim = stepped.simulator
    stepped.launch_and_wait()
    stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '1$smdp.mobileplans.test$NOSUCH')"
    )
    received = _wait_received(stepped, 1)
    assert received == [("activation", {"activationResult": "invalidMatchingId", "iccid": ""})]
    screen = stepped.wait_for("ui.screen", screen="error")
    assert "INVALID_MATCHING_ID" in screen.fields["text"]
    assert sim.window.stack.currentWidget() is sim.window.error_page
    # Try again uses the same activation code, and fails the same way.
    before = len(sim.events)
    sim.window.errorAnswered.emit(True)
    stepped.wait_for("flow.state", state="failed", after=before, timeout=20000)
    sim.window.errorAnswered.emit(False)
    stepped.wait_for("ui.screen", screen="portal", after=before)
    stepped.launch_and_wait()
    headers = stepped.events("portal.launch")[-1].fields["headers"]
    assert headers["X-MP-LPAError-Codes"] == "InvalidMatchingId,InvalidMatchingId"
    assert len(headers["X-MP-LPAError-TimeStamps"].split(",")) == 2
    # reported once, then forgotten
    stepped.launch_and_wait()
    assert "X-MP-LPAError-Codes" not in stepped.events("portal.launch")[-1].fields["headers"]


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (OrderBehaviour(release_at=10**9), "profileNotReleasedByOperator"),
        (OrderBehaviour(expired=True), "profileNotAvailableForNewBinding"),
        (OrderBehaviour(fail_at=Step.AUTHENTICATE_CLIENT), "serverFailure"),
        (OrderBehaviour(fail_at=Step.GET_BOUND_PROFILE_PACKAGE), "serverFailure"),
    ],
)
def test_each_order_behaviour_reaches_the_portal_as_its_activation_error(
    stepped: Harness, behaviour: OrderBehaviour, expected: str
) -> None:
    order = stepped.simulator.esim.create_order(behaviour=behaviour)
    stepped.launch_and_wait()
    stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{order.activation_code}')"
    )
    assert _wait_received(stepped, 1)[0][1]["activationResult"] == expected
    stepped.wait_for("ui.screen", screen="error")


def test_eid_bound_to_another_device_is_an_eid_mismatch(stepped: Harness) -> None:
    order = stepped.simulator.esim.create_order(eid="89049032123451234512345678901235")
    stepped.launch_and_wait()
    stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{order.activation_code}')"
    )
    assert _wait_received(stepped, 1)[0][1]["activationResult"] == "eidMismatch"


def test_a_profile_bigger_than_the_free_space_is_insufficient_space(stepped: Harness) -> None:
    order = stepped.simulator.esim.create_order(size_bytes=1024 * 1024)
    stepped.launch_and_wait()
    _download(stepped, order.activation_code)
    assert _wait_received(stepped, 1)[0][1]["activationResult"] == "insufficientSpaceOnCard"
    screen = stepped.wait_for("ui.screen", screen="error")
    assert "space" in screen.fields["text"]


def test_an_order_needing_a_confirmation_code_is_confirmation_code_missing(
    stepped: Harness,
) -> None:
    # Mobile Plans never asks for a code (web portal doc): the contract says so, and the
    # LPA then stops with confirmationCodeMissing.
    order = stepped.simulator.esim.create_order(confirmation_code="1234")
    stepped.launch_and_wait()
    _download(stepped, order.activation_code)
    assert _wait_received(stepped, 1)[0][1]["activationResult"] == "confirmationCodeMissing"
    violation = stepped.wait_for("contract.violation", rule="activationCode.confirmation-code")
    assert violation.fields["severity"] == "error"


def test_a_portal_that_fails_to_load_shows_no_services_with_the_cv(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_url="https://down.mobileplans.test/")
    sim = harness.simulator
    sim.launch()
    screen = harness.wait_for("ui.screen", screen="load-failed")
    assert sim.last_launch is not None
    assert screen.fields["text"].endswith(f"CV: {sim.last_launch.transaction_id}")
    assert sim.window.load_failed_page.cv.text() == f"CV: {sim.last_launch.transaction_id}"


def test_unreachable_sm_dp_plus_and_busy_card(stepped: Harness) -> None:
    stepped.launch_and_wait()
    stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '1$nowhere.mobileplans.test$X')"
    )
    assert _wait_received(stepped, 1)[0][1]["activationResult"] == "serverNotReachable"
    stepped.simulator.window.errorAnswered.emit(False)
    stepped.simulator.esim.set_card_busy(True)
    order = stepped.simulator.esim.create_order()
    stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{order.activation_code}')"
    )
    assert _wait_received(stepped, 2)[1][1]["activationResult"] == "cardBusy"


def test_delayed_download_toast_then_download_and_cancel_before_the_toast(
    stepped: Harness,
) -> None:
    sim = stepped.simulator
    first = sim.esim.create_order()
    second = sim.esim.create_order()
    stepped.launch_and_wait()
    cancelled = stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{first.activation_code}', 30)"
    )
    stepped.wait_for("flow.state", state="scheduled")
    stepped.js(f"MobilePlansInlineOperations.notifyOperationCancel({json.dumps(cancelled)})")
    stepped.wait_for("flow.state", state="cancelled", operation=cancelled["Id"])
    kept = stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{second.activation_code}', 30)"
    )
    stepped.wait_for("flow.state", state="scheduled", operation=kept["Id"])
    sim.clock.advance(29 * 60)
    assert not [e for e in stepped.events("ui.toast") if e.fields["actions"]]
    sim.clock.advance(60)
    toast = next(e for e in stepped.events("ui.toast") if e.fields["actions"])
    assert toast.fields["actions"] == ["Download", "Not now"]
    # cancelling after the toast is too late (§3.4)
    stepped.js(f"MobilePlansInlineOperations.notifyOperationCancel({json.dumps(kept)})")
    stepped.wait_for("flow.state", operation=kept["Id"], cancel="ignored")
    button = sim.window.toasts.button(str(toast.fields["toast"]), "Download")
    assert button is not None
    button.click()
    received = _wait_received(stepped, 1)
    assert received[0] == ("activation", {"activationResult": "success", "iccid": second.iccid})


def test_async_connectivity_registers_after_the_rounded_interval(stepped: Harness) -> None:
    sim = stepped.simulator
    order = sim.esim.create_order()
    stepped.launch_and_wait()
    stepped.js(f"MobilePlans.notifyPurchaseWithProfileDownload({MD}, '{order.activation_code}', 5)")
    stepped.wait_for("flow.state", state="registration-error-expected", timeout=30000)
    assert sim.network.state(order.iccid) == "denied"
    stepped.wait_for("ui.screen", screen="connecting")
    sim.clock.advance(14 * 60)
    assert sim.network.state(order.iccid) == "denied"
    sim.clock.advance(60)  # 5 minutes round up to 15 (§3.5)
    assert sim.network.state(order.iccid) == "searching"
    sim.clock.advance(60)
    assert sim.network.state(order.iccid) == "home"
    toast = stepped.events("ui.toast")[-1]
    assert "connected" in toast.fields["text"]
    # no script callbacks in this flow: control had returned to the app
    assert stepped.js("window.received") == []


def test_legacy_hand_off_with_an_activation_code_installs_and_connects(stepped: Harness) -> None:
    sim = stepped.simulator
    order = sim.esim.create_order()
    stepped.launch_and_wait()
    payload = {
        "ver": "1",
        "success": True,
        "transactionId": sim.last_launch.transaction_id if sim.last_launch else "",
        "activationCode": order.activation_code,
        "iccid": order.iccid,
        "purchaseResult": json.dumps(
            {
                "userAccount": "New",
                "purchaseInstrument": "New",
                "line": "New",
                "moDirectStatus": "Complete",
                "planName": "Contoso 5 GB",
            }
        ),
    }
    stepped.js(f"DataMart.notifyPurchaseResult({json.dumps(json.dumps(payload))})")
    stepped.wait_for("ui.screen", screen="installing")
    stepped.wait_for("ui.screen", screen="connecting", timeout=30000)
    sim.clock.advance(60)
    stepped.wait_for("flow.state", flow="legacy-handoff", state="connected")


def test_balance_addition_switches_to_the_iccid_then_shows_the_balance(stepped: Harness) -> None:
    sim = stepped.simulator
    order = sim.esim.create_order()
    stepped.launch_and_wait()
    stepped.js(f"MobilePlansInlineOperations.notifyBalanceAddition({MD}, '8988247000100003319')")
    assert _wait_received(stepped, 1)[0][1]["activationResult"] == "invalidIccid"
    stepped.js(
        f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{order.activation_code}')"
    )
    _wait_received(stepped, 3)
    done: list[bool] = []
    sim.esim.disable(order.iccid, lambda outcome: done.append(outcome.ok))
    stepped.qtbot.waitUntil(lambda: done == [True])
    stepped.js(f"MobilePlansInlineOperations.notifyBalanceAddition({MD}, '{order.iccid}')")
    stepped.wait_for("ui.screen", screen="balance", timeout=20000)
    assert sim.esim.enabled_iccid() == order.iccid
    sim.window.balanceClosed.emit()
    stepped.wait_for("ui.screen", screen="portal")


def test_a_promotion_dropped_by_the_platform_disappears_from_the_account_page(
    make_harness: Callable[..., Harness],
) -> None:
    """Issue 5: PromoChange at the end of the billing cycle, onto the line, onto the portal."""
    harness = make_harness(portal_dir=None, time_scale=0)  # the bundled portal and its backend
    sim = harness.simulator
    order = sim.esim.create_order(plan_name="Contoso 5 GB")
    harness.launch_and_wait()
    harness.js(
        "(function () {"
        f" MobilePlansInlineOperations.notifyProfileDownload({MD}, '{order.activation_code}');"
        " return 1; })()"
    )
    created = harness.wait_for("carrier.line", iccid=order.iccid, change="created", timeout=30000)
    assert created.fields["promotions"]
    lines = sim._carrier_line(order.iccid)
    assert lines is not None
    # The billing cycle ends on the virtual clock: the platform sends PromoChange to the
    # built-in listener, which removes the promotion from the line.
    while not [
        e
        for e in harness.events("carrier.line")
        if e.fields["iccid"] == order.iccid and not e.fields["promotions"]
    ]:
        if sim.clock.held:  # a callback is in flight: time moves once the portal has it
            harness.qtbot.waitUntil(lambda: not sim.clock.held, timeout=10000)
            continue
        assert sim.clock.advance_to_next() is not None
        harness.qtbot.wait(50)
    received = harness.wait_for("thingspace.received", timeout=20000)
    assert received.fields["applied"] is True
    harness.load(f"https://contoso.mobileplans.test/account.html?iccids={order.iccid}")
    harness.qtbot.waitUntil(
        lambda: order.iccid in (harness.js("document.getElementById('lines').innerText") or ""),
        timeout=10000,
    )
    text = harness.js("document.getElementById('lines').innerText")
    assert "WELCOME" not in text
    assert "none" in text
