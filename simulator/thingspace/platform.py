"""The operator platform (emitter side): registrations, delivery and the billing-cycle timer.

:class:`Platform` ties a :class:`RegistrationStore`, a :class:`Deliverer` and the platform's
:class:`CarrierModel` together: ``send`` finds the listener registered for the message's service
(§2.1, §2.2), echoes its username/password and delivers on the wire it was registered through
(SOAP registration: SOAP callbacks; REST: JSON). A timer on the virtual clock closes billing
cycles and sends a PromoChange for each promotion that ended (§1.2.1).

:class:`PlatformServer` serves the registration API on 127.0.0.1 (port 0 by default).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web

from simulator.clock import TimerHandle, VirtualClock
from simulator.events import EventLog

from .carrier import CALENDAR_START, CarrierModel
from .codec import CallbackMessage
from .delivery import Deliverer, DeliveryTarget, OutboxEntry
from .registration_api import RegistrationApi
from .registrations import SANDBOX_ACCOUNT, RegistrationStore

# §1.2.1: PromoChange goes out "shortly after" the cycle ends; one virtual minute here.
BILLING_SEND_DELAY = 60.0


class Platform:
    """The ThingSpace-style platform of one account (``TestAccount-2`` as in the sandbox)."""

    def __init__(
        self,
        clock: VirtualClock,
        events: EventLog,
        registrations: RegistrationStore,
        deliverer: Deliverer,
        carrier: CarrierModel | None = None,
        *,
        account: str = SANDBOX_ACCOUNT,
        calendar_start: datetime = CALENDAR_START,
        billing_send_delay: float = BILLING_SEND_DELAY,
    ) -> None:
        self.clock = clock
        self.events = events
        self.registrations = registrations
        self.deliverer = deliverer
        self.carrier = carrier
        self.account = account
        self.calendar_start = calendar_start
        self.billing_send_delay = billing_send_delay
        self._billing_timer: TimerHandle | None = None

    def calendar_now(self) -> datetime:
        """The simulated calendar date: ``calendar_start`` plus the clock's virtual seconds."""
        return self.calendar_start + timedelta(seconds=self.clock.now())

    def send(self, messages: CallbackMessage | list[CallbackMessage]) -> list[OutboxEntry]:
        """Deliver to the listener registered for each message's service; none: logged, dropped."""
        batch = messages if isinstance(messages, list) else [messages]
        entries: list[OutboxEntry] = []
        for message in batch:
            service = message.service
            registration = (
                None if service is None else self.registrations.lookup(self.account, service)
            )
            if registration is None:
                self.events.emit(
                    "thingspace.sent",
                    service=None if service is None else service.value,
                    request_id=message.request_id,
                    devices=[f"{d.kind.value}:{d.value}" for d in message.devices],
                    url=None,
                    status=None,
                    error=f"no listener registered for this service in {self.account} (§2.1)",
                )
                continue
            target = DeliveryTarget(
                registration.url, registration.via, registration.username, registration.password
            )
            entries.extend(self.deliverer.submit(target, [message]))
        return entries

    # -- billing cycles (§1.2.1) -------------------------------------------------------------
    def start_billing(self) -> None:
        """Arm (or re-arm, after lines changed) the timer of the next billing-cycle end."""
        if self._billing_timer is not None:
            self._billing_timer.cancel()
            self._billing_timer = None
        if self.carrier is None:
            return
        end = self.carrier.next_cycle_end()
        if end is None:
            return
        wait = max(0.0, (end - self.calendar_now()).total_seconds()) + self.billing_send_delay
        self._billing_timer = self.clock.call_later(
            wait,
            self._close_billing_cycles,
            f"thingspace billing cycle end {end:%Y-%m-%d}",
            background=True,
        )

    def stop_billing(self) -> None:
        if self._billing_timer is not None:
            self._billing_timer.cancel()
            self._billing_timer = None

    def _close_billing_cycles(self) -> None:
        self._billing_timer = None
        assert self.carrier is not None
        messages = self.carrier.end_billing_cycle(self.calendar_now())
        if messages:
            self.send(messages)
        self.start_billing()


class PlatformServer:
    """The registration API (SOAP and REST) on a local aiohttp server."""

    def __init__(self, registrations: RegistrationStore) -> None:
        self._api = RegistrationApi(registrations)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.host = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        app = web.Application()
        self._api.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host, self.port = host, int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
