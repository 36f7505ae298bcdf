"""The one composition root: builds a simulator and wires its parts (DESIGN.md §3).

No module-level singletons: everything a run or a test needs is constructed here and passed
in through constructors. `Runtime` (sockets, TLS, server loop) exists once per process because
Chromium's resolver rules are fixed at start-up; a `Simulator` can be built many times on it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer, QUrl, Slot
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

from simulator import gui_collector, startup_timeline
from simulator.back_office import DeferredBackOffice
from simulator.bridge.host import BridgeHost
from simulator.bridge.interceptor import LaunchHeaderInterceptor
from simulator.bridge.page import PortalPage
from simulator.clock import VirtualClock
from simulator.data_dir import OPERATOR_API, THINGSPACE, card_file, stored_card_iccids
from simulator.device import SimulatedDevice
from simulator.esim_startup import (
    DeferredBackendSite,
    DeferredEsimPort,
    EsimParts,
    EsimStartup,
    build_esim_parts,
)
from simulator.events import EventLog
from simulator.flows.engine import FlowEngine, FlowOptions
from simulator.flows.portal_session import PortalSession
from simulator.flows.screens import Screen
from simulator.modem import follow_the_card_once_built
from simulator.network import SimulatedNetwork
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES, IccidRange
from simulator.portal.garden_interceptor import install_walled_garden
from simulator.portal.hosting import Site
from simulator.portal.launch import LaunchBuilder, PortalLaunch
from simulator.portal.tls import HOSTED_DOMAIN
from simulator.portal.walled_garden import GardenMode
from simulator.qt_clock import MainThreadPoster, QtClockDriver
from simulator.resources import resource_path
from simulator.runtime import Runtime
from simulator.startup_timeline import mark
from simulator.ui.layout import window_settings
from simulator.ui.main_window import MainWindow

if TYPE_CHECKING:
    from simulator.esim_world import EsimWorld
    from simulator.operator_api.catalog import Catalog
    from simulator.operator_api.config import ServiceConfiguration
    from simulator.operator_api.world import OperatorApiWorld
    from simulator.platform_world import PlatformWorld
    from simulator.portal.sample_backend import SampleBackend
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

    @property
    def bundled_portal(self) -> bool:
        """No portal option: the bundled sample operator's portal and backend."""
        return not self.portal_url and not self.portal_dir

    # or the team's whole service configuration (--operator-config FILE)
    operator_configuration: ServiceConfiguration | None = None
    # the operator calendar's first day (naive UTC); None: today (a replay passes the recorded one)
    calendar_start: datetime | None = None
    # several operators (--operator-config with an operators list): the catalog comes first
    operator_catalog: Catalog | None = None
    # the walled garden of a PC without a plan: enforce, report (hosts outside it) or off
    walled_garden: GardenMode = GardenMode.REPORT


class Simulator(QObject):
    """One simulated PC with the Mobile Plans app, its portal and its panels.

    Built in the order that shows the portal soonest: the web page, the bridge and the window
    first; once the portal has loaded (or at first use), the eSIM world and the bundled
    operator's backend on a worker thread (`simulator.esim_startup`), then the back office:
    operator platform, operator APIs, side panels (`simulator.back_office`). Every part is
    reached through the same attributes either way.
    """

    def __init__(self, config: SimulatorConfig, runtime: Runtime) -> None:
        super().__init__()
        # Garbage collection on the GUI thread only, while this simulator lives: see there.
        gui_collector.collector().acquire()
        self._collecting = True
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

        # The eSIM world: eUICC, stub SM-DP+ and LPA, with results posted to this thread; built
        # on a worker once the portal has loaded, or at its first use.
        self.poster = MainThreadPoster(self)
        self._esim = EsimStartup(lambda: build_esim_parts(self))
        # The launch URL lists the card's ICCIDs: read from its memory until the world exists.
        self.device.profile_iccids = self._card_iccids

        # An off-the-record profile per simulator: no cookies or cache leak between runs/tests.
        self.profile = QWebEngineProfile(self)
        self.profile.setHttpAcceptLanguage(config.accept_language)
        self.interceptor = LaunchHeaderInterceptor(self)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.page = PortalPage(self.profile, runtime.tls.leaf_der, self)
        mark("profile and page made")

        self.portal_uri, self._hosted = self._portal_site(config)
        self.notification_host = (
            config.notification_host or urlsplit(self.portal_uri).hostname or ""
        ).lower()
        self.network = SimulatedNetwork(self.clock, self.events)
        follow_the_card_once_built(self._esim.future, self.network, self.poster.post)

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
            DeferredEsimPort(lambda: self.esim),
            self.network,
            self.session,
            FlowOptions(operator_name=config.operator, sm_ds_enabled=config.sm_ds_enabled),
        )
        self.session.flows = self.flows
        # The data directory has its layout from the start, even if the run ends before the
        # back office's stores exist.
        for name in (THINGSPACE, OPERATOR_API):
            (config.data_dir / name).mkdir(parents=True, exist_ok=True)
        self.host = BridgeHost(self.page, self.session, self.events)
        self.page.loadFinished.connect(self._on_load_finished)

        self.window = MainWindow(
            self.page, self.device, config.operator, window_settings(config.data_dir)
        )
        self.events.subscribe(self.window.observe)
        mark("window built")
        self.back_office = DeferredBackOffice(self)
        self.walled_garden = install_walled_garden(self, config.walled_garden)
        self.window.backRequested.connect(self._on_back)
        self.window.leaveAnswered.connect(self.session.leave_answered)
        # Provider page -> the operator's Gateway page (GetOffers) -> its button opens the portal.
        self.window.continueRequested.connect(self._open_gateway)
        self.window.errorAnswered.connect(self.flows.error_answered)
        self.window.balanceClosed.connect(self.flows.balance_closed)
        self.window.toastAnswered.connect(self.flows.toast_answered)
        self.events.emit(
            "app.started",
            portal=self.portal_uri,
            bundled_portal=config.bundled_portal,
            notification_host=self.notification_host,
            device=self.device.describe(),
            time_scale=config.time_scale,
        )
        if startup_timeline.enabled():
            self._mark_page_steps()

    # -- the eSIM world, built on a worker thread ----------------------------------------------
    @property
    def esim(self) -> EsimWorld:
        """The eSIM world (waits for the start-up worker the first time, if still building)."""
        return self._esim.parts().world

    @property
    def sample_backend(self) -> SampleBackend | None:
        """The bundled operator's backend; None with another portal."""
        return self._esim.parts().sample_backend

    def start_esim(self) -> None:
        """Start building the eSIM world now, for a run that will need it soon (a demo)."""
        self._esim.start()

    def when_esim_fails(self, handler: Callable[[BaseException], None]) -> None:
        """Call `handler` on this thread if the eSIM world cannot be built (a data directory
        that cannot be used): the run reports it instead of failing at the first use."""

        def settled(future: Future[EsimParts]) -> None:
            error = future.exception()
            if error is not None:
                self.poster.post(lambda: handler(error))

        self._esim.future.add_done_callback(settled)

    def esim_error(self) -> BaseException | None:
        """Why the eSIM world could not be built, once a started build has ended; else None."""
        self._esim.settled()
        future = self._esim.future
        return future.exception() if future.done() else None

    def _card_iccids(self) -> list[str]:
        parts = self._esim.built()
        if parts is not None:
            return parts.world.iccids()
        return stored_card_iccids(card_file(self.config.data_dir))

    # -- the back office, built after the portal's first load or on first use -----------------
    @property
    def platform(self) -> PlatformWorld:
        return self.back_office.get().platform

    @property
    def operator_api(self) -> OperatorApiWorld:
        return self.back_office.get().operator_api

    @property
    def operator_experience(self) -> OperatorExperienceUi:
        return self.back_office.get().operator_experience

    @property
    def euicc_panel(self) -> EuiccPanel:
        return self.back_office.get().euicc_panel

    @property
    def operator_panel(self) -> OperatorPanel:
        return self.back_office.get().operator_panel

    @property
    def clock_panel(self) -> ClockPanel:
        return self.back_office.get().clock_panel

    @property
    def platform_panel(self) -> PlatformPanel:
        return self.back_office.get().platform_panel

    @Slot()
    def _open_gateway(self) -> None:
        self.operator_experience.service.open_gateway()

    def _carrier_line(self, iccid: str) -> dict[str, Any] | None:
        """The operator platform's line for the sample portal (called on the server loop)."""
        # Never built from here (the server loop): before the back office exists, no line.
        office = self.back_office.built
        if office is None:
            return None
        from esim.identifiers import IdentifierError
        from simulator.platform_world import line_fields

        try:
            line = office.platform.carrier.line(iccid)
        except IdentifierError:
            return None
        return None if line is None else line_fields(line)

    def calendar_today(self) -> date:
        """The virtual date: the day the run started plus the virtual clock's seconds."""
        return (self.calendar_start + timedelta(seconds=self.clock.now())).date()

    def plan_of(self, operation: str) -> str:
        """The plan the portal bought in `operation` (the carrier line's plan name)."""
        flow = self.flows.flows.get(operation)
        return "" if flow is None else flow.plan_name

    # PortalChannel, delegated to the bridge host (kept here so the session sees one object).
    def deliver_callback(self, doc: str, script_property: str, argument: str) -> str | None:
        return self.host.deliver_callback(doc, script_property, argument)

    def _portal_site(self, config: SimulatorConfig) -> tuple[str, str | None]:
        if config.portal_url:
            return config.portal_url, None
        if config.portal_dir:
            self.runtime.front.attach(PORTAL_DIR_HOST, Site(root=Path(config.portal_dir)))
            return f"https://{PORTAL_DIR_HOST}/", PORTAL_DIR_HOST
        # The bundled operator's pages at once; its backend's answers once the worker built it.
        self.runtime.front.attach(
            SAMPLE_PORTAL_HOST, DeferredBackendSite(resource_path("portal"), self._esim)
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
        mark("load() issued")
        return launch

    @Slot(bool)
    def _on_load_finished(self, ok: bool) -> None:
        try:
            self._report_the_load(ok)
        finally:
            # The page load had the machine to itself; now the eSIM world is built (if no
            # flow or panel asked for it already), once the load's own event is out: the
            # build's imports hold the interpreter its subscribers need.
            self._esim.start()

    def _report_the_load(self, ok: bool) -> None:
        url = self.page.url().toString()
        if url.startswith("about:"):
            return
        if ok:
            mark("loadFinished")
            self.events.emit(
                "portal.loaded",
                url=url,
                title=self.page.title(),
                bridge=self.host.policy.allows(url),
            )
            startup_timeline.report()
        elif self.session.screen is Screen.PORTAL:
            cv = self.last_launch.transaction_id if self.last_launch else ""
            self.session.load_failed(url, cv)

    def _mark_page_steps(self) -> None:
        """Timeline marks for the page's steps between `load()` and `loadFinished`."""
        self.page.loadStarted.connect(lambda: mark("loadStarted"))
        self.page.certificateError.connect(lambda _error: mark("certificate error signalled"))
        self.page.urlChanged.connect(lambda _url: mark("urlChanged"))
        self.page.loadProgress.connect(lambda percent: mark(f"loadProgress {percent}%"))
        self.events.subscribe(
            lambda event: mark("bridge.ready") if event.kind == "bridge.ready" else None,
            kinds={"bridge.ready"},
        )

    @Slot()
    def _on_back(self) -> None:
        if self.session.back_pressed(self.window.view.history().canGoBack()):
            self.window.view.back()

    # -- tear-down -----------------------------------------------------------------------------
    def close(self) -> None:
        """Tear down in the order QtWebEngine needs: window, page, then the profile."""
        # First silence everything that could still fire into closed stores.
        if self._collecting:
            self._collecting = False
            gui_collector.collector().release()
        self.poster.close()
        self.clock_driver.stop()
        self.clock.cancel_all()
        self.events.close()
        # The panels poll the stores closed below; the window is not our child, so both trees.
        for timer in [*self.findChildren(QTimer), *self.window.findChildren(QTimer)]:
            timer.stop()
        self.back_office.close()
        if self._hosted:
            self.runtime.front.detach(self._hosted)
        parts = self._esim.close()  # a build still running is waited for, then closed
        if parts is not None:
            parts.world.close()
            if parts.sample_backend is not None:
                self.runtime.loop.run(parts.sample_backend.aclose())
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
