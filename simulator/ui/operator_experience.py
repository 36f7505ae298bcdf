"""Puts the operator-API experience into the main window: the Gateway page in the screen stack,
the "MO service" panel docked with the others, toasts answered by the service.

Widgets and wiring only; :class:`~simulator.operator_api.experience.MobilePlansService`
decides. Built once by the composition root.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from simulator.events import Event
from simulator.flows.screens import Screen
from simulator.operator_api.experience import MobilePlansService, PcState
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.ui.catalog_step import CatalogStep
from simulator.ui.gateway_images import decode_png
from simulator.ui.gateway_page import GatewayPage
from simulator.ui.main_window import PanelScroller
from simulator.ui.panels.flyout import FlyoutPanel
from simulator.ui.panels.walled_garden import WalledGardenGroup

if TYPE_CHECKING:
    from simulator.app import Simulator

__all__ = ["OperatorExperienceUi"]

# What `OperatorExperienceUi.observe` acts on, its Flyout (flyout.shown) and walled-garden group
# (the launch, the garden's state and the hosts it judged) included: no other kind comes to it.
EXPERIENCE_KINDS = frozenset(
    {
        "flyout.shown",
        "portal.launch",
        "walled_garden.state",
        "network.blocked",
        "network.outside-garden",
        "ui.screen",
        "gateway.unavailable",
        "gateway.shown",
    }
)


class OperatorExperienceUi:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        world = simulator.operator_api
        world.location = simulator.device.location
        esim, network = simulator.esim, simulator.network
        self.service = MobilePlansService(
            world,
            PcState(esim.enabled_iccid, lambda iccid: network.state(iccid).connected, esim.iccids),
            simulator.events,
            str(simulator.device.imei),
        )
        window = simulator.window
        self.page = GatewayPage(
            window,
            lambda template_id, images, arrived: world.gateway_images.load(
                world.config, template_id, images, decode_png, arrived
            ),
        )
        window.stack.addWidget(self.page)
        window.pages[Screen.GATEWAY] = self.page
        self.page.continueClicked.connect(self._continue)
        self.panel = FlyoutPanel(self.service, world.sample, esim.enabled_iccid)
        self.panel.connectRequested.connect(self.service.open_gateway)
        self.panel.viewAccountRequested.connect(simulator.launch)
        self.panel.rangesChanged.connect(self._set_ranges)
        window.toastAnswered.connect(self.service.toast_answered)
        # the walled garden's switch and state, under the flyout (the garden is built after us)
        self.garden = WalledGardenGroup(
            simulator.config.walled_garden, lambda mode: simulator.walled_garden.set_mode(mode)
        )
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(self.panel)
        aligned = QVBoxLayout()  # the flyout panel's own margins, so the groups line up
        flyout_layout = self.panel.layout()
        if flyout_layout is not None:
            margins = flyout_layout.contentsMargins()
            aligned.setContentsMargins(margins.left(), 0, margins.right(), margins.bottom())
        aligned.addWidget(self.garden)
        column_layout.addLayout(aligned)
        column_layout.addStretch(1)
        scroller = PanelScroller()
        scroller.setWidgetResizable(True)
        scroller.setWidget(column)
        dock = window.add_dock("MO service", scroller, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.tabifyDockWidget(window.docks["device"], dock)
        window.docks["mo service"] = dock
        window.docks["esim"].raise_()
        simulator.events.subscribe(self.service.observe, kinds=MobilePlansService.OBSERVED_KINDS)
        simulator.events.subscribe(self.observe, kinds=EXPERIENCE_KINDS)
        # Several operators: the Select Provider page comes first (catalog_step).
        self.catalog = CatalogStep(simulator, self.service, self.page)

    def start(self, provider: str | None = None) -> None:
        """Open the app: the catalog when it offers a choice (``provider``: pick it and
        continue), else the portal directly."""
        self.catalog.start(provider)

    def _continue(self) -> None:
        """The Gateway page's button, said first (``ui.control``) so a recording replays it."""
        self.simulator.events.emit("ui.control", control="gateway-continue")
        self.simulator.launch()

    def press(self, control: str, values: Mapping[str, Any]) -> None:
        """A recorded ``control`` step: the Gateway page's button or a MO service panel control."""
        if control == "gateway-continue":
            self._continue()
        else:
            self.panel.press(control, values)

    def _set_ranges(self, ranges: tuple[IccidRange, ...]) -> None:
        self.simulator.operator_api.set_iccid_ranges(ranges)
        self.simulator.launcher.iccid_ranges = ranges

    def observe(self, event: Event) -> None:  # only EXPERIENCE_KINDS come here
        self.panel.observe(event)
        self.garden.observe(event)
        if (
            event.kind == "ui.screen"
            and event.fields.get("screen") == Screen.PROVIDER
            and self.catalog.decision().show
        ):
            # "back to the cellular data provider page": with a choice, the Select Provider page
            self.catalog.show()
        if event.kind == "gateway.unavailable":
            window = self.simulator.window
            window.message_page.title.setText("Mobile Plans")
            window.message_page.body.setText(str(event.fields.get("text", "")))
            window.stack.setCurrentWidget(window.message_page)
        elif event.kind == "gateway.shown":
            choice = self.service.last_gateway
            brand = self.simulator.operator_api.config.brand_name
            self.page.show_choice(brand, choice.template if choice else None)
            # A screen like the app's others, so what the session last showed stays true (a
            # later portal or catalog is announced again) and `ui.screen` tells automation.
            self.simulator.session.show(Screen.GATEWAY, self.page.body_text, title=brand)
