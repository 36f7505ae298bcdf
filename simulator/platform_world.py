"""The operator platform of one simulated PC: carrier lines, the built-in listener, delivery.

No Qt (like :mod:`simulator.esim_world`). The ThingSpace-style platform (issue 5 items 3-6 as
they concern the app) is built here: the carrier model, the registration store and API, the
operator's built-in :class:`CallbackListener`, a :class:`Deliverer` with the documented retry
schedule (ThingSpace retries doc) and the :class:`Platform` whose billing-cycle timer
sends PromoChange (§1.2.1). The built-in listener is registered for PromoChanges,
DeviceSuspensionStatus, ExternalProvisioningChanges and CarrierService on the sandbox account
(§2.2), so a cycle end travels over HTTP into the listener and onto the line.

Threading (DESIGN.md §3): the servers and every HTTP exchange run on the background loop; the
:class:`VirtualClock` and the :class:`EventLog` belong to the GUI thread. The listener and the
Deliverer therefore get a :class:`PostedEvents` and a :class:`PostedClock`, which hand each
``emit`` and ``call_later`` to *post* (the composition root's MainThreadPoster). What a callback
changes on a line (``carrier.line`` events, network registration) is handled there as well.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from simulator.background import BackgroundLoop
from simulator.clock import TimerCallback, TimerHandle, VirtualClock
from simulator.events import Event, EventLog
from simulator.network import Registration as NetworkState
from simulator.network import SimulatedNetwork
from simulator.thingspace.billing import BillingCycle
from simulator.thingspace.carrier import (
    CALENDAR_START,
    AppliedChange,
    CarrierModel,
    Line,
    LineStatus,
    Promotion,
)
from simulator.thingspace.codec import CallbackMessage, ServiceName
from simulator.thingspace.delivery import Deliverer, DeliveryMode, RetrySchedule
from simulator.thingspace.listener import CallbackListener
from simulator.thingspace.platform import Platform, PlatformServer
from simulator.thingspace.registrations import (
    SANDBOX_ACCOUNT,
    RegisteredVia,
    RegistrationError,
    RegistrationStore,
    is_loopback_host,
)

Post = Callable[[Callable[[], None]], None]
PlanLookup = Callable[[str], str]

BUILTIN_USERNAME = "mobileplans-listener"
WELCOME_PROMOTION = "WELCOME5GB"
BUILTIN_SERVICES = (
    ServiceName.PROMO_CHANGES,
    ServiceName.DEVICE_SUSPENSION_STATUS,
    ServiceName.EXTERNAL_PROVISIONING_CHANGES,
    ServiceName.CARRIER_SERVICE,
)

__all__ = [
    "BUILTIN_SERVICES",
    "BUILTIN_USERNAME",
    "WELCOME_PROMOTION",
    "PlatformWorld",
    "PostedClock",
    "PostedEvents",
    "line_fields",
]


class PostedEvents:
    """The part of :class:`EventLog` the listener and the Deliverer use, callable from any
    thread: each ``emit`` runs later on the log's own thread, through *post*."""

    def __init__(self, events: EventLog, post: Post) -> None:
        self._events = events
        self._post = post

    def emit(self, kind: str, **fields: Any) -> None:
        def emit() -> None:
            self._events.emit(kind, **fields)

        self._post(emit)


class PostedClock:
    """The part of :class:`VirtualClock` the Deliverer uses, callable from any thread.

    ``now`` reads the clock's current virtual time (one float). ``call_later`` returns at once
    with a :class:`TimerHandle` that can be cancelled from any thread; the timer itself is put
    on the clock through *post*, due at the same virtual instant, and its callback runs on the
    clock's thread. After :meth:`close`, nothing more is scheduled and nothing pending fires.
    """

    def __init__(self, clock: VirtualClock, post: Post) -> None:
        self._clock = clock
        self._post = post
        self._lock = threading.Lock()
        self._timers: list[TimerHandle] = []
        self._closed = False

    def now(self) -> float:
        return self._clock.now()

    def call_later(
        self, seconds: float, callback: TimerCallback, label: str, *, background: bool = False
    ) -> TimerHandle:
        if seconds < 0:
            raise ValueError(f"a timer cannot be scheduled {seconds} s in the past")
        proxy = TimerHandle(
            label=label, due=self._clock.now() + seconds, callback=callback, background=background
        )

        def fire() -> None:
            if proxy.pending and not self._closed:
                proxy.fired = True
                callback()

        def schedule() -> None:
            if not proxy.pending or self._closed:
                return
            wait = max(0.0, proxy.due - self._clock.now())
            timer = self._clock.call_later(wait, fire, label, background=background)
            with self._lock:
                self._timers = [t for t in self._timers if t.pending]
                self._timers.append(timer)

        self._post(schedule)
        return proxy

    def close(self) -> None:
        """Cancel every timer put on the clock; must run on the clock's thread."""
        self._closed = True
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()


def line_fields(line: Line) -> dict[str, Any]:
    """The fields of a ``carrier.line`` event for *line*."""
    return {
        "iccid": str(line.iccid),
        "mdn": str(line.mdn),
        "msisdn": str(line.msisdn),
        "plan": line.plan,
        "promotions": [
            {"code": p.code, "ends_on": p.ends_on.date().isoformat()} for p in line.promotions
        ],
        "status": line.status.value,
    }


class PlatformWorld:
    """The ThingSpace-style platform and the operator's side of it, for one simulated PC."""

    def __init__(
        self,
        data_dir: Path,
        loop: BackgroundLoop,
        clock: VirtualClock,
        events: EventLog,
        post: Post,
        *,
        network: SimulatedNetwork,
        operator_name: str = "Contoso Mobile",
        plan_lookup: PlanLookup | None = None,
        imei: str | None = None,
        username: str = BUILTIN_USERNAME,
        password: str | None = None,
        account: str = SANDBOX_ACCOUNT,
        schedule: RetrySchedule | None = None,
        mode: DeliveryMode = DeliveryMode.IN_ORDER,
        calendar_start: datetime = CALENDAR_START,
    ) -> None:
        self.data_dir = data_dir
        self.loop = loop
        self.clock = clock
        self.events = events
        self.post = post
        self.network = network
        self.operator_name = operator_name
        self.plan_lookup = plan_lookup
        self.imei = imei
        self.account = account
        self.username = username
        # §2.2: callback credentials are 40 characters or fewer; 32 here.
        self.password = password if password is not None else secrets.token_urlsafe(24)
        self._closed = False

        data_dir.mkdir(parents=True, exist_ok=True)
        self.carrier = CarrierModel.open(data_dir)
        self.registrations = RegistrationStore.open(data_dir)
        self._posted_events = PostedEvents(events, post)
        self._posted_clock = PostedClock(clock, post)
        # Both run on the loop thread: they see the clock and the log only through `post`.
        loop_events = cast(EventLog, self._posted_events)
        self.listener = CallbackListener(
            self.carrier,
            self.username,
            self.password,
            loop_events,
            on_applied=self._on_applied,
        )
        self.server = PlatformServer(self.registrations)
        self.deliverer = Deliverer(
            cast(VirtualClock, self._posted_clock),
            loop_events,
            loop.loop,
            schedule=schedule or RetrySchedule.documented(),
            mode=mode,
        )
        self.platform = Platform(
            clock,
            events,
            self.registrations,
            self.deliverer,
            self.carrier,
            account=account,
            calendar_start=calendar_start,
        )
        try:
            loop.run(self.listener.start())
            loop.run(self.server.start())
            self._register_builtin_listener()
        except BaseException:
            self.close()
            raise
        self.platform.start_billing()

    # -- wiring ------------------------------------------------------------------------------
    @property
    def listener_url(self) -> str:
        return self.listener.url

    @property
    def platform_url(self) -> str:
        """The registration API (SOAP ``CallbackRegistrationService.svc`` and REST)."""
        return self.server.url

    def _register_builtin_listener(self) -> None:
        """Register the built-in listener for each of :data:`BUILTIN_SERVICES` (§2.1).

        A registration left by an earlier run of the built-in listener (its username, a
        loopback URL) is replaced: its port is gone. Anyone else's registration is kept, since
        only one listener per service per account is allowed (§2.2).
        """
        for service in BUILTIN_SERVICES:
            existing = self.registrations.lookup(self.account, service)
            if existing is not None:
                on_this_machine = is_loopback_host(urlsplit(existing.url).hostname or "")
                ours = existing.username == self.username and on_this_machine
                if not ours or (
                    existing.url == self.listener_url and existing.password == self.password
                ):
                    continue
                self.registrations.unregister(self.account, service)
            try:
                self.registrations.register(
                    self.account,
                    service,
                    self.listener_url,
                    username=self.username,
                    password=self.password,
                    via=RegisteredVia.SOAP,
                )
            except RegistrationError:
                continue  # registered meanwhile through the API: theirs wins

    def panel_args(self) -> dict[str, Any]:
        """The keyword arguments of ``PlatformPanel`` (simulator/ui/panels/platform.py)."""
        return {
            "carrier": self.carrier,
            "registrations": self.registrations,
            "deliverer": self.deliverer,
            "listener_url": self.listener_url,
            "username": self.username,
            "password": self.password,
            "account": self.account,
        }

    # -- lines from the flows (issue 5 item 5) -----------------------------------------------
    def observe(self, event: Event) -> None:
        """EventLog subscriber: a profile enabled through a flow gets a carrier line."""
        if self._closed or event.kind != "flow.state" or event.fields.get("state") != "enabled":
            return
        iccid = event.fields.get("iccid")
        if not isinstance(iccid, str) or not iccid:
            return
        plan_name = ""
        operation = event.fields.get("operation")
        if self.plan_lookup is not None and isinstance(operation, str):
            plan_name = self.plan_lookup(operation)
        try:
            self.line_for_installed_profile(iccid, plan_name)
        except ValueError as error:  # an ICCID the carrier model refuses; never crash the app
            self.events.emit(
                "carrier.line", iccid=iccid, change="refused", error=str(error), status=None
            )

    def line_for_installed_profile(self, iccid: str, plan_name: str = "") -> Line:
        """The carrier line of *iccid*, created if needed with :data:`WELCOME_PROMOTION`
        ending at the line's first billing-cycle end; the billing timer is re-armed."""
        existing = self.carrier.line(iccid)
        if existing is not None:
            return existing
        start = self.platform.calendar_now()
        billing = BillingCycle(day_of_month=1)
        line = self.carrier.create_line(
            iccid,
            plan_name or f"{self.operator_name} plan",
            [Promotion(WELCOME_PROMOTION, billing.next_end(start))],
            imei=self.imei,
            billing=billing,
            cycle_start=start,
        )
        self.events.emit("carrier.line", change="created", **line_fields(line))
        self.platform.start_billing()
        return line

    # -- callbacks applied to lines (issue 5 item 4) -----------------------------------------
    def _on_applied(self, message: CallbackMessage, change: AppliedChange) -> None:
        # The listener's loop thread: everything else happens on the GUI thread.
        if change.applied and change.iccid is not None:
            self.post(lambda: self._line_changed(change))

    def _line_changed(self, change: AppliedChange) -> None:
        if self._closed or change.iccid is None:
            return
        iccid = change.iccid
        for column, value in () if change.plan is None else change.plan.updates:
            if column == "iccid":
                iccid = value  # CarrierService ChangeDeviceIdentifier (§1.2.4)
        line = self.carrier.line(iccid)
        if line is None:
            return
        self.events.emit("carrier.line", change=change.outcome, **line_fields(line))
        key = str(line.iccid)
        state = self.network.state(key)
        if line.status is LineStatus.ACTIVE:
            if state is NetworkState.DENIED:
                self.network.register(key)  # resumed: the modem registers again
        elif state is not NetworkState.DENIED:
            self.network.deny(key)  # suspended or deactivated: registration denied

    # -- tear-down ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the billing timer, pending retries and the servers; close the stores.

        Runs on the GUI thread, while the background loop still runs."""
        if self._closed:
            return
        self._closed = True
        self.platform.stop_billing()
        self._posted_clock.close()
        self.loop.run(self.deliverer.close())
        self.loop.run(self.listener.stop())
        self.loop.run(self.server.stop())
        self.carrier.close()
        self.registrations.close()
