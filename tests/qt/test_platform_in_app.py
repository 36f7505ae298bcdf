"""The platform inside the app: PlatformPanel built from PlatformWorld.panel_args(), callbacks
crossing from the server loop to the GUI thread through the real MainThreadPoster."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from esim.identifiers import Iccid
from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import Event, EventLog
from simulator.network import Registration, SimulatedNetwork
from simulator.platform_world import PlatformWorld
from simulator.qt_clock import MainThreadPoster
from simulator.thingspace.carrier import AppliedChange
from simulator.thingspace.codec import CallbackMessage, ServiceName
from simulator.ui.panels.platform import PlatformPanel

ICCID = str(Iccid.with_check_digit("8999001000000000042"))
LINE_STATUS, LINE_PROMOTIONS = 5, 7  # columns of the panel's Lines table


@dataclass
class App:
    clock: VirtualClock
    events: EventLog
    network: SimulatedNetwork
    world: PlatformWorld
    panel: PlatformPanel
    emitted_on: set[str]


@pytest.fixture
def app(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[App]:
    loop = BackgroundLoop()
    clock = VirtualClock(0, real_now=lambda: 0.0)
    events = EventLog(clock)
    emitted_on: set[str] = set()
    events.subscribe(lambda event: emitted_on.add(threading.current_thread().name))
    poster = MainThreadPoster()
    network = SimulatedNetwork(clock, events)
    world = PlatformWorld(
        tmp_path / "thingspace",
        loop,
        clock,
        events,
        poster.post,
        network=network,
        plan_lookup=lambda operation: "Contoso 5 GB",
    )
    events.subscribe(world.observe)
    panel = PlatformPanel(**world.panel_args())
    qtbot.addWidget(panel)

    # As the composition root wires it: the panel observes, on the GUI thread.
    def to_panel(event: Event) -> None:
        if event.kind == "thingspace.received":
            panel.add_received(event)
        elif event.kind in ("thingspace.sent", "carrier.line"):
            panel.refresh()

    events.subscribe(to_panel)
    yield App(clock, events, network, world, panel, emitted_on)
    poll = panel.findChild(QTimer, "platform-poll")
    if poll is not None:
        poll.stop()  # the panel polls the stores the world closes
    world.close()
    loop.stop()


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


def test_panel_args_are_every_keyword_of_the_panel(app: App) -> None:
    parameters = inspect.signature(PlatformPanel).parameters
    assert set(app.world.panel_args()) == {name for name in parameters if name != "parent"}
    assert app.panel.url.text() == app.world.listener_url
    assert app.panel.username.text() == app.world.username


def test_composer_suspends_the_line_and_the_network_denies_it(qtbot: QtBot, app: App) -> None:
    main = threading.current_thread().name
    app.events.emit(
        "flow.state", flow="inline-download", operation="op-1", state="enabled", iccid=ICCID
    )
    app.network.register(ICCID)
    app.clock.advance(10)
    assert app.network.state(ICCID) is Registration.HOME
    assert app.panel.lines.rowCount() == 1
    assert cell(app.panel.lines, 0, LINE_STATUS) == "active"
    assert app.panel.registered.rowCount() == 4

    panel = app.panel
    panel.service.setCurrentIndex(
        panel.service.findData(ServiceName.DEVICE_SUSPENSION_STATUS.value)
    )
    panel.line.setCurrentIndex(panel.line.findData(ICCID))
    panel.device_kind.setCurrentText("ICCID")
    panel.fields.setPlainText("State=Suspend\nRequestId=s-1")
    panel.send.click()  # to the built-in listener, with panel_args' credentials

    qtbot.waitUntil(lambda: app.network.state(ICCID) is Registration.DENIED, timeout=10000)
    qtbot.waitUntil(lambda: panel.inbox.rowCount() == 1, timeout=3000)
    assert cell(panel.inbox, 0, 1) == "200"
    assert "(applied)" in cell(panel.inbox, 0, 2)
    assert cell(panel.lines, 0, LINE_STATUS) == "suspended"
    changes = app.events.of_kind("carrier.line")
    assert [e.fields["change"] for e in changes] == ["created", "line.status"]
    assert changes[-1].fields["status"] == "suspended"
    assert app.emitted_on == {main}  # the loop thread never touched the event log


def test_billing_cycle_end_removes_the_promotion_shown_in_the_panel(
    qtbot: QtBot, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.events.emit(
        "flow.state", flow="inline-download", operation="op-1", state="enabled", iccid=ICCID
    )
    assert cell(app.panel.lines, 0, LINE_PROMOTIONS) == "WELCOME5GB to 2017-04-01"
    # The listener writes the line on the loop thread, posts `thingspace.received` (the panel
    # re-reads its lines then), and only then posts the line change (`carrier.line`). Hold the
    # loop thread between the two, as a busy machine may, so the test sees that moment.
    applied = app.world.listener._on_applied
    assert applied is not None
    loop_may_go_on = threading.Event()

    def slow_loop_thread(message: CallbackMessage, change: AppliedChange) -> None:
        loop_may_go_on.wait(timeout=10)
        applied(message, change)

    monkeypatch.setattr(app.world.listener, "_on_applied", slow_loop_thread)

    try:
        app.clock.advance(31 * 86_400 + 120)
        qtbot.waitUntil(lambda: app.panel.inbox.rowCount() == 1, timeout=10000)
        assert cell(app.panel.inbox, 0, 3) == "PromoChanges"
        assert cell(app.panel.inbox, 0, 5) == "soap"
        qtbot.waitUntil(lambda: cell(app.panel.lines, 0, LINE_PROMOTIONS) == "", timeout=3000)
        # The panel shows the line as stored; the event saying so is still on its way.
        assert [e.fields["change"] for e in app.events.of_kind("carrier.line")] == ["created"]
    finally:
        loop_may_go_on.set()  # never leave the loop thread waiting for the tear-down

    qtbot.waitUntil(lambda: len(app.events.of_kind("carrier.line")) == 2, timeout=3000)
    changed = app.events.of_kind("carrier.line")[-1]
    assert changed.fields["promotions"] == []
    assert changed.seq > app.events.of_kind("thingspace.received")[-1].seq
    assert app.emitted_on == {threading.current_thread().name}
