"""The sample portal's backend against a real stub SM-DP+ over HTTPS on 127.0.0.1 (ES2+)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession

from esim.euicc import Euicc, EuiccConfig
from esim.lpa import Lpa
from esim.pki import CertificateSet, TestPki
from esim.smdp import OrderBehaviour, OrderStore, SmdpConfig, SmdpServer, Step
from esim.smdp.orders import OrderState
from simulator.portal.http_server import HttpServer
from simulator.portal.sample_backend import CATALOGUE, FULFILMENTS, SampleBackend, catalogue_json
from simulator.portal.sample_backend.next_order import OTHER_EID, NextOrderPlan
from simulator.resources import resource_path

EID = "89049032123451234512345678901235"
SMDP_ADDRESS = "smdp.mobileplans.test"
LAUNCH_ICCID = "8988247000100003319"


@lru_cache(maxsize=1)
def certificates() -> CertificateSet:
    return TestPki.generate(EID, [SMDP_ADDRESS])


@dataclass
class World:
    client: ClientSession
    backend: SampleBackend
    store: OrderStore
    card: Euicc
    port: int

    async def get(self, path: str) -> tuple[int, dict[str, Any]]:
        return await _answer(await self.client.get(path))

    async def post(self, path: str, body: object) -> tuple[int, dict[str, Any]]:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return await _answer(
            await self.client.post(path, data=data, headers={"Content-Type": "application/json"})
        )


async def _answer(response: ClientResponse) -> tuple[int, dict[str, Any]]:
    assert response.content_type == "application/json"
    return response.status, await response.json()


@asynccontextmanager
async def running(
    directory: Path, *, operator_id: str | None = None, port: int | None = None
) -> AsyncIterator[World]:
    store = OrderStore.open(directory / "orders.sqlite", clock=lambda: 1_000_000.0)
    server = SmdpServer(
        SmdpConfig(SMDP_ADDRESS, certificates(), directory, lambda: 1_000_000.0), store
    )
    card = Euicc.open(directory / "card", EuiccConfig(eid=EID, certificates=certificates()))
    smdp_port = await server.start("127.0.0.1", 0)
    options: dict[str, Any] = {} if operator_id is None else {"operator_id": operator_id}
    options["set_behaviour"] = lambda iccid, behaviour: store.set_behaviour(
        store.get_by_iccid(iccid).matching_id,  # type: ignore[union-attr]
        behaviour,
    )
    options["clock"] = lambda: 1_000_000.0
    options["today"] = lambda: date(2026, 11, 30)
    backend = SampleBackend(
        f"https://{SMDP_ADDRESS}",
        {SMDP_ADDRESS: ("127.0.0.1", port or smdp_port)},
        [certificates().ci.certificate],
        es2_secret=server.es2_credential().secret,
        **options,
    )
    # The backend's routes behind the portal front's HTTP server, as the app serves them.
    front = HttpServer(backend.site(None).respond)
    listener = socket.create_server(("127.0.0.1", 0))
    await front.listen(listener, None)
    client = ClientSession(base_url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    try:
        yield World(client, backend, store, card, smdp_port)
    finally:
        await client.close()
        await front.close()
        await backend.aclose()
        await server.stop()
        store.close()
        card.close()


def run(directory: Path, test: Callable[[World], Awaitable[None]], **options: Any) -> None:
    async def main() -> None:
        async with running(directory, **options) as world:
            await test(world)

    asyncio.run(main())


def test_the_catalogue_offers_every_fulfilment(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, body = await world.get("/api/plans")
        assert status == 200
        assert body["operator"] == "Contoso Mobile"
        assert {p["fulfilment"] for p in body["plans"]} == set(FULFILMENTS)
        for plan in body["plans"]:
            assert plan["name"]
            assert plan["priceText"].startswith("$")
            assert plan["fulfilmentText"]
        delayed = next(p for p in body["plans"] if p["fulfilment"] == "delayed")
        assert delayed["minutes"] == 15

    run(tmp_path, test)


def test_an_esim_order_goes_through_es2plus_and_its_code_downloads(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, body = await world.post(
            "/api/orders",
            {"plan": "contoso-5gb", "fulfilment": "inline", "eid": EID, "transactionId": "cv.1"},
        )
        assert status == 201, body
        assert body["activationCode"] == f"1${SMDP_ADDRESS}${body['matchingId']}"
        order = world.store.get(body["matchingId"])
        assert order is not None
        assert order.state is OrderState.RELEASED  # confirmOrder with releaseFlag true
        assert order.iccid == body["iccid"]
        assert order.eid == EID
        assert order.spec.profile_name == "Contoso 5 GB"
        assert world.backend.orders[body["orderId"]].transaction_id == "cv.1"

        lpa = Lpa(
            world.card,
            trust_anchors=[certificates().ci.certificate],
            resolver={SMDP_ADDRESS: ("127.0.0.1", world.port)},
        )
        result = await lpa.download(body["activationCode"])
        assert result.iccid == body["iccid"]

    run(tmp_path, test)


def test_an_order_without_eid_is_not_bound_to_a_card(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, body = await world.post("/api/orders", {"plan": "contoso-unlimited"})
        assert status == 201, body
        order = world.store.get(body["matchingId"])
        assert order is not None
        assert order.eid is None
        assert body["plan"]["fulfilment"] == "async"

    run(tmp_path, test)


def test_lines_show_the_pc_lines_and_the_account_lines_with_balances(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, _ = await world.post(
            "/api/session", {"email": "sam@example.com", "mode": "new", "password": "secret"}
        )
        assert status == 201
        _, ordered = await world.post(
            "/api/orders", {"plan": "contoso-classic-2gb", "email": "sam@example.com"}
        )
        status, body = await world.get(f"/api/lines?iccids={LAUNCH_ICCID}F&email=sam@example.com")
        assert status == 200
        lines = {line["iccid"]: line for line in body["lines"]}
        assert lines[LAUNCH_ICCID]["onThisPC"] is True
        assert lines[LAUNCH_ICCID]["balanceMB"] == 0
        assert lines[ordered["iccid"]]["plan"] == "Contoso Classic 2 GB"
        assert lines[ordered["iccid"]]["balanceMB"] == 2048
        assert lines[ordered["iccid"]]["onThisPC"] is False

    run(tmp_path, test)


def test_top_ups_add_to_the_line_balance(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        for expected in (1024, 2048):
            status, body = await world.post(
                "/api/orders", {"plan": "topup-1gb", "fulfilment": "topup", "iccid": LAUNCH_ICCID}
            )
            assert status == 201, body
            assert body["balanceMB"] == expected
            assert "activationCode" not in body
        status, body = await world.post("/api/orders", {"plan": "topup-1gb"})
        assert status == 201
        assert body["iccid"] is None
        assert body["addedMB"] == 1024
        _, lines = await world.get(f"/api/lines?iccids={LAUNCH_ICCID}")
        assert lines["lines"][0]["balanceMB"] == 2048
        assert world.store.get_by_iccid(LAUNCH_ICCID) is None  # no SM-DP+ order for a top-up

    run(tmp_path, test)


def test_a_cancelled_delayed_download_cancels_the_order_on_the_smdp(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        _, ordered = await world.post("/api/orders", {"plan": "contoso-travel-10gb", "eid": EID})
        status, body = await world.post("/api/orders/cancel", {"orderId": ordered["orderId"]})
        assert (status, body["status"]) == (200, "cancelled")
        order = world.store.get(ordered["matchingId"])
        assert order is not None
        assert order.state is OrderState.CANCELLED
        status, _ = await world.post("/api/orders/cancel", {"orderId": ordered["orderId"]})
        assert status == 200  # idempotent
        status, body = await world.post("/api/orders/cancel", {"orderId": "CM-1"})
        assert status == 404
        assert "CM-1" in body["error"]

    run(tmp_path, test)


def test_sign_in_and_new_accounts(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        good = {"email": "Alex@Example.com", "mode": "existing", "password": "contoso"}
        status, body = await world.post("/api/session", good)
        assert (status, body["new"], body["email"]) == (200, False, "alex@example.com")
        status, body = await world.post("/api/session", {**good, "password": "nope"})
        assert status == 401
        assert "match" in body["error"]
        status, body = await world.post("/api/session", {**good, "mode": "new"})
        assert status == 409
        assert "sign in" in body["error"]
        new = {"email": "kim@example.com", "mode": "new", "password": "abc"}
        status, body = await world.post("/api/session", new)
        assert status == 400
        assert "password" in body["error"]

    run(tmp_path, test)


MALFORMED: list[tuple[str, object, str]] = [
    ("/api/orders", "not json", "JSON"),
    ("/api/orders", b"\xff\xfe", "UTF-8"),
    ("/api/orders", "", "empty"),
    ("/api/orders", [1, 2], "object"),
    ("/api/orders", "[" * 100000, "larger"),
    ("/api/orders", {}, "plan is missing"),
    ("/api/orders", {"plan": 5}, "plan must be a string"),
    ("/api/orders", {"plan": "gold"}, "unknown plan"),
    ("/api/orders", {"plan": "contoso-5gb", "fulfilment": "legacy"}, "fulfilled 'inline'"),
    ("/api/orders", {"plan": "contoso-5gb", "eid": "1234"}, "eid"),
    ("/api/orders", {"plan": "contoso-5gb", "eid": ["x"]}, "eid must be a string"),
    ("/api/orders", {"plan": "topup-1gb", "iccid": "89ABC"}, "iccid"),
    ("/api/orders", {"plan": "topup-1gb", "email": "nobody"}, "email"),
    ("/api/orders", {"plan": "contoso-5gb", "transactionId": "x" * 65}, "transactionId"),
    ("/api/orders/cancel", {"orderId": None}, "orderId is missing"),
    ("/api/session", {"email": "a@b.c", "mode": "guest"}, "mode must be one of"),
    ("/api/session", {"email": 7, "mode": "new"}, "email"),
]


@pytest.mark.parametrize(("path", "body", "message"), MALFORMED)
def test_malformed_bodies_are_400_with_a_message(
    tmp_path: Path, path: str, body: object, message: str
) -> None:
    async def test(world: World) -> None:
        status, answer = await world.post(path, body)
        assert status == 400, answer
        assert message in answer["error"]
        assert world.store.get_by_iccid(LAUNCH_ICCID) is None

    run(tmp_path, test)


@pytest.mark.parametrize("query", ["iccids=12345", "iccids=" + "8" * 3000, "email=nobody"])
def test_malformed_line_queries_are_400(tmp_path: Path, query: str) -> None:
    async def test(world: World) -> None:
        status, answer = await world.get("/api/lines?" + query)
        assert status == 400
        assert answer["error"]

    run(tmp_path, test)


def test_an_smdp_refusal_is_502_naming_the_function(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, body = await world.post("/api/orders", {"plan": "contoso-5gb"})
        assert status == 502
        assert "downloadOrder" in body["error"]
        assert "Failed" in body["error"]

    run(tmp_path, test, operator_id="SomeoneElse")


def test_an_unreachable_smdp_is_502(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, body = await world.post("/api/orders", {"plan": "contoso-5gb"})
        assert status == 502
        assert "ConnectError" in body["error"]

    run(tmp_path, test, port=1)


def test_every_catalogue_plan_orders(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        for plan in CATALOGUE:
            status, body = await world.post(
                "/api/orders", {"plan": plan.id, "fulfilment": plan.fulfilment}
            )
            assert status == 201, body
            assert body["plan"]["id"] == plan.id

    run(tmp_path, test)


def test_the_portal_folder_carries_the_same_catalogue_for_backend_less_hosting() -> None:
    static = Path(resource_path("portal")) / "api" / "plans"
    assert json.loads(static.read_text(encoding="utf-8")) == catalogue_json(backend=False)


def test_the_next_order_plan_is_used_by_one_order(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        world.backend.next_order.set(
            NextOrderPlan(
                behaviour=OrderBehaviour(fail_at=Step.GET_BOUND_PROFILE_PACKAGE),
                release_after_minutes=30,
                eid_mismatch=True,
                confirmation_code="4711",
            )
        )
        status, body = await world.post(
            "/api/orders", {"plan": "contoso-5gb", "fulfilment": "inline", "eid": EID}
        )
        assert status == 201, body
        order = world.store.get(body["matchingId"])
        assert order is not None
        assert order.state is OrderState.RELEASED
        assert order.eid == OTHER_EID != EID
        assert order.confirmation_code_required
        assert order.behaviour.fail_at is Step.GET_BOUND_PROFILE_PACKAGE
        assert order.behaviour.release_at == 1_000_000.0 + 30 * 60
        assert world.backend.next_order.peek() is None
        # Used once: the order after it is a plain one.
        status, body = await world.post(
            "/api/orders", {"plan": "contoso-5gb", "fulfilment": "inline", "eid": EID}
        )
        plain = world.store.get(body["matchingId"])
        assert plain is not None
        assert plain.eid == EID
        assert plain.behaviour == OrderBehaviour()
        assert not plain.confirmation_code_required

    run(tmp_path, test)


def test_next_order_plan_descriptions_and_refusals() -> None:
    assert NextOrderPlan().describe() == "a plain order"
    plan = NextOrderPlan(
        OrderBehaviour(expired=True, latency_seconds=2.0), eid_mismatch=True, confirmation_code="1"
    )
    assert plan.describe() == (
        "expired, bound to another eUICC (EID mismatch), confirmation code 1, +2 s latency"
    )
    assert plan.order_eid(EID) == OTHER_EID
    assert NextOrderPlan().order_eid(EID) == EID
    with pytest.raises(ValueError, match="negative"):
        NextOrderPlan(release_after_minutes=-1)
    with pytest.raises(ValueError, match="not empty"):
        NextOrderPlan(confirmation_code="  ")


def test_lines_are_dated_by_the_operator_calendar(tmp_path: Path) -> None:
    async def test(world: World) -> None:
        status, body = await world.get("/api/lines")
        assert status == 200
        assert body["asOf"] == "2026-11-30"

    run(tmp_path, test)
