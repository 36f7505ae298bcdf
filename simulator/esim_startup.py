"""The eSIM world and the bundled operator's backend, built on a worker thread during start-up.

Neither is needed to show the portal, and their imports (asn1tools, the LPA, the SM-DP+, httpx)
and set-up (PKI, SQLite stores, the SM-DP+'s listener) take a large share of start-up. So the
composition root starts the portal's page load first and builds them here once the page has
loaded; whatever needs them earlier (a backend request, a flow, a panel, a test) starts the
build and waits for it.

No Qt: the parts built here talk to the GUI thread only through the `post` they are given.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.data_dir import ESIM
from simulator.flows.ports import CardOutcome, DownloadOutcome, Progress
from simulator.portal.hosting import Site
from simulator.portal.http_messages import Answer, Request, Response

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.esim_world import EsimWorld
    from simulator.portal.sample_backend import SampleBackend

# How long a backend request waits for someone else to start the build (the app does when the
# portal's page has loaded) before it starts the build itself.
BACKEND_WAITS_FOR_THE_PAGE = 1.0


@dataclass(frozen=True)
class EsimParts:
    """What the worker builds: the eSIM world, and the sample backend for the bundled portal."""

    world: EsimWorld
    sample_backend: SampleBackend | None


def build_esim_parts(sim: Simulator) -> EsimParts:
    """The eSIM world of `sim` and, for the bundled portal, its backend. Runs on the start-up
    worker: touches no Qt object and emits no event itself."""
    from simulator.esim_world import EsimWorld

    config = sim.config
    world = EsimWorld(
        config.data_dir / ESIM,
        str(sim.device.eid),
        sim.runtime.loop,
        sim.clock,
        sim.events,
        sim.poster.post,
        operator_name=config.operator,
        smdp_hosts=config.smdp_hosts,
        memory_limit_bytes=config.euicc_capacity,
    )
    backend = None
    if config.bundled_portal:
        from simulator.portal.sample_backend import SampleBackend

        # The bundled operator: its backend orders real profiles on the stub SM-DP+ (ES2+).
        backend = SampleBackend(
            f"https://{world.smdp_address}",
            {world.smdp_address: ("127.0.0.1", world.smdp_port)},
            [world.certificates.ci.certificate],
            carrier_line=sim._carrier_line,  # the platform's line, once it exists
            es2_secret=world.server.es2_credential().secret,
            set_behaviour=world.set_behaviour_by_iccid,
            clock=sim.clock.now,
            operator_name=config.operator,
            today=sim.calendar_today,
        )
    return EsimParts(world, backend)


class EsimStartup:
    """Builds the parts once on a worker thread, started by `start` or by the first use."""

    def __init__(self, build: Callable[[], EsimParts]) -> None:
        self.future: Future[EsimParts] = Future()
        self.started: Future[None] = Future()  # done once the build is started (or closed)
        self._thread = threading.Thread(
            target=self._run, args=(build,), name="esim-startup", daemon=True
        )
        self._start_lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the build (once; from any thread); after `close`, nothing."""
        with self._start_lock:
            if self._thread.ident is None and not self._closed:
                self._thread.start()
                self.started.set_result(None)

    def _run(self, build: Callable[[], EsimParts]) -> None:
        try:
            parts = build()
        except BaseException as error:  # handed to whoever waits for the parts
            self.future.set_exception(error)
        else:
            self.future.set_result(parts)

    def parts(self) -> EsimParts:
        """The built parts, waiting for the build (started now if need be); raises its error."""
        self.start()
        return self.future.result()

    def built(self) -> EsimParts | None:
        """The parts if they are built already, else None (never waits)."""
        if self.future.done() and self.future.exception() is None:
            return self.future.result()
        return None

    def settled(self) -> EsimParts | None:
        """Wait for a started build to end: the parts, or None when it failed or never started
        (for closing)."""
        with self._start_lock:
            started = self._thread.ident is not None
        if started:
            self._thread.join()
        return self.built()

    def close(self) -> EsimParts | None:
        """No build starts from now on (a portal request still on the server loop may ask):
        the parts of a started build, once it ended, for the caller to close; a build never
        started fails its waiters instead of leaving them waiting."""
        with self._start_lock:
            self._closed = True
            if self._thread.ident is None and not self.future.done():
                self.future.set_exception(RuntimeError("the simulator is closed"))
            if not self.started.done():
                self.started.set_result(None)  # nothing will start it: nobody waits for it
        return self.settled()


class DeferredEsimPort:
    """The flows' view of the card (`simulator.flows.ports.EsimPort`), resolved on each call: a
    flow's first card operation waits for the eSIM world if it is still being built."""

    def __init__(self, world: Callable[[], EsimWorld]) -> None:
        self._world = world

    def download(
        self,
        activation_code: str,
        *,
        confirmation_code: str | None,
        progress: Progress,
        done: Callable[[DownloadOutcome], None],
    ) -> None:
        self._world().download(
            activation_code, confirmation_code=confirmation_code, progress=progress, done=done
        )

    def enable(self, iccid: str, done: Callable[[CardOutcome], None]) -> None:
        self._world().enable(iccid, done)

    def iccids(self) -> list[str]:
        return self._world().iccids()

    def enabled_iccid(self) -> str | None:
        return self._world().enabled_iccid()

    def discover(self) -> str | None:
        return self._world().discover()


class DeferredBackendSite(Site):
    """The bundled portal's site while its backend is being built: pages, scripts and styles are
    answered at once from the folder; a backend request (`/api/...`) waits for the backend, then
    everything goes through the backend's own site.

    The portal asks for its plans while its page is still loading. A request before the build
    has started waits for the app to start it (once the page has loaded), or
    :data:`BACKEND_WAITS_FOR_THE_PAGE` at most, then starts it itself: the build's imports would
    otherwise hold the interpreter, which the GUI thread needs to finish the page's load."""

    def __init__(self, root: Path, startup: EsimStartup) -> None:
        super().__init__(root=root)
        self._startup = startup
        self._site: Site | None = None

    async def respond(self, request: Request) -> Answer:
        if self._site is None:
            backend_call = request.path.startswith("/api/")
            if not backend_call and not self._startup.future.done():
                return await super().respond(request)
            if not self._startup.started.done():
                with contextlib.suppress(TimeoutError):
                    started = asyncio.wrap_future(self._startup.started)
                    await asyncio.wait_for(asyncio.shield(started), BACKEND_WAITS_FOR_THE_PAGE)
            self._startup.start()
            try:
                parts = await asyncio.wrap_future(self._startup.future)
            except Exception as error:  # the run reports it as well; the page gets an answer
                if not backend_call:
                    return await super().respond(request)
                return Response.text(503, f"the operator's backend could not start: {error}\n")
            if parts.sample_backend is None:  # the composition root builds one with this site
                raise RuntimeError("the bundled portal's backend was not built")
            self._site = parts.sample_backend.site(self.root)
        return await self._site.respond(request)
