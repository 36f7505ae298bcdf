"""The simulator's back office: the operator platform (ThingSpace-style), the operator APIs with
their Flyout and Gateway page, and the eSIM/Operator/Clock/Platform panels.

None of it is needed to show the portal, so `Simulator` builds it once the portal has loaded and
the bridge and downloads have been quiet for a moment, or as soon as something uses it: the
portal's first load does not wait for the ThingSpace stack, the operator APIs' client or these
widgets. The panels'
docks come with the window's own when it is furnished, before its saved layout is applied, so
the window is laid out once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot

from simulator.data_dir import OPERATOR_API, THINGSPACE
from simulator.events import Event
from simulator.ui.main_window import MainWindow, PanelScroller

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.operator_api.world import OperatorApiWorld
    from simulator.platform_world import PlatformWorld
    from simulator.ui.operator_experience import OperatorExperienceUi
    from simulator.ui.panels.clock import ClockPanel
    from simulator.ui.panels.euicc import EuiccPanel
    from simulator.ui.panels.operator import OperatorPanel
    from simulator.ui.panels.platform import PlatformPanel

# Built when the portal has loaded and left the bridge and downloads quiet this long (a build
# takes the GUI thread for a moment: never in a portal's burst of calls), else at the latest.
BACK_OFFICE_QUIET_MS = 250
BACK_OFFICE_AT_LATEST_MS = 10_000
PANEL_DOCKS = ("eSIM", "Operator", "Clock", "Platform")
# What postpones the build: a portal's burst of calls, a download under way.
_BUSY_EVENTS = frozenset({"bridge.call", "lpa.progress"})
# What the panels show (`BackOffice._refresh`): it is not called for any other kind of event.
_REFRESHING_EVENTS = frozenset(
    {
        "euicc.profile",
        "network.registration",
        "smdp.order",
        "thingspace.received",
        "thingspace.sent",
        "carrier.line",
    }
)
# What `DeferredBackOffice._observe` acts on: before the build, a profile enabled (the platform
# gives it a carrier line, so it builds) and the busy kinds; once built, the platform's one kind.
_BUILDING_EVENTS = _BUSY_EVENTS | {"flow.state"}
_BUILT_EVENTS = frozenset({"flow.state"})  # `PlatformWorld.observe` acts on nothing else
# What the MO service panel's walled-garden group shows of the launches before it existed.
_GARDEN_PANEL_EVENTS = frozenset(
    {"portal.launch", "walled_garden.state", "network.blocked", "network.outside-garden"}
)


def add_panel_docks(window: MainWindow) -> dict[str, PanelScroller]:
    """Empty docks for the eSIM, Operator, Clock and Platform panels, tabbed with the Device
    panel they extend: laid out with the window, filled by `BackOffice`."""
    from PySide6.QtCore import Qt

    scrollers: dict[str, PanelScroller] = {}
    for name in PANEL_DOCKS:
        # In a scroll area, so a wide table does not squeeze the portal's 800 pixels.
        scroller = PanelScroller()
        scroller.setWidgetResizable(True)
        dock = window.add_dock(name, scroller, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.tabifyDockWidget(window.docks["device"], dock)
        scrollers[name.lower()] = scroller
    window.docks["esim"].raise_()
    return scrollers


class BackOffice:
    """Everything of one simulator that the portal's first load does not need."""

    platform: PlatformWorld
    operator_api: OperatorApiWorld
    operator_experience: OperatorExperienceUi
    euicc_panel: EuiccPanel
    operator_panel: OperatorPanel
    clock_panel: ClockPanel
    platform_panel: PlatformPanel

    def __init__(self, sim: Simulator, scrollers: dict[str, PanelScroller]) -> None:
        # Imported here: the ThingSpace stack, the operator APIs and the panels cost start-up.
        from simulator.operator_api.world import OperatorApiWorld
        from simulator.platform_world import PlatformWorld

        config = sim.config
        # The operator's M2M platform (ThingSpace-style): carrier lines, listener, callbacks.
        self.platform = PlatformWorld(
            config.data_dir / THINGSPACE,
            sim.runtime.loop,
            sim.clock,
            sim.events,
            sim.poster.post,
            network=sim.network,
            operator_name=config.operator,
            plan_lookup=sim.plan_of,
            imei=str(sim.device.imei),
            calendar_start=sim.calendar_start,
        )
        # The Mobile Plans service calling the operator's APIs (the sample operator by default).
        self.operator_api = OperatorApiWorld(
            config.data_dir / OPERATOR_API,
            sim.runtime.loop,
            sim.events,
            sim.poster.post,
            base_url=config.operator_api_url,
            iccid_ranges=config.iccid_ranges,
            brand_name=config.operator,
            configuration=config.operator_configuration,
        )
        self._add_panels(sim, scrollers)

    def add_operator_experience(self, sim: Simulator) -> None:
        """The Flyout, Gateway page and notifications from the operator's APIs ("MO service"
        panel): built once this object is `sim`'s back office, since it reads `sim.operator_api`."""
        from simulator.ui.operator_experience import OperatorExperienceUi

        self.operator_experience = OperatorExperienceUi(sim)
        # What these observers would have seen had they existed from the start.
        for event in sim.events:
            if event.kind == "thingspace.received":
                self.platform_panel.add_received(event)
            elif event.kind == "portal.launch":
                self.operator_experience.service.observe(event)
            if event.kind in _GARDEN_PANEL_EVENTS:
                self.operator_experience.garden.observe(event)

    def _add_panels(self, sim: Simulator, scrollers: dict[str, PanelScroller]) -> None:
        """The eSIM, Operator, Clock and Platform panels into their docks, kept up to date."""
        from simulator.ui.panels.clock import ClockPanel
        from simulator.ui.panels.euicc import EuiccPanel
        from simulator.ui.panels.operator import OperatorPanel
        from simulator.ui.panels.platform import PlatformPanel

        backend = sim.sample_backend
        self.euicc_panel = EuiccPanel(sim.esim, sim.network, sim.device)
        self.operator_panel = OperatorPanel(
            sim.esim, None if backend is None else backend.next_order
        )
        self.clock_panel = ClockPanel(sim.clock)
        self.platform_panel = PlatformPanel(**self.platform.panel_args())
        for name, panel in (
            ("esim", self.euicc_panel),
            ("operator", self.operator_panel),
            ("clock", self.clock_panel),
            ("platform", self.platform_panel),
        ):
            scrollers[name].setWidget(panel)
        sim.events.subscribe(self._refresh, kinds=_REFRESHING_EVENTS)

    def _refresh(self, event: Event) -> None:  # only _REFRESHING_EVENTS come here
        if event.kind in ("euicc.profile", "network.registration"):
            self.euicc_panel.refresh()
        elif event.kind == "smdp.order":
            self.operator_panel.refresh()
        elif event.kind == "thingspace.received":
            self.platform_panel.add_received(event)
        elif event.kind in ("thingspace.sent", "carrier.line"):
            self.platform_panel.refresh()

    def observe(self, event: Event) -> None:
        """The platform gives an enabled profile its carrier line."""
        self.platform.observe(event)

    def close(self) -> None:
        self.platform.close()
        self.operator_api.close()


class DeferredBackOffice(QObject):
    """Builds `sim`'s `BackOffice` once: when the portal has loaded and neither the bridge nor a
    download has been busy for `BACK_OFFICE_QUIET_MS`, when a flow enables a profile (the
    platform gives it a carrier line), `BACK_OFFICE_AT_LATEST_MS` after start at the latest, or
    at the first `get`."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__(sim)
        self._sim = sim
        # The docks come with the window's own, before its saved layout is applied.
        self._scrollers: dict[str, PanelScroller] = {}
        sim.window.when_furnished(lambda: self._scrollers.update(add_panel_docks(sim.window)))
        self.built: BackOffice | None = None
        self._building = False
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(BACK_OFFICE_QUIET_MS)
        self._quiet.timeout.connect(self._build_unasked)
        sim.page.loadFinished.connect(self._loaded)
        QTimer.singleShot(BACK_OFFICE_AT_LATEST_MS, self, self._build_unasked)
        sim.events.subscribe(self._observe, kinds=_BUILDING_EVENTS)

    def get(self) -> BackOffice:
        """The back office, built now if need be."""
        self.build()
        assert self.built is not None
        return self.built

    @Slot()
    def build(self) -> None:
        if self.built is not None or self._building:
            return
        self._building = True
        try:
            # The window's docks, Timeline, Contract and app pages first, if not built yet.
            self._sim.window.furnish()
            self._sim.window.panels.build()
            self._sim.window.app_pages()
            office = BackOffice(self._sim, self._scrollers)
            self.built = office
            # From now on the busy kinds change nothing here: a bridge call's event skips us.
            self._sim.events.change_kinds(self._observe, _BUILT_EVENTS)
            office.add_operator_experience(self._sim)
        finally:
            self._building = False

    @Slot()
    def _build_unasked(self) -> None:
        """A build nobody waits for (a timer, an event): an eSIM world that could not be built
        is the run's to report (`Simulator.when_esim_fails`), not a traceback from a slot."""
        try:
            self.build()
        except Exception:
            if self._sim.esim_error() is None:
                raise

    @Slot(bool)
    def _loaded(self, _ok: bool) -> None:
        if self.built is None:
            self._quiet.start()

    def _observe(self, event: Event) -> None:  # _BUILDING_EVENTS, then only _BUILT_EVENTS
        if self.built is None:
            if event.kind == "flow.state" and event.fields.get("state") == "enabled":
                self._build_unasked()  # the one event the platform acts on: never missed
            elif event.kind in _BUSY_EVENTS and self._quiet.isActive():
                self._quiet.start()  # the portal or a download is busy: wait for a quiet moment
        if self.built is not None:
            self.built.observe(event)

    def close(self) -> None:
        """Close what was built; nothing is built from now on."""
        self._building = True
        self._quiet.stop()
        if self.built is not None:
            self.built.close()
