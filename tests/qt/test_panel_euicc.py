"""The eUICC panel lists the card's profiles and asks the world to change them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from esim_world_helpers import download_outcome
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from simulator.clock import VirtualClock
from simulator.device import SimulatedDevice
from simulator.esim_world import EsimWorld
from simulator.network import NetworkPlan, Registration, SimulatedNetwork
from simulator.ui.panels.euicc import EuiccPanel

EID = "89033023422130000000000199055797"


@pytest.fixture
def network(world: EsimWorld, clock: VirtualClock) -> SimulatedNetwork:
    return SimulatedNetwork(clock, world.events)


@pytest.fixture
def panel(qtbot: QtBot, world: EsimWorld, network: SimulatedNetwork) -> EuiccPanel:
    widget = EuiccPanel(world, network, SimulatedDevice())
    qtbot.addWidget(widget)
    return widget


def download(qtbot: QtBot, world: EsimWorld, plan_name: str = "Contoso 5 GB") -> str:
    order = world.create_order(plan_name=plan_name)
    outcome = download_outcome(qtbot, world, order.activation_code)
    assert outcome.ok, outcome
    return order.iccid


def cell(panel: EuiccPanel, row: int, column: int) -> str:
    item = panel.table.item(row, column)
    return "" if item is None else item.text()


def test_header_and_an_empty_card(panel: EuiccPanel) -> None:
    assert panel.eid.text() == EID
    assert panel.imei.text() == "001102000315468"
    assert panel.table.rowCount() == 0
    assert not panel.empty.isHidden()
    assert not any(button.isEnabled() for button in panel.buttons.values())


def test_enable_then_disable(
    qtbot: QtBot, world: EsimWorld, panel: EuiccPanel, network: SimulatedNetwork
) -> None:
    iccid = download(qtbot, world)
    panel.refresh()
    assert panel.empty.isHidden()
    assert [cell(panel, 0, c) for c in range(6)] == [
        iccid,
        "disabled",
        "",
        "Contoso Mobile",
        "Contoso 5 GB",
        "operational",
    ]
    panel.table.selectRow(0)
    assert panel.buttons["enable"].isEnabled()
    assert not panel.buttons["disable"].isEnabled()

    panel.buttons["enable"].click()
    assert not panel.buttons["enable"].isEnabled()  # while the card works
    qtbot.waitUntil(lambda: cell(panel, 0, 1) == "enabled", timeout=10000)
    assert panel.status.text() == f"Enabling {iccid}: done."
    assert panel.selected_iccid() == iccid
    assert panel.buttons["disable"].isEnabled()
    # the modem follows the card: a profile enabled by hand registers (an operator's SMS
    # can reach it), and leaves the network when disabled
    assert network.state(iccid) is Registration.SEARCHING

    panel.buttons["disable"].click()
    qtbot.waitUntil(lambda: cell(panel, 0, 1) == "disabled", timeout=10000)
    assert world.profiles()[0].state == "disabled"
    assert network.state(iccid) is Registration.DEREGISTERED


def test_card_busy_refuses_enable(qtbot: QtBot, world: EsimWorld, panel: EuiccPanel) -> None:
    download(qtbot, world)
    panel.refresh()
    panel.card_busy.click()
    assert world.card_busy
    panel.table.selectRow(0)
    panel.buttons["enable"].click()
    qtbot.waitUntil(lambda: "failed: cardBusy" in panel.status.text(), timeout=10000)
    assert cell(panel, 0, 1) == "disabled"
    panel.card_busy.click()
    assert not world.card_busy


def test_rename_through_a_non_modal_dialog(
    qtbot: QtBot, world: EsimWorld, panel: EuiccPanel
) -> None:
    iccid = download(qtbot, world)
    panel.refresh()
    panel.table.selectRow(0)
    panel.buttons["rename"].click()
    dialog = panel.findChild(QInputDialog, "euicc-rename-dialog")
    assert dialog is not None
    assert dialog.isVisible()
    dialog.setTextValue("  Travel ")
    dialog.accept()
    assert world.profiles()[0].nickname == "Travel"
    assert cell(panel, 0, 2) == "Travel"
    assert panel.status.text() == f"Renamed {iccid}."


def test_delete_asks_first(qtbot: QtBot, world: EsimWorld, panel: EuiccPanel) -> None:
    download(qtbot, world)
    panel.refresh()
    panel.table.selectRow(0)

    panel.buttons["delete"].click()
    box = panel.findChild(QMessageBox, "euicc-delete-dialog")
    assert box is not None
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert cancel is not None
    cancel.click()
    qtbot.wait(50)
    assert len(world.profiles()) == 1

    panel.buttons["delete"].click()
    boxes = [b for b in panel.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    yes = boxes[0].button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    yes.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=10000)
    assert world.profiles() == []
    assert not panel.empty.isHidden()


def test_network_plan_per_iccid(
    qtbot: QtBot, world: EsimWorld, network: SimulatedNetwork, panel: EuiccPanel
) -> None:
    first = download(qtbot, world, "Contoso 5 GB")
    second = download(qtbot, world, "Contoso Unlimited")
    panel.refresh()
    assert panel.table.rowCount() == 2
    outcome = panel.findChild(QComboBox, f"euicc-outcome-{second}")
    searching = panel.findChild(QDoubleSpinBox, f"euicc-searching-{second}")
    assert outcome is not None
    assert searching is not None
    assert outcome.currentText() == "home"
    outcome.setCurrentIndex(outcome.findData("denied"))
    searching.setValue(3.0)
    assert network.plan_for(second) == NetworkPlan(Registration.DENIED, 3.0)
    assert network.plan_for(first) == NetworkPlan()

    network.register(second)
    panel.refresh()
    assert cell(panel, 1, 6) == "searching"
    world.clock.advance(3)
    panel.refresh()
    assert cell(panel, 1, 6) == "denied"
    assert cell(panel, 0, 6) == "none"


def test_memory_and_capacity_follow_the_card(
    qtbot: QtBot, make_world: Callable[..., EsimWorld], clock: VirtualClock
) -> None:
    small = make_world("small", memory_limit_bytes=100 * 1024)
    panel = EuiccPanel(small, SimulatedNetwork(clock, small.events), SimulatedDevice())
    qtbot.addWidget(panel)
    assert panel.memory.text() == "100 KB free of 100 KB · room for 1 more profile of 60 KB"
    download(qtbot, small)
    panel.refresh()
    assert panel.memory.text().endswith("room for 0 more profiles of 60 KB")
    free_kb = int(panel.memory.text().split()[0])
    assert 0 < free_kb < 100 - 50
    # A second profile does not fit: the card refuses it, the app reports it.
    refused = download_outcome(qtbot, small, small.create_order().activation_code)
    assert not refused.ok
    assert refused.activation_error == "insufficientSpaceOnCard"


def test_the_default_card_has_a_real_cards_memory(panel: EuiccPanel) -> None:
    assert panel.memory.text() == "278 KB free of 278 KB · room for 4 more profiles of 60 KB"
