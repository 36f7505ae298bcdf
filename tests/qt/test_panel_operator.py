"""The Operator panel creates SM-DP+ orders and edits their behaviour through the world."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from esim_world_helpers import download_outcome
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from esim.smdp import OrderBehaviour, Step
from esim.smdp.orders import OrderState
from simulator.esim_world import EsimWorld
from simulator.portal.sample_backend.next_order import NextOrderPlan, NextOrderSlot
from simulator.ui.panels.operator import OperatorPanel, default_plan_name, describe_behaviour

EID = "89033023422130000000000199055797"


@pytest.fixture
def panel(qtbot: QtBot, world: EsimWorld) -> OperatorPanel:
    widget = OperatorPanel(world)
    qtbot.addWidget(widget)
    return widget


def cell(panel: OperatorPanel, row: int, column: int) -> str:
    item = panel.table.item(row, column)
    return "" if item is None else item.text()


def test_describe_behaviour() -> None:
    assert describe_behaviour(OrderBehaviour(), 0.0) == "normal"
    behaviour = OrderBehaviour(
        release_at=600.0,
        expired=True,
        confirmation_code_attempts=5,
        fail_at=Step.AUTHENTICATE_CLIENT,
        latency_seconds=2.5,
    )
    assert describe_behaviour(behaviour, 30.0) == (
        "released in 10 min, expired, 5 CC attempts, fails at authenticateClient, +2.5 s latency"
    )
    assert describe_behaviour(behaviour, 600.0).startswith("expired")


def test_new_order_form(world: EsimWorld, panel: OperatorPanel) -> None:
    assert panel.table.rowCount() == 0
    assert not panel.behaviour.isEnabled()
    panel.plan_name.setText("Travel 1 GB")
    panel.bind_eid.setChecked(True)
    panel.confirmation_code.setText(" 1234 ")
    panel.create_button.click()

    (order,) = world.orders.orders()
    assert order.spec.profile_name == "Travel 1 GB"
    assert order.eid == EID
    assert order.confirmation_code_required
    assert order.activation_code.endswith("$$1")
    assert panel.table.rowCount() == 1
    assert cell(panel, 0, 0) == order.matching_id
    assert cell(panel, 0, 1) == "released"
    assert cell(panel, 0, 5) == "yes"
    assert cell(panel, 0, 6) == "required"
    assert cell(panel, 0, 2) == order.activation_code
    assert panel.selected_order() == order
    assert panel.behaviour.isEnabled()
    assert order.matching_id in panel.status.text()


def test_plain_order_and_its_download(qtbot: QtBot, world: EsimWorld, panel: OperatorPanel) -> None:
    panel.create_button.click()
    (order,) = world.orders.orders()
    assert order.eid is None
    assert not order.confirmation_code_required
    download_outcome(qtbot, world, order.activation_code)
    panel.refresh()  # the app does this on smdp.order events
    assert cell(panel, 0, 1) == "installed"
    assert panel.selected_order() is not None


def test_behaviour_editor_writes_the_order(world: EsimWorld, panel: OperatorPanel) -> None:
    world.clock.advance(100)
    order = world.create_order()
    panel.refresh()
    panel.table.selectRow(0)
    assert panel.release_minutes.value() == 0
    assert panel.attempts.value() == 3
    assert panel.fail_at.currentText() == "none"

    panel.release_minutes.setValue(10)
    panel.expired.setChecked(True)
    panel.attempts.setValue(5)
    panel.fail_at.setCurrentIndex(panel.fail_at.findData("getBoundProfilePackage"))
    panel.latency.setValue(2.5)
    panel.apply.click()

    stored = world.orders.get(order.matching_id)
    assert stored is not None
    assert stored.behaviour == OrderBehaviour(
        release_at=700.0,
        expired=True,
        confirmation_code_attempts=5,
        fail_at=Step.GET_BOUND_PROFILE_PACKAGE,
        latency_seconds=2.5,
    )
    assert cell(panel, 0, 3).startswith("released in 10 min, expired")

    world.clock.advance(5 * 60)
    panel.table.clearSelection()
    panel.table.selectRow(0)
    assert panel.release_minutes.value() == 5  # what is left of the wait

    panel.release_minutes.setValue(0)
    panel.expired.setChecked(False)
    panel.fail_at.setCurrentIndex(0)
    panel.apply.click()
    stored = world.orders.get(order.matching_id)
    assert stored is not None
    assert stored.behaviour.release_at is None
    assert stored.behaviour.fail_at is None
    assert not stored.behaviour.expired


def test_copy_activation_code(world: EsimWorld, panel: OperatorPanel) -> None:
    assert not panel.copy.isEnabled()
    order = world.create_order()
    panel.refresh()
    panel.table.selectRow(0)
    panel.copy.click()
    assert QGuiApplication.clipboard().text() == order.activation_code
    assert order.activation_code in panel.status.text()


def test_refresh_keeps_the_selection(world: EsimWorld, panel: OperatorPanel) -> None:
    first = world.create_order(plan_name="A")
    panel.refresh()
    panel.table.selectRow(0)
    world.create_order(plan_name="B")
    panel.refresh()
    assert panel.table.rowCount() == 2
    selected = panel.selected_order()
    assert selected is not None
    assert selected.matching_id == first.matching_id


def test_release_again_and_reset_a_failed_order(world: EsimWorld, panel: OperatorPanel) -> None:
    order = world.create_order(behaviour=OrderBehaviour(expired=True, latency_seconds=1.0))
    failed = world.orders.transition(order, {OrderState.RELEASED}, OrderState.FAILED, "failed")
    assert failed is not None
    panel.refresh()
    assert not panel.release_again.isEnabled()
    panel.table.selectRow(0)
    assert cell(panel, 0, 1) == "failed"
    panel.release_again.click()
    again = world.orders.get(order.matching_id)
    assert again is not None
    assert again.state is OrderState.RELEASED
    assert not again.behaviour.expired  # downloadable again...
    assert again.behaviour.latency_seconds == 1.0  # ...with the rest of its behaviour
    assert "released again" in panel.status.text()
    assert cell(panel, 0, 1) == "released"

    panel.reset.click()
    reset = world.orders.get(order.matching_id)
    assert reset is not None
    assert reset.behaviour == OrderBehaviour()
    assert "reset and released" in panel.status.text()


def test_a_downloading_order_is_not_released_again(world: EsimWorld, panel: OperatorPanel) -> None:
    order = world.create_order()
    world.orders.transition(order, {OrderState.RELEASED}, OrderState.DOWNLOADING, "claimed")
    panel.refresh()
    panel.table.selectRow(0)
    panel.release_again.click()
    assert "being downloaded now" in panel.status.text()
    stored = world.orders.get(order.matching_id)
    assert stored is not None
    assert stored.state is OrderState.DOWNLOADING


def test_next_order_form_arms_the_slot(qtbot: QtBot, world: EsimWorld) -> None:
    slot = NextOrderSlot()
    panel = OperatorPanel(world, slot)
    qtbot.addWidget(panel)
    assert panel.next_group.isEnabled()
    assert panel.next_summary.text() == "The next order is a plain one."
    panel.next_eid_mismatch.setChecked(True)
    panel.next_confirmation_code.setText(" 1234 ")
    panel.next_form.release_minutes.setValue(15)
    panel.next_form.fail_at.setCurrentIndex(panel.next_form.fail_at.findData("authenticateClient"))
    panel.next_form.latency.setValue(3.0)
    panel.next_arm.click()
    plan = slot.peek()
    assert plan == NextOrderPlan(
        behaviour=OrderBehaviour(fail_at=Step.AUTHENTICATE_CLIENT, latency_seconds=3.0),
        release_after_minutes=15,
        eid_mismatch=True,
        confirmation_code="1234",
    )
    assert "EID mismatch" in panel.next_summary.text()
    assert "fails at authenticateClient" in panel.next_summary.text()
    # The backend takes it with the next order; the panel shows that on its next refresh.
    slot.take()
    panel.refresh()
    assert panel.next_summary.text() == "The next order is a plain one."
    panel.next_arm.click()
    panel.next_clear.click()
    assert slot.peek() is None


def test_without_the_bundled_portal_the_next_order_form_is_off(panel: OperatorPanel) -> None:
    assert not panel.next_group.isEnabled()
    assert "bundled sample portal" in panel.next_summary.text()


def test_the_default_plan_is_named_after_the_operator() -> None:
    assert default_plan_name("Contoso Mobile") == "Contoso 5 GB"
    assert default_plan_name("Fabrikam") == "Fabrikam 5 GB"


def test_a_real_profile_package_is_served_and_installed(
    qtbot: QtBot,
    world: EsimWorld,
    panel: OperatorPanel,
    ts48_package: Callable[[str], Path],
) -> None:
    panel.create_from_package(ts48_package("TS48V2-SAIP2-1-BERTLV-UNIQUE.der"))
    (order,) = world.orders.orders()
    assert order.iccid in panel.status.text()
    assert order.iccid.startswith("89")
    assert download_outcome(qtbot, world, order.activation_code).iccid == order.iccid
    assert [p.iccid for p in world.profiles()] == [order.iccid]


def test_a_file_that_is_not_a_package_is_refused_in_the_panel(
    tmp_path: Path, world: EsimWorld, panel: OperatorPanel
) -> None:
    junk = tmp_path / "junk.der"
    junk.write_bytes(b"\x30\x03\x02\x01\x00")
    panel.create_from_package(junk)
    assert panel.status.text().startswith("Order refused:")
    assert world.orders.orders() == []


def test_corrupt_package_makes_the_card_refuse_the_profile(
    qtbot: QtBot, world: EsimWorld, panel: OperatorPanel
) -> None:
    order = world.create_order()
    panel.refresh()
    panel.table.selectRow(0)
    assert not panel.behaviour_form.corrupt_package.isChecked()
    panel.behaviour_form.corrupt_package.setChecked(True)
    panel.apply.click()
    stored = world.orders.get(order.matching_id)
    assert stored is not None
    assert stored.behaviour == OrderBehaviour(corrupt_package=True)
    assert cell(panel, 0, 3) == "corrupt package"
    outcome = download_outcome(qtbot, world, order.activation_code)
    assert not outcome.ok
    assert outcome.rule == "es10.LoadBoundProfilePackage.installFailedDueToPEProcessingError"
    assert world.profiles() == []


def test_next_order_form_arms_a_corrupt_package(qtbot: QtBot, world: EsimWorld) -> None:
    slot = NextOrderSlot()
    panel = OperatorPanel(world, slot)
    qtbot.addWidget(panel)
    panel.next_form.corrupt_package.setChecked(True)
    panel.next_arm.click()
    assert slot.peek() == NextOrderPlan(behaviour=OrderBehaviour(corrupt_package=True))
    assert "corrupt package" in panel.next_summary.text()
