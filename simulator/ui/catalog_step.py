"""The catalog step: the Select Provider page before the chosen operator's Gateway page.

With several operators configured (``--operator-config`` with an ``operators`` list, or the
fixture's ``operator_config``) an eSIM PC starts on the catalog; picking an operator makes it
the simulator's operator (its service configuration, portal, ICCID ranges and name) and shows
its Gateway page, whose button opens its portal. With one operator, or a physical SIM, the app
keeps its direct path. Events: ``catalog.shown`` (operators, reason, hidden) with ``ui.screen``
``screen=catalog``, ``catalog.picked`` (the person's pick, before anything it causes: what a
recording replays), ``catalog.selected``, ``catalog.rejected``, ``catalog.skipped``, and
``catalog.choose-operator`` (the Gateway page's link back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from simulator.device import DeviceKind
from simulator.events import Event
from simulator.flows.screens import Screen
from simulator.operator_api.catalog import (
    CATALOG_TITLE,
    Catalog,
    CatalogDecision,
    CatalogOperator,
    decide_catalog,
)
from simulator.operator_api.config import ConfigurationError
from simulator.ui.catalog_page import CatalogPage
from simulator.ui.gateway_page import DISCLAIMER, standard_body
from simulator.ui.screens import AppPage

if TYPE_CHECKING:
    from simulator.app import Simulator, SimulatorConfig
    from simulator.operator_api.experience import MobilePlansService
    from simulator.ui.gateway_page import GatewayPage

__all__ = ["CatalogStep", "use_operator_catalog"]

# Our wording: the docs do not show the page without operators.
# What the wait for the next Gateway page (`CatalogStep._continue_after_gateway`) acts on.
_GATEWAY_OUTCOMES = frozenset({"gateway.shown", "catalog.rejected", "gateway.unavailable"})
NO_OPERATORS = "No mobile operator sells plans through Mobile Plans in {country} right now."


class CatalogStep:
    def __init__(
        self, simulator: Simulator, service: MobilePlansService, gateway: GatewayPage
    ) -> None:
        self.simulator = simulator
        self.service = service
        self.catalog: Catalog | None = simulator.config.operator_catalog
        self.home_portal = simulator.portal_uri
        self.home_notification_host = simulator.notification_host
        self.chosen: CatalogOperator | None = None if self.catalog is None else self.catalog.home
        window = simulator.window
        self.page = CatalogPage(window)
        window.stack.addWidget(self.page)
        window.pages[Screen.CATALOG] = self.page
        self.page.providerChosen.connect(self.select)
        gateway.chooseOperatorClicked.connect(self.choose_again)
        gateway.set_can_choose_operator(self.decision().show)

    @property
    def catalog_home(self) -> CatalogOperator | None:
        return None if self.catalog is None else self.catalog.home

    def decision(self) -> CatalogDecision:
        device = self.simulator.device
        return decide_catalog(
            self.catalog,
            esim=device.kind is DeviceKind.ESIM,
            location=device.location,
            eid=str(device.eid),
            hardware=device.hardware,
        )

    def start(self, provider: str | None = None) -> None:
        """What the app opens with: the catalog when there is a choice, else the portal.
        ``provider`` (``run --provider``): pick it, then press the Gateway page's button."""
        decision = self.decision()
        if decision.show:
            self.show()
            if provider is not None:
                self._continue_after_gateway()
                self.select(provider)
            return
        if self.catalog is not None and self.catalog.offers_a_choice:
            self.simulator.events.emit(
                "catalog.skipped", operator=self.catalog.home.brand_name, reason=decision.reason
            )
        self.simulator.launch()

    def show(self) -> CatalogDecision:
        """Show the Select Provider page (from the start, or the Gateway page's link)."""
        decision = self.decision()
        names = [o.brand_name for o in decision.operators]
        country = self.simulator.device.location.upper()
        self.page.show_operators(names, NO_OPERATORS.format(country=country))
        self.simulator.events.emit(
            "catalog.shown",
            operators=names,
            location=country,
            reason=decision.reason,
            hidden=[h.as_event() for h in decision.hidden],
        )
        self.simulator.session.show(Screen.CATALOG, CATALOG_TITLE)
        return decision

    def choose_again(self) -> CatalogDecision:
        """The Gateway page's "Choose a different mobile operator": the Select Provider page."""
        self.simulator.events.emit("catalog.choose-operator", source="gateway")
        return self.show()

    def select(self, brand: str) -> bool:
        """The user picks ``brand``: it becomes the simulator's operator and its Gateway page
        follows. False (with ``catalog.rejected`` saying why) for an operator not listed."""
        self.simulator.events.emit("catalog.picked", operator=brand)
        decision = self.decision()
        wanted = brand.strip().casefold()
        chosen = next((o for o in decision.operators if o.brand_name.casefold() == wanted), None)
        if chosen is None:
            listed = ", ".join(o.brand_name for o in decision.operators) or "none"
            why = next((h.reason for h in decision.hidden if h.brand_name.casefold() == wanted), "")
            self.simulator.events.emit(
                "catalog.rejected",
                operator=brand,
                reason=f"not on the Select Provider page ({why or decision.reason}); "
                f"listed: {listed}",
            )
            return False
        try:
            self._use(chosen)
        except ConfigurationError as error:
            self.simulator.events.emit(
                "catalog.rejected", operator=brand, reason=f"{error.rule}: {error.message}"
            )
            return False
        world = self.simulator.operator_api
        self.simulator.events.emit(
            "catalog.selected",
            operator=chosen.brand_name,
            portal=self.simulator.portal_uri,
            moBaseUrl=world.config.mo_base_url,
            sample_operator=chosen.service is None,
        )
        self.service.open_gateway()
        return True

    def _continue_after_gateway(self) -> None:
        """Presses Continue once the next Gateway page is shown (GetOffers may answer later)."""
        events = self.simulator.events

        def watch(event: Event) -> None:
            if event.kind == "gateway.shown":
                events.unsubscribe(watch)
                self.simulator.launch()
            elif event.kind in ("catalog.rejected", "gateway.unavailable"):
                events.unsubscribe(watch)

        events.subscribe(watch, kinds=_GATEWAY_OUTCOMES)

    def _use(self, operator: CatalogOperator) -> None:
        simulator = self.simulator
        simulator.operator_api.use_configuration(operator.service, operator.brand_name)
        self.chosen = operator
        # The first operator keeps the portal the simulator started with (--portal wins).
        own_portal = operator.portal_url is None or operator == self.catalog_home
        portal = self.home_portal if own_portal else str(operator.portal_url)
        simulator.portal_uri = portal
        simulator.launcher.portal_uri = portal
        simulator.launcher.iccid_ranges = simulator.operator_api.config.iccid_ranges
        simulator.notification_host = (
            self.home_notification_host if own_portal else (urlsplit(portal).hostname or "").lower()
        )
        self._rename(operator.brand_name)

    def _rename(self, brand: str) -> None:
        """The operator's name wherever the app shows it."""
        simulator = self.simulator
        window = simulator.window
        window.operator_name = brand
        window.setWindowTitle(f"Mobile Plans Simulator \u2014 {brand}")
        for page in window.findChildren(AppPage):
            page.set_operator(brand)
        window.provider_page.body.setText(f"{standard_body(brand)}\n\n{DISCLAIMER}")
        window.progress_popup.set_operator(brand)
        simulator.flows.options.operator_name = brand
        simulator.esim.operator_name = brand
        experience = simulator.operator_experience
        ranges = simulator.operator_api.config.iccid_ranges
        experience.panel.ranges.setText(", ".join(str(r) for r in ranges))


def use_operator_catalog(config: SimulatorConfig, catalog: Catalog | None) -> None:
    """Puts the operators of an ``--operator-config`` file into a simulator's configuration: the
    first is the operator it starts as; several make the catalog. One operator changes nothing
    here (its service configuration is the file's, as before)."""
    if catalog is None or not catalog.offers_a_choice:
        return
    home = catalog.home
    config.operator_catalog = catalog
    if config.operator_name is None:
        config.operator_name = home.brand_name
    if catalog.device is not None and config.device.stated_hardware is None:
        config.device.stated_hardware = catalog.device  # the file's PC, unless the run names one
    if home.portal_url and not config.portal_url and not config.portal_dir:
        config.portal_url = home.portal_url
