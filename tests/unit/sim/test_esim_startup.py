"""The start-up worker that builds the eSIM world while the portal loads, the card's ICCIDs read
before it exists, and the bundled portal's site that answers pages at once (no Qt)."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from simulator import esim_startup
from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.data_dir import stored_card_iccids
from simulator.esim_startup import DeferredBackendSite, DeferredEsimPort, EsimParts, EsimStartup
from simulator.esim_world import EsimWorld
from simulator.events import EventLog
from simulator.portal.hosting import Site
from simulator.portal.http_messages import Headers, Request, Response

EID = "89033023422130000000000199055797"


def get(path: str) -> Request:
    return Request("GET", path, Headers([("Host", "contoso.mobileplans.test")]))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EsimWorld, queue.Queue[Any]]]:
    posted: queue.Queue[Callable[[], None]] = queue.Queue()
    clock = VirtualClock(0, real_now=lambda: 0.0)
    loop = BackgroundLoop()
    esim = EsimWorld(
        tmp_path_factory.mktemp("esim"),
        EID,
        loop,
        clock,
        EventLog(clock),
        posted.put,
    )
    yield esim, posted
    esim.close()
    loop.stop()


def _install(esim: EsimWorld, posted: queue.Queue[Any]) -> str:
    order = esim.create_order(size_bytes=4 * 1024)
    outcomes: list[Any] = []
    esim.download(
        order.activation_code,
        confirmation_code=None,
        progress=lambda *_: None,
        done=outcomes.append,
    )
    while not outcomes:
        posted.get(timeout=60)()
    assert outcomes[0].ok, outcomes[0]
    return order.iccid


def test_the_stored_iccids_are_the_cards_own_list_in_its_order(
    world: tuple[EsimWorld, queue.Queue[Any]],
) -> None:
    esim, posted = world
    card = esim.data_dir / "euicc" / "euicc.sqlite"
    assert stored_card_iccids(card) == [] == esim.iccids()
    installed = [_install(esim, posted), _install(esim, posted)]
    assert stored_card_iccids(card) == esim.iccids()
    assert sorted(stored_card_iccids(card)) == sorted(installed)


def test_a_missing_or_foreign_card_file_lists_no_iccid(tmp_path: Path) -> None:
    assert stored_card_iccids(tmp_path / "absent.sqlite") == []
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    assert stored_card_iccids(garbage) == []
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE meta (key TEXT)").connection.commit()
    assert stored_card_iccids(other) == []


class _FakeWorld:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def iccids(self) -> list[str]:
        self.calls.append("iccids")
        return ["8999001000000000018"]

    def enabled_iccid(self) -> str | None:
        self.calls.append("enabled_iccid")
        return None

    def discover(self) -> str | None:
        self.calls.append("discover")
        return "1$smdp.example$ABC"


def test_the_build_starts_only_when_asked_and_runs_once() -> None:
    builds: list[str] = []
    fake = _FakeWorld()

    def build() -> EsimParts:
        builds.append(threading.current_thread().name)
        return EsimParts(cast(EsimWorld, fake), None)

    startup = EsimStartup(build)
    assert startup.built() is None
    assert startup.settled() is None  # never started: nothing to wait for
    assert builds == []
    startup.start()
    startup.start()
    parts = startup.parts()
    assert parts.world is cast(EsimWorld, fake)
    assert startup.built() is parts
    assert builds == ["esim-startup"]  # once, on the worker


def test_a_failed_build_raises_at_use_and_leaves_nothing_to_close() -> None:
    def build() -> EsimParts:
        raise sqlite3.DatabaseError("file is not a database")

    startup = EsimStartup(build)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        startup.parts()
    assert startup.built() is None
    assert startup.settled() is None


def test_the_flows_port_asks_the_world_at_each_call() -> None:
    fake = _FakeWorld()
    asked: list[bool] = []

    def world() -> EsimWorld:
        asked.append(True)
        return cast(EsimWorld, fake)

    port = DeferredEsimPort(world)
    assert asked == []  # building the port touches nothing
    assert port.iccids() == ["8999001000000000018"]
    assert port.enabled_iccid() is None
    assert port.discover() == "1$smdp.example$ABC"
    assert fake.calls == ["iccids", "enabled_iccid", "discover"]
    assert len(asked) == 3


class _FakeBackend:
    def __init__(self) -> None:
        self.requests = 0

    async def plans(self, request: Request) -> Response:
        self.requests += 1
        return Response.text(200, "plans from the backend")

    def site(self, root: Path | None) -> Site:
        return Site(root=root, routes={("GET", "/api/plans"): self.plans})


def test_pages_are_answered_before_the_backend_exists_and_api_calls_wait_for_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "index.html").write_text("<title>portal</title>")
    release = threading.Event()
    backend = _FakeBackend()

    def build() -> EsimParts:
        release.wait(30)
        return EsimParts(cast(EsimWorld, _FakeWorld()), cast(Any, backend))

    startup = EsimStartup(build)
    site = DeferredBackendSite(tmp_path, startup)

    async def scenario() -> None:
        page = await site.respond(get("/index.html"))
        assert isinstance(page, Response)
        assert page.status == 200
        assert page.body == b"<title>portal</title>"
        assert startup.built() is None  # a page never waits for (or starts) the build
        api = asyncio.ensure_future(site.respond(get("/api/plans")))
        await asyncio.sleep(0.05)
        assert not api.done()  # waits for the backend
        assert not startup.started.done()  # whose build waits for the page (the app starts it)
        startup.start()  # as the app does once the page has loaded
        await asyncio.sleep(0.05)
        assert not api.done()
        release.set()
        answer = await asyncio.wait_for(api, 30)
        assert isinstance(answer, Response)
        assert answer.body == b"plans from the backend"
        # From now on everything goes through the backend's own site.
        again = await site.respond(get("/index.html"))
        assert again.status == 200

    asyncio.run(scenario())
    assert backend.requests == 1


def test_after_a_failed_build_api_calls_say_so_and_pages_still_load(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<title>portal</title>")

    def build() -> EsimParts:
        raise OSError("read-only data directory")

    startup = EsimStartup(build)
    startup.start()  # as the app does once the page has loaded
    site = DeferredBackendSite(tmp_path, startup)

    async def scenario() -> None:
        api = await asyncio.wait_for(site.respond(get("/api/plans")), 30)
        assert isinstance(api, Response)
        assert api.status == 503
        assert api.body == b"the operator's backend could not start: read-only data directory\n"
        page = await site.respond(get("/index.html"))
        assert page.status == 200

    asyncio.run(scenario())


def test_after_close_nothing_is_built_and_a_late_use_fails_instead_of_waiting() -> None:
    """A portal request already on the server loop when the simulator closes may still ask
    for the parts: it must not start a build nobody will close, nor wait forever."""
    builds: list[str] = []

    def build() -> EsimParts:
        builds.append("built")
        return EsimParts(cast(EsimWorld, _FakeWorld()), None)

    startup = EsimStartup(build)
    assert startup.close() is None  # never started: nothing to close
    startup.start()
    with pytest.raises(RuntimeError, match="closed"):
        startup.parts()
    assert builds == []
    assert startup.built() is None


def test_close_waits_for_a_started_build_and_hands_over_its_parts() -> None:
    fake = _FakeWorld()
    startup = EsimStartup(lambda: EsimParts(cast(EsimWorld, fake), None))
    startup.start()
    closed = startup.close()
    assert closed is not None
    assert closed.world is cast(EsimWorld, fake)


def test_an_api_call_starts_the_build_itself_when_nobody_has_for_a_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page whose load never ends (or a portal that asks before any load) still gets its plans.
    monkeypatch.setattr(esim_startup, "BACKEND_WAITS_FOR_THE_PAGE", 0.2)
    backend = _FakeBackend()
    startup = EsimStartup(lambda: EsimParts(cast(EsimWorld, _FakeWorld()), cast(Any, backend)))
    site = DeferredBackendSite(tmp_path, startup)

    async def scenario() -> None:
        api = asyncio.ensure_future(site.respond(get("/api/plans")))
        await asyncio.sleep(0.05)
        assert not startup.started.done()
        answer = await asyncio.wait_for(api, 30)
        assert startup.started.done()
        assert isinstance(answer, Response)
        assert answer.body == b"plans from the backend"

    asyncio.run(scenario())


def test_a_closed_startup_releases_an_api_call_at_once(tmp_path: Path) -> None:
    startup = EsimStartup(lambda: EsimParts(cast(EsimWorld, _FakeWorld()), None))
    site = DeferredBackendSite(tmp_path, startup)

    async def scenario() -> None:
        api = asyncio.ensure_future(site.respond(get("/api/plans")))
        await asyncio.sleep(0.05)
        startup.close()
        answer = await asyncio.wait_for(api, 0.5)  # well before BACKEND_WAITS_FOR_THE_PAGE
        assert isinstance(answer, Response)
        assert answer.status == 503

    asyncio.run(scenario())
