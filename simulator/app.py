"""The one composition root: builds a simulator and wires its parts (DESIGN.md §3).

No module-level singletons: everything a run or a test needs is constructed here and passed
in through constructors. `Runtime` (sockets, TLS, server loop) exists once per process because
Chromium's resolver rules are fixed at start-up; a `Simulator` can be built many times on it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

from esim.identifiers import IdentifierError
from simulator.bridge.host import BridgeHost
from simulator.bridge.interceptor import LaunchHeaderInterceptor
from simulator.bridge.page import PortalPage
from simulator.clock import VirtualClock
from simulator.data_dir import OPERATOR_API
from simulator.device import SimulatedDevice
from simulator.esim_world import EsimWorld
from simulator.events import Event, EventLog
from simulator.flows.engine import FlowEngine, FlowOptions
from simulator.flows.portal_session import PortalSession
from simulator.flows.screens import Screen
from simulator.network import SimulatedNetwork
from simulator.operator_api.catalog import Catalog
from simulator.operator_api.config import ServiceConfiguration
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES, IccidRange
from simulator.operator_api.world import OperatorApiWorld
from simulator.platform_world import PlatformWorld, line_fields
from simulator.portal.garden_interceptor import install_walled_garden
from simulator.portal.hosting import Site
from simulator.portal.launch import LaunchBuilder, PortalLaunch
from simulator.portal.sample_backend import SampleBackend
from simulator.portal.tls import HOSTED_DOMAIN
from simulator.portal.walled_garden import GardenMode
from simulator.qt_clock import MainThreadPoster, QtClockDriver
from simulator.resources import resource_path
from simulator.runtime import Runtime
from simulator.ui.layout import window_settings
from simulator.ui.main_window import MainWindow, PanelScroller
from simulator.ui.operator_experience import OperatorExperienceUi
from simulator.ui.panels.clock import ClockPanel
from simulator.ui.panels.euicc import EuiccPanel
from simulator.ui.panels.operator import OperatorPanel
from simulator.ui.panels.platform import PlatformPanel

SAMPLE_PORTAL_HOST = f"contoso.{HOSTED_DOMAIN}"
PORTAL_DIR_HOST = f"portal.{HOSTED_DOMAIN}"
SAMPLE_OPERATOR = "Contoso Mobile"


@dataclass
class SimulatorConfig:
    """What a user chooses on the command line or in a test (DESIGN.md §4.1)."""

    portal_url: str | None = None
    portal_dir: Path | None = None
    notification_host: str | None = None
    device: SimulatedDevice = field(default_factory=SimulatedDevice)
    time_scale: float = 1.0
    accept_language: str = "en-us"
    operator_name: str | None = None  # None: Contoso Mobile, or the portal's own host name
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mobileplans-")))
    sm_ds_enabled: bool = False  # the historical SM-DS flow (Mobile Plans async fulfilment doc)
    # the operator's ICCID range(s) in the service configuration: `iccids` lists only these
    iccid_ranges: tuple[IccidRange, ...] = SAMPLE_ICCID_RANGES
    # the operator's GetBalance/GetOffers/GetNotifications base URL; None runs the sample's
    operator_api_url: str | None = None
    smdp_hosts: tuple[str, ...] = ()  # real SM-DP+ host names whose downloads go to the stub
    euicc_capacity: int | None = None  # bytes of profile memory (None: a real card's figure)

    @property
    def operator(self) -> str:
        """The operator's name wherever the app shows it."""
        if self.operator_name:
            return self.operator_name
        if self.portal_url:
            host = urlsplit(self.portal_url).hostname or self.portal_url
            return SAMPLE_OPERATOR if host == SAMPLE_PORTAL_HOST else host
        if self.portal_dir:
            return Path(self.portal_dir).resolve().name or str(self.portal_dir)
        return SAMPLE_OPERATOR

    # or the team's whole service configuration (--operator-config FILE)
    operator_configuration: ServiceConfiguration | None = None
    # the operator calendar's first day (naive UTC); None: today (a replay passes the recorded one)
    calendar_start: datetime | None = None
    # several operators (--operator-config with an operators list): the catalog comes first
    operator_catalog: Catalog | None = None
    # the walled garden of a PC without a plan: enforce, report (hosts outside it) or off
    walled_garden: GardenMode = GardenMode.REPORT


class Simulator(QObject):
    """One simulated PC with the Mobile Plans app, its portal and its panels."""

    def __init__(self, config: SimulatorConfig, runtime: Runtime) -> None:
        super().__init__()
        self.config = config
        self.runtime = runtime
        self.clock = VirtualClock(config.time_scale, real_now=time.monotonic)
        self.events = EventLog(self.clock)
        self.clock_driver = QtClockDriver(self.clock, self)
        # The operator's calendar (billing cycles, promotions) is the virtual wall time: the
        # moment the run started (or a replay's recorded start) plus the virtual seconds (UTC,
        # naive as the carrier model's).
        self.calendar_start = config.calendar_start or (
            self.clock.wall_start().astimezone(UTC).replace(tzinfo=None)
        )
        self.device = config.device

        # An off-the-record profile per simulator: no cookies or cache leak between runs/tests.
        self.profile = QWebEngineProfile(self)
        self.profile.setHttpAcceptLanguage(config.accept_language)
        self.interceptor = LaunchHeaderInterceptor(self)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.page = PortalPage(self.profile, runtime.tls.leaf_der, self)

        # The eSIM world: eUICC, stub SM-DP+ and LPA, with results posted to this thread.
        self.poster = MainThreadPoster(self)
        self.esim = EsimWorld(
            config.data_dir / "esim",
            str(self.device.eid),
            runtime.loop,
            self.clock,
            self.events,
            self.poster.post,
            operator_name=config.operator,
            smdp_hosts=config.smdp_hosts,
            memory_limit_bytes=config.euicc_capacity,
        )
        self.device.profile_iccids = self.esim.iccids
        self.sample_backend: SampleBackend | None = None
        self.portal_uri, self._hosted = self._portal_site(config)
        self.notification_host = (
            config.notification_host or urlsplit(self.portal_uri).hostname or ""
        ).lower()
        self.network = SimulatedNetwork(self.clock, self.events)

        self.launcher = LaunchBuilder(
            self.portal_uri,
            self.device,
            config.accept_language,
            iccid_ranges=config.iccid_ranges,
        )
        self.last_launch: PortalLaunch | None = None
        self.host: BridgeHost
        self.session = PortalSession(self.events, self.device, channel=self)
        self.flows = FlowEngine(
            self.clock,
            self.events,
            self.esim,
            self.network,
            self.session,
            FlowOptions(operator_name=config.operator, sm_ds_enabled=config.sm_ds_enabled),
        )
        self.session.flows = self.flows
        # The operator's M2M platform (ThingSpace-style): carrier lines, listener, callbacks.
        self.platform = PlatformWorld(
            config.data_dir / "thingspace",
            runtime.loop,
            self.clock,
            self.events,
            self.poster.post,
            network=self.network,
            operator_name=config.operator,
            plan_lookup=self._plan_of,
            imei=str(self.device.imei),
            calendar_start=self.calendar_start,
        )
        self.events.subscribe(self.platform.observe)
        # The Mobile Plans service calling the operator's APIs (the sample operator by default).
        self.operator_api = OperatorApiWorld(
            config.data_dir / OPERATOR_API,
            runtime.loop,
            self.events,
            self.poster.post,
            base_url=config.operator_api_url,
            iccid_ranges=config.iccid_ranges,
            brand_name=config.operator,
            configuration=config.operator_configuration,
        )
        self.host = BridgeHost(self.page, self.session, self.events)
        self.page.loadFinished.connect(self._on_load_finished)

        self.window = MainWindow(
            self.page, self.device, config.operator, window_settings(config.data_dir)
        )
        self.events.subscribe(self.window.observe)
        self._add_panels()
        # Flyout, Gateway page and notifications from the operator's APIs ("MO service" panel).
        self.operator_experience = OperatorExperienceUi(self)
        self.walled_garden = install_walled_garden(self, config.walled_garden)
        self.window.backRequested.connect(self._on_back)
        self.window.leaveAnswered.connect(self.session.leave_answered)
        # Provider page -> the operator's Gateway page (GetOffers) -> its button opens the portal.
        self.window.continueRequested.connect(self.operator_experience.service.open_gateway)
        self.window.errorAnswered.connect(self.flows.error_answered)
        self.window.balanceClosed.connect(self.flows.balance_closed)
        self.window.toastAnswered.connect(self.flows.toast_answered)
        self.events.emit(
            "app.started",
            portal=self.portal_uri,
            bundled_portal=self.sample_backend is not None,
            notification_host=self.notification_host,
            device=self.device.describe(),
            time_scale=config.time_scale,
        )

    def _carrier_line(self, iccid: str) -> dict[str, Any] | None:
        """The operator platform's line for the sample portal (called on the server loop)."""
        platform = getattr(self, "platform", None)
        if platform is None:
            return None
        try:
            line = platform.carrier.line(iccid)
        except IdentifierError:
            return None
        return None if line is None else line_fields(line)

    def calendar_today(self) -> date:
        """The virtual date: the day the run started plus the virtual clock's seconds."""
        return (self.calendar_start + timedelta(seconds=self.clock.now())).date()

    def _plan_of(self, operation: str) -> str:
        flow = self.flows.flows.get(operation)
        return "" if flow is None else flow.plan_name

    def _add_panels(self) -> None:
        """The eSIM, Operator and Clock panels, tabbed with the Device panel they extend."""
        window = self.window
        self.euicc_panel = EuiccPanel(self.esim, self.network, self.device)
        self.operator_panel = OperatorPanel(
            self.esim, None if self.sample_backend is None else self.sample_backend.next_order
        )
        self.clock_panel = ClockPanel(self.clock)
        self.platform_panel = PlatformPanel(**self.platform.panel_args())
        device_dock = window.docks["device"]
        for name, panel in (
            ("eSIM", self.euicc_panel),
            ("Operator", self.operator_panel),
            ("Clock", self.clock_panel),
            ("Platform", self.platform_panel),
        ):
            # In a scroll area, so a wide table does not squeeze the portal's 800 pixels.
            scroller = PanelScroller()
            scroller.setWidgetResizable(True)
            scroller.setWidget(panel)
            dock = window.add_dock(name, scroller, Qt.DockWidgetArea.LeftDockWidgetArea)
            window.tabifyDockWidget(device_dock, dock)
            window.docks[name.lower()] = dock
        window.docks["esim"].raise_()

        def refresh(event: Event) -> None:
            if event.kind in ("euicc.profile", "network.registration"):
                self.euicc_panel.refresh()
            elif event.kind == "smdp.order":
                self.operator_panel.refresh()
            elif event.kind == "thingspace.received":
                self.platform_panel.add_received(event)
            elif event.kind in ("thingspace.sent", "carrier.line"):
                self.platform_panel.refresh()

        self.events.subscribe(refresh)

    # PortalChannel, delegated to the bridge host (kept here so the session sees one object).
    def deliver_callback(self, doc: str, script_property: str, argument: str) -> str | None:
        return self.host.deliver_callback(doc, script_property, argument)

    def _portal_site(self, config: SimulatorConfig) -> tuple[str, str | None]:
        if config.portal_url:
            return config.portal_url, None
        if config.portal_dir:
            self.runtime.front.attach(PORTAL_DIR_HOST, Site(root=Path(config.portal_dir)))
            return f"https://{PORTAL_DIR_HOST}/", PORTAL_DIR_HOST
        # The bundled operator: its backend orders real profiles on the stub SM-DP+ (ES2+).
        self.sample_backend = SampleBackend(
            f"https://{self.esim.smdp_address}",
            {self.esim.smdp_address: ("127.0.0.1", self.esim.smdp_port)},
            [self.esim.certificates.ci.certificate],
            carrier_line=self._carrier_line,
            es2_secret=self.esim.server.es2_credential().secret,
            set_behaviour=self.esim.set_behaviour_by_iccid,
            clock=self.clock.now,
            operator_name=config.operator,
            today=self.calendar_today,
        )
        self.runtime.front.attach(
            SAMPLE_PORTAL_HOST, self.sample_backend.site(resource_path("portal"))
        )
        return f"https://{SAMPLE_PORTAL_HOST}/", SAMPLE_PORTAL_HOST

    # -- launching ---------------------------------------------------------------------------
    @Slot()
    def launch(self) -> PortalLaunch:
        """Open the portal as the real app does: query parameters, headers, fresh bridge."""
        launch = self.launcher.build(self.flows.lpa_errors.take())
        self.last_launch = launch
        self.host.configure(self.notification_host)
        extra = {k: v for k, v in launch.headers.items() if k != "Accept-Language"}
        self.interceptor.arm(launch.url, extra)
        self.events.emit(
            "portal.launch", url=launch.url, params=launch.params, headers=launch.headers
        )
        self.session.launched(launch.transaction_id)
        self.page.load(QUrl(launch.url))
        return launch

    @Slot(bool)
    def _on_load_finished(self, ok: bool) -> None:
        url = self.page.url().toString()
        if url.startswith("about:"):
            return
        if ok:
            self.events.emit(
                "portal.loaded",
                url=url,
                title=self.page.title(),
                bridge=self.host.policy.allows(url),
            )
        elif self.session.screen is Screen.PORTAL:
            cv = self.last_launch.transaction_id if self.last_launch else ""
            self.session.load_failed(url, cv)

    @Slot()
    def _on_back(self) -> None:
        if self.session.back_pressed(self.window.view.history().canGoBack()):
            self.window.view.back()

    # -- tear-down -----------------------------------------------------------------------------
    def close(self) -> None:
        """Tear down in the order QtWebEngine needs: window, page, then the profile."""
        # First silence everything that could still fire into closed stores.
        self.poster.close()
        self.clock_driver.stop()
        self.clock.cancel_all()
        self.events.close()
        # The panels poll the stores closed below; the window is not our child, so both trees.
        for timer in [*self.findChildren(QTimer), *self.window.findChildren(QTimer)]:
            timer.stop()
        self.platform.close()
        self.operator_api.close()
        self.esim.close()
        if self._hosted:
            self.runtime.front.detach(self._hosted)
        if self.sample_backend is not None:
            self.runtime.loop.run(self.sample_backend.aclose())
        self.events.unsubscribe(self.window.observe)
        self.page.triggerAction(QWebEnginePage.WebAction.Stop)
        self.window.close()
        # Deferred deletes run in the order posted: the view, then its page, then the profile.
        self.clock_driver.stop()
        self.window.deleteLater()
        self.page.deleteLater()
        self.profile.deleteLater()
        # Qt, not Python's garbage collector, decides when the rest goes: a wrapper collected
        # mid-event would delete C++ children that still have events queued.
        self.deleteLater()
