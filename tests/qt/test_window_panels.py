"""The window's Timeline and Contract panels, and the app's pages other than the provider's,
are built after the portal's first load (or at first use); the panels show every event from
the start and take the place their placeholders held."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from simulator.bridge.page import PortalPage
from simulator.device import SimulatedDevice
from simulator.events import Event
from simulator.flows.screens import Screen
from simulator.runtime import Runtime
from simulator.ui.main_window import MainWindow
from simulator.ui.panels.contract import ContractPanel
from simulator.ui.panels.timeline import TimelinePanel
from simulator.ui.window_panels import PLACEHOLDER_SIZES, PanelPlaceholder

_seq = count(1)


def event(kind: str, **fields: Any) -> Event:
    return Event(next(_seq), 0.0, "", kind, fields)


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, runtime: Runtime) -> Iterator[MainWindow]:
    profile = QWebEngineProfile()
    page = PortalPage(profile, runtime.tls.leaf_der, profile)
    made = MainWindow(page, SimulatedDevice(), "Fabrikam Wireless", None)
    yield made
    made.close()
    made.deleteLater()
    page.deleteLater()
    profile.deleteLater()
    qtbot.wait(20)


def test_the_panels_wait_for_the_first_load_and_then_show_every_event(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert not window.panels.is_built
    assert isinstance(window.docks["timeline"].widget(), PanelPlaceholder)
    launch = event("portal.launch", url="https://portal.invalid/", params={})
    call = event("bridge.call", object="DataMart", method="notifyBalanceAddition", args=[])
    violation = event(
        "contract.violation",
        rule="call.unknown-method",
        severity="error",
        message="no such method",
        spec="",
        call_seq=call.seq,
    )
    for early in (launch, call, violation):
        window.observe(early)
    assert not window.panels.is_built  # observing alone builds nothing
    window.view.page().loadFinished.emit(True)
    qtbot.waitUntil(lambda: window.panels.is_built)
    assert window.docks["timeline"].widget() is window.timeline
    assert window.docks["contract"].widget() is window.contract
    late = event("ui.screen", screen="portal", text="")
    window.observe(late)
    window.timeline._append_pending()
    rows = window.timeline.model.rowCount()
    assert [window.timeline.model.event_at(row).seq for row in range(rows)] == [
        launch.seq,
        call.seq,
        violation.seq,
        late.seq,
    ]
    qtbot.waitUntil(lambda: window.contract.model.rowCount() > 0)
    assert window.contract.summary.text().startswith("1 error")


def test_using_a_panel_builds_it_at_once(window: MainWindow) -> None:
    assert isinstance(window.contract, ContractPanel)
    assert window.panels.is_built
    assert isinstance(window.timeline, TimelinePanel)


@pytest.mark.parametrize("name", ["timeline", "contract"])
def test_a_placeholder_holds_its_panels_sizes(qtbot: QtBot, name: str) -> None:
    panel = TimelinePanel() if name == "timeline" else ContractPanel()
    qtbot.addWidget(panel)
    minimum, preferred = PLACEHOLDER_SIZES[name]
    assert panel.minimumSizeHint() == minimum
    assert panel.sizeHint() == preferred


def test_a_run_imports_no_panel_nor_the_rule_book_before_the_load() -> None:
    # What `mobileplans-sim run` imports before it launches the portal.
    script = (
        "import sys, simulator.cli, simulator.preload, simulator.runner, simulator.app; "
        "print(sorted(m for m in sys.modules if m.startswith(('simulator.ui.panels.', "
        "'simulator.contract.rulebook', 'simulator.report', 'stdnum'))"
        " and m != 'simulator.ui.panels.device'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.strip() == "[]"


def test_the_app_pages_wait_for_first_use_or_the_first_load(window: MainWindow) -> None:
    assert window._app_pages is None
    provider = window.provider_page  # furnishes the window, which starts on the provider page
    assert window.stack.currentWidget() is provider
    window.observe(event("ui.screen", screen="portal", text=""))  # the launch: nothing built
    assert window._app_pages is None
    assert window.stack.currentWidget() is window.portal_area
    window.operator_name = "Northwind"  # as the catalog renames the operator before a flow
    window.observe(event("ui.screen", screen="error", text="The download failed."))
    assert window._app_pages is not None
    assert window.stack.currentWidget() is window.error_page
    assert window.error_page.operator.text() == "Northwind"
    window.observe(event("ui.screen", screen="gateway", text="hello"))  # no Gateway page here
    assert window.stack.currentWidget() is window.message_page
    assert window.message_page.body.text() == "hello"


def test_the_app_pages_are_built_after_the_first_load(qtbot: QtBot, window: MainWindow) -> None:
    window.view.page().loadFinished.emit(False)
    qtbot.waitUntil(lambda: window._app_pages is not None)
    assert window.pages[Screen.CONNECTING] is window.connecting_page
    assert window.stack.indexOf(window.balance_page) >= 0


def test_a_burst_of_calls_after_the_load_postpones_the_build(window: MainWindow) -> None:
    window._quiet.setInterval(60_000)  # the quiet moment never comes by itself in this test
    window.view.page().loadFinished.emit(True)
    assert window._quiet.isActive()
    window._quiet.stop()  # as if the moment had almost come, then the portal called again
    window.observe(event("bridge.call", object="MobilePlans", method="x", args=[]))
    assert not window._quiet.isActive()  # only a started wait is postponed
    window._quiet.start()
    window.observe(event("bridge.call", object="MobilePlans", method="x", args=[]))
    assert window._quiet.isActive()
    assert not window.panels.is_built
    assert window._app_pages is None
    window._quiet.timeout.emit()
    assert window.panels.is_built
    assert window._app_pages is not None


def test_the_panels_batch_every_event_as_their_own_add_would(
    qtbot: QtBot, window: MainWindow
) -> None:
    panels = window.panels.built()
    timeline, contract = panels.timeline, panels.contract
    timeline.pending.flush_now()
    contract.pending.flush_now()
    screen = event("ui.screen", screen="portal", text="")
    call = event("bridge.call", object="MobilePlans", method="createPurchaseMetaData", args=[])
    for observed in (screen, call):
        window.panels.observe(observed)
    # the Timeline takes every event, the Contract panel its kinds only; each batch's first
    # item started its timer, so both reach their panels without a flush by hand
    assert timeline.pending.items == [screen, call]
    assert contract.pending.items == [call]
    qtbot.waitUntil(lambda: not timeline.pending.items and not contract.pending.items)
    assert [e.seq for e in timeline.model.events()][-2:] == [screen.seq, call.seq]
