"""The walled garden applied to the portal's web view: a request interceptor on the portal's
page (not the profile), so only the portal's own requests are judged, after the profile's
interceptor has added the launch headers. Qt calls page interceptors on the GUI thread.

What is allowed, and the events, are decided in :mod:`simulator.portal.walled_garden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

from simulator.portal.walled_garden import GardenMode, GardenOperator, GardenWatch, WalledGarden

if TYPE_CHECKING:
    from simulator.app import Simulator

__all__ = ["WalledGardenControl", "WalledGardenInterceptor", "install_walled_garden"]

# What `GardenWatch.observe` acts on (a launch configures the garden; a line's registration
# opens or closes it): no other kind is delivered to it.
GARDEN_WATCH_KINDS = frozenset({"portal.launch", "network.registration"})

_RESOURCE_NAMES = {
    value: name.removeprefix("ResourceType").lower()
    for name, value in vars(QWebEngineUrlRequestInfo.ResourceType).items()
    if name.startswith("ResourceType")
}


class WalledGardenInterceptor(QWebEngineUrlRequestInterceptor):
    def __init__(self, watch: GardenWatch) -> None:
        super().__init__()
        self.watch = watch

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        resource = _RESOURCE_NAMES.get(info.resourceType(), "other")
        if self.watch.request(info.requestUrl().toString(), resource):
            info.block(True)


@dataclass
class WalledGardenControl:
    """The garden of one simulator: its policy and events (``watch``) and the interceptor."""

    watch: GardenWatch
    interceptor: WalledGardenInterceptor

    @property
    def mode(self) -> GardenMode:
        return self.watch.mode

    def set_mode(self, mode: GardenMode | str) -> None:
        self.watch.set_mode(GardenMode(mode))


def install_walled_garden(simulator: Simulator, mode: GardenMode) -> WalledGardenControl:
    """Puts the garden on the simulator's portal page (the composition root calls this)."""

    def operator() -> GardenOperator:
        # Asked at each launch: the first comes before the back office (and its operator APIs)
        # is built, and must not build it, so the configuration is read from what is at hand.
        office = simulator.back_office.built
        if office is not None:
            config = office.operator_api.config
        elif simulator.config.operator_configuration is not None:
            config = simulator.config.operator_configuration
        else:
            # --operator-api URL or the bundled sample operator on a loopback address (never a
            # garden entry); neither adds hosts of its own.
            balance = simulator.config.operator_api_url
            return GardenOperator(simulator.portal_uri, balance)
        return GardenOperator(simulator.portal_uri, config.mo_base_url, config.walled_garden_hosts)

    def line_connected() -> bool:
        # Any registered line means a plan: the operator's network lets everything through.
        return any(state.connected for state in simulator.network.states().values())

    watch = GardenWatch(simulator.events, WalledGarden(mode), operator, line_connected)
    simulator.events.subscribe(watch.observe, kinds=GARDEN_WATCH_KINDS)
    interceptor = WalledGardenInterceptor(watch)
    interceptor.setParent(simulator.page)  # lives exactly as long as the page it serves
    simulator.page.setUrlRequestInterceptor(interceptor)
    return WalledGardenControl(watch, interceptor)
