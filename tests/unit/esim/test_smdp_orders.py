"""Order life cycle: single-use matching IDs under a race, ES2+, a store that survives restarts."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from aiohttp import web
from smdp_es9_harness import Es9Client, run_download, started_server
from smdp_fake_euicc import ADDRESS, FakeEuicc, make_config

from esim.smdp import (
    Es9Error,
    OrderState,
    OrderStore,
    ProfileSpec,
    SmdpServer,
    generate_iccid,
)


def spec() -> ProfileSpec:
    return ProfileSpec(generate_iccid(), size_bytes=2000)


def test_fifty_lpas_race_for_one_matching_id(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path)
        order = server.store.create_order(spec())
        euiccs = [FakeEuicc.with_new_eid() for _ in range(50)]
        try:
            clients = [Es9Client(server.port or 0) for _ in euiccs]
            outcomes = await asyncio.gather(
                *(
                    run_download(client, euicc, order.matching_id)
                    for client, euicc in zip(clients, euiccs, strict=True)
                )
            )
            for client in clients:
                await client.client.aclose()
        finally:
            await server.stop()
        winners = [euicc for euicc, o in zip(euiccs, outcomes, strict=True) if o.ok]
        assert len(winners) == 1
        losers = [o for o in outcomes if not o.ok]
        assert {(o.failed_at, o.code) for o in losers} == {("authenticateClient", ("8.1.1", "3.1"))}
        final = server.store.get(order.matching_id)
        assert final is not None
        assert final.state == OrderState.INSTALLED
        assert final.downloaded_by == winners[0].eid

    asyncio.run(scenario())


def test_claims_are_atomic_across_connections(tmp_path: Path) -> None:
    """Fifty threads, each with its own SQLite connection, claim one order: one wins."""
    path = tmp_path / "smdp.sqlite"
    order = OrderStore.open(path).create_order(spec())
    wins: list[str] = []
    refusals: list[str] = []
    barrier = threading.Barrier(50)

    def contender(index: int) -> None:
        store = OrderStore.open(path)
        eid = FakeEuicc.with_new_eid().eid
        barrier.wait()
        try:
            store.claim(order, eid, f"{index:032X}", b"cert")
            wins.append(eid)
        except Es9Error as error:
            refusals.append(str(error.code))
        finally:
            store.close()

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
    assert refusals == ["8.1.1/3.1"] * 49


def test_store_survives_a_restart(tmp_path: Path) -> None:
    async def first_life() -> tuple[str, str]:
        server = await started_server(tmp_path)
        installed = server.store.create_order(spec())
        waiting = server.store.create_order(spec(), confirmation_code="42")
        async with Es9Client(server.port or 0) as client:
            assert (await run_download(client, FakeEuicc(), installed.matching_id)).ok
        await server.stop()
        server.store.close()
        return installed.matching_id, waiting.matching_id

    installed_id, waiting_id = asyncio.run(first_life())

    async def second_life() -> None:
        config = make_config(tmp_path)
        store = OrderStore.open(tmp_path / "smdp.sqlite")
        server = SmdpServer(config, store)
        await server.start()
        try:
            before = store.get(installed_id)
            assert before is not None
            assert before.state == OrderState.INSTALLED
            async with Es9Client(server.port or 0) as client:
                again = await run_download(client, FakeEuicc(), installed_id)
                assert again.code == ("8.2.6", "3.3")
                ok = await run_download(client, FakeEuicc(), waiting_id, confirmation_code="42")
                assert ok.ok, ok
        finally:
            await server.stop()
            store.close()

    asyncio.run(second_life())


class Operator:
    """The operator's ES2+ endpoint receiving handleDownloadProgressInfo (plain HTTP)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.runner: web.AppRunner | None = None

    async def start(self) -> str:
        async def progress(request: web.Request) -> web.Response:
            self.received.append(await request.json())
            return web.json_response(
                {"header": {"functionExecutionStatus": {"status": "Executed-Success"}}}
            )

        app = web.Application()
        app.router.add_post("/gsma/rsp2/es2plus/handleDownloadProgressInfo", progress)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def test_es2plus_order_life_cycle(tmp_path: Path) -> None:
    async def scenario() -> None:
        operator = Operator()
        url = await operator.start()
        server = await started_server(tmp_path, operator_url=url)
        events: list[dict[str, Any]] = []
        server.add_listener(lambda name, fields: events.append(fields))
        euicc = FakeEuicc()
        iccid = generate_iccid()
        try:
            async with Es9Client(server.port or 0) as client:
                unknown = await client.es2("downloadOrder", {"iccid": iccid}, requester="nobody")
                failed = unknown["header"]["functionExecutionStatus"]
                assert failed["statusCodeData"]["subjectCode"] == "1.1"
                ordered = await client.es2(
                    "downloadOrder", {"iccid": iccid, "eid": euicc.eid, "profileType": "Travel"}
                )
                assert ordered["iccid"] == iccid
                again = await client.es2("downloadOrder", {"iccid": iccid})
                code = again["header"]["functionExecutionStatus"]["statusCodeData"]
                assert (code["subjectCode"], code["reasonCode"]) == ("8.2.1", "3.3")
                confirmed = await client.es2(
                    "confirmOrder",
                    {"iccid": iccid, "matchingId": "TRAVEL-0001", "releaseFlag": False},
                )
                assert confirmed["matchingId"] == "TRAVEL-0001"
                assert confirmed["smdpAddress"] == ADDRESS
                assert confirmed["eid"] == euicc.eid
                early = await run_download(client, euicc, "TRAVEL-0001")
                assert early.code == ("8.2", "1.2")
                released = await client.es2("releaseProfile", {"iccid": iccid})
                assert released["header"]["functionExecutionStatus"]["status"] == (
                    "Executed-Success"
                )
                done = await run_download(client, euicc, "TRAVEL-0001")
                assert done.ok, done
                # a second order, cancelled before any download
                second = generate_iccid()
                await client.es2("downloadOrder", {"iccid": second})
                await client.es2("confirmOrder", {"iccid": second, "releaseFlag": True})
                cancelled = await client.es2("cancelOrder", {"iccid": second})
                assert cancelled["header"]["functionExecutionStatus"]["status"] == (
                    "Executed-Success"
                )
                order = server.store.get_by_iccid(second)
                assert order is not None
                assert order.state == OrderState.CANCELLED
                refused = await run_download(client, FakeEuicc(), order.matching_id)
                assert refused.code == ("8.2.6", "3.8")
        finally:
            await server.stop()
            await operator.stop()
        points = [(r["iccid"], r["notificationPointId"]) for r in operator.received]
        assert (iccid, 1) in points
        assert (iccid, 3) in points
        assert (iccid, 4) in points
        statuses = {r["notificationPointStatus"]["status"] for r in operator.received}
        assert statuses == {"Executed-Success", "Failed"}
        assert all(r["eid"] == euicc.eid for r in operator.received if r["iccid"] == iccid)
        actions = [event["action"] for event in events]
        assert "confirmed" in actions
        assert "installed" in actions

    asyncio.run(scenario())
