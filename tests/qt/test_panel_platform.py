"""The Platform panel sends callbacks through the Deliverer and shows both ends of the wire."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from esim.identifiers import Iccid
from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import Event, EventLog
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.codec import COMPOSABLE, ServiceName
from simulator.thingspace.delivery import Deliverer, EntryState
from simulator.thingspace.listener import CallbackListener
from simulator.thingspace.registrations import RegisteredVia, RegistrationStore
from simulator.ui.panels.platform import PlatformPanel

ICCID = str(Iccid.with_check_digit("8901260123456789012"))
MDN = "3124705797"


@dataclass
class Rig:
    clock: VirtualClock
    events: EventLog
    carrier: CarrierModel
    registrations: RegistrationStore
    listener: CallbackListener
    deliverer: Deliverer


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    events = EventLog(clock)
    loop = BackgroundLoop()
    carrier = CarrierModel.open(tmp_path / "carrier")
    carrier.create_line(ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn=MDN)
    registrations = RegistrationStore.open(tmp_path / "registrations")
    listener = CallbackListener(carrier, "user", "secret", events)
    loop.run(listener.start())
    deliverer = Deliverer(clock, events, loop.loop)
    yield Rig(clock, events, carrier, registrations, listener, deliverer)
    loop.run(deliverer.close())
    loop.run(listener.stop())
    carrier.close()
    registrations.close()
    loop.stop()


@pytest.fixture
def panel(qtbot: QtBot, qapp: QApplication, rig: Rig) -> PlatformPanel:
    widget = PlatformPanel(
        rig.carrier,
        rig.registrations,
        rig.deliverer,
        rig.listener.url,
        username="user",
        password="secret",
    )
    qtbot.addWidget(widget)

    # The listener emits on the server loop; the app hands events to the GUI thread.
    def received(event: Event) -> None:
        if event.kind == "thingspace.received":
            QTimer.singleShot(0, qapp, lambda: widget.add_received(event))

    rig.events.subscribe(received)
    return widget


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_lines_and_registrations_are_listed(qtbot: QtBot, rig: Rig, panel: PlatformPanel) -> None:
    assert panel.lines.rowCount() == 1
    assert cell(panel.lines, 0, 0) == ICCID
    assert cell(panel.lines, 0, 1) == MDN
    assert cell(panel.lines, 0, 7) == "SPRING17 to 2017-04-01"
    assert panel.line.currentText().startswith(f"MDN {MDN}")
    assert panel.url.text() == rig.listener.url
    assert panel.registered.rowCount() == 0

    rig.registrations.register(
        "TestAccount-2", "PromoChanges", rig.listener.url, via=RegisteredVia.SOAP
    )
    qtbot.waitUntil(lambda: panel.registered.rowCount() == 1, timeout=3000)  # polled
    assert cell(panel.registered, 0, 0) == "PromoChanges"
    assert cell(panel.registered, 0, 2) == "soap"


@pytest.mark.parametrize("wire", ["SOAP", "REST"])
def test_compose_and_send_a_promo_change(
    qtbot: QtBot, rig: Rig, panel: PlatformPanel, wire: str
) -> None:
    panel.format.setCurrentText(wire)
    panel.fields.setPlainText(
        "Change=PromoCode Dropped: SPRING17\nChangeDate=4/1/2017 12:00:00 AM\nRequestId=r-1\n"
    )
    panel.send.click()
    assert panel.status.text().startswith("Queued #1 (RequestId r-1)")

    qtbot.waitUntil(lambda: panel.inbox.rowCount() == 1, timeout=10000)
    assert cell(panel.inbox, 0, 1) == "200"
    assert "(applied)" in cell(panel.inbox, 0, 2)
    assert cell(panel.inbox, 0, 3) == "PromoChanges"
    assert cell(panel.inbox, 0, 4) == f"MDN:{MDN}"
    assert cell(panel.inbox, 0, 5) == wire.lower()
    assert cell(panel.inbox, 0, 7) == "r-1"
    assert cell(panel.lines, 0, 7) == ""  # the listener removed the promotion

    qtbot.waitUntil(lambda: panel.outbox.topLevelItemCount() == 1, timeout=3000)
    qtbot.waitUntil(
        lambda: (item := panel.outbox.topLevelItem(0)) is not None and item.text(1) == "delivered",
        timeout=3000,
    )
    entry = panel.outbox.topLevelItem(0)
    assert entry is not None
    assert entry.text(2) == "HTTP 200"
    assert entry.text(7) == wire.lower()
    assert entry.text(8) == "r-1"
    attempt = entry.child(0)
    assert attempt is not None
    assert attempt.text(0) == "#1"
    assert attempt.text(1) == "acknowledged"
    assert attempt.text(5).endswith(" ms")


def test_wrong_credentials_are_refused_by_the_listener(
    qtbot: QtBot, rig: Rig, panel: PlatformPanel
) -> None:
    panel.password.setText("wrong")
    panel.send.click()
    qtbot.waitUntil(lambda: panel.inbox.rowCount() == 1, timeout=10000)
    assert cell(panel.inbox, 0, 1) == "403"
    assert cell(panel.inbox, 0, 2) == "auth.credentials"
    qtbot.waitUntil(
        lambda: (item := panel.outbox.topLevelItem(0)) is not None and item.text(2) == "HTTP 403",
        timeout=3000,
    )


def test_an_unreachable_listener_shows_the_error_and_a_pending_retry(
    qtbot: QtBot, rig: Rig, panel: PlatformPanel
) -> None:
    panel.url.setText(closed_port_url())
    panel.send.click()
    qtbot.waitUntil(lambda: bool(rig.deliverer.outbox()[0].attempts), timeout=10000)
    panel.refresh()
    entry = panel.outbox.topLevelItem(0)
    assert entry is not None
    assert entry.text(1) == EntryState.PENDING.value  # the retry waits on the virtual clock
    assert "Error" in entry.text(2)
    assert entry.text(5) == "1 attempt"
    assert any("thingspace retry" in timer.label for timer in rig.clock.pending())


def test_every_callback_type_is_offered_and_none_is_disabled(panel: PlatformPanel) -> None:
    model = panel.service.model()
    assert isinstance(model, QStandardItemModel)
    names = [panel.service.itemData(i) for i in range(panel.service.count())]
    assert names == list(COMPOSABLE)
    assert {service.value for service in ServiceName} <= set(names)
    assert {"Fault", "Summary", "Status"} <= set(names)
    assert all(model.item(i).isEnabled() for i in range(panel.service.count()))
    carrier_service = model.item(panel.service.findData("CarrierService"))
    assert carrier_service.text() == "CarrierService"
    assert "Data/CarrierService" in carrier_service.toolTip()
    usage = model.item(panel.service.findData("DeviceUsage"))
    assert usage.text() == "DeviceUsage (unverified)"
    assert "shape not verified" in usage.toolTip()
    assert "REST only" in model.item(panel.service.findData("NiddService")).toolTip()


def test_placeholder_shows_the_fields_a_service_is_sent_with(panel: PlatformPanel) -> None:
    assert panel.fields.placeholderText().startswith("Change=PromoCode Dropped.\nChangeDate=")
    panel.service.setCurrentIndex(panel.service.findData("Fault"))
    text = panel.fields.placeholderText()
    assert "faultcode=UnifiedWebService.REQUEST_FAILED.DeviceAlreadyActive" in text
    assert "carried as given" in text
    assert text.endswith("RequestId=… (optional)")


@pytest.mark.parametrize("service", ["CarrierService", "NiddService", "Fault"])
def test_services_once_disabled_are_sent_with_their_defaults(
    qtbot: QtBot, rig: Rig, panel: PlatformPanel, service: str
) -> None:
    panel.service.setCurrentIndex(panel.service.findData(service))
    panel.format.setCurrentText("REST")
    panel.send.click()
    assert panel.status.text().startswith("Queued #1"), panel.status.text()
    qtbot.waitUntil(lambda: panel.inbox.rowCount() == 1, timeout=10000)
    assert cell(panel.inbox, 0, 1) == "200"
    assert cell(panel.inbox, 0, 4) == f"MDN:{MDN}"
    qtbot.waitUntil(
        lambda: (item := panel.outbox.topLevelItem(0)) is not None and item.text(1) == "delivered",
        timeout=3000,
    )


def test_bad_fields_send_nothing(rig: Rig, panel: PlatformPanel) -> None:
    panel.fields.setPlainText("no equals sign here")
    panel.send.click()
    assert panel.status.text().startswith("Not sent:")
    assert "NAME=VALUE" in panel.status.text()
    assert rig.deliverer.outbox() == []

    panel.fields.setPlainText("Colour=blue")
    panel.send.click()
    assert "not a field of PromoChanges" in panel.status.text()
    assert rig.deliverer.outbox() == []

    panel.url.setText("  ")
    panel.send.click()
    assert panel.status.text() == "Give the listener URL to send to."
