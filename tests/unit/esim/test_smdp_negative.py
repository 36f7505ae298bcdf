"""Every refusal of the SM-DP+ maps to the SGP.22 §6.5.2 subject/reason code."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from smdp_es9_harness import Es9Client, FakeClock, run_download, started_server, status_of
from smdp_fake_euicc import ADDRESS, FakeEuicc, b64

from esim.asn1 import messages as m
from esim.smdp import (
    OrderBehaviour,
    OrderState,
    ProfileSpec,
    SmdpServer,
    StatusCode,
    Step,
    generate_iccid,
)

Scenario = Callable[[SmdpServer, Es9Client, FakeClock], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario, **config: object) -> SmdpServer:
    clock = FakeClock()

    async def main() -> SmdpServer:
        server = await started_server(tmp_path, clock, **config)
        try:
            async with Es9Client(server.port or 0) as client:
                await scenario(server, client, clock)
        finally:
            await server.stop()
        return server

    return asyncio.run(main())


def spec() -> ProfileSpec:
    return ProfileSpec(generate_iccid(), size_bytes=2000)


def test_unknown_matching_id_is_8_2_6_3_8(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        outcome = await run_download(client, FakeEuicc(), "NO-SUCH-ID")
        assert (outcome.failed_at, outcome.code) == ("authenticateClient", ("8.2.6", "3.8"))
        assert "success" not in str(outcome.responses["authenticateClient"]).lower()
        assert set(outcome.responses["authenticateClient"]) == {"header"}

    run(tmp_path, scenario)


def test_empty_matching_id_uses_the_eid_bound_order(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        euicc = FakeEuicc()
        outcome = await run_download(client, euicc, None)
        assert outcome.code == ("8.2.6", "3.8")
        server.store.create_order(spec(), eid=euicc.eid)
        assert (await run_download(client, euicc, None)).ok

    run(tmp_path, scenario)


def test_wrong_eid_is_8_1_1_3_8(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        other = FakeEuicc.with_new_eid()
        order = server.store.create_order(spec(), eid=other.eid)
        outcome = await run_download(client, FakeEuicc(), order.matching_id)
        assert (outcome.failed_at, outcome.code) == ("authenticateClient", ("8.1.1", "3.8"))
        assert (await run_download(client, other, order.matching_id)).ok

    run(tmp_path, scenario)


def test_confirmation_code_missing_wrong_and_retries(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        behaviour = OrderBehaviour(confirmation_code_attempts=2)
        order = server.store.create_order(spec(), confirmation_code="1234", behaviour=behaviour)
        assert order.activation_code.endswith("$$1")
        euicc = FakeEuicc()
        mid = order.matching_id
        missing = await run_download(client, euicc, mid)
        assert (missing.failed_at, missing.code) == ("getBoundProfilePackage", ("8.2.7", "2.2"))
        wrong = await run_download(client, euicc, mid, confirmation_code="0000")
        assert wrong.code == ("8.2.7", "3.8")
        right = await run_download(client, euicc, mid, confirmation_code="1234", stop_after="x")
        assert right.ok  # still allowed: one failure of two
        assert server.store.get(mid) is not None

    run(tmp_path, scenario)


def test_confirmation_code_retries_exceeded_is_8_2_7_6_4(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        behaviour = OrderBehaviour(confirmation_code_attempts=2)
        order = server.store.create_order(spec(), confirmation_code="1234", behaviour=behaviour)
        euicc, mid = FakeEuicc(), order.matching_id
        first = await run_download(client, euicc, mid, confirmation_code="1")
        assert first.code == ("8.2.7", "3.8")
        second = await run_download(client, euicc, mid, confirmation_code="2")
        assert second.code == ("8.2.7", "6.4")
        locked = await run_download(client, euicc, mid, confirmation_code="1234")
        assert (locked.failed_at, locked.code) == ("authenticateClient", ("8.2.7", "6.4"))
        final = server.store.get(mid)
        assert final is not None
        assert final.state == OrderState.FAILED

    run(tmp_path, scenario)


def test_expired_order_is_8_8_5_4_10(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        order = server.store.create_order(spec(), behaviour=OrderBehaviour(expires_at=1500))
        forced = server.store.create_order(spec(), behaviour=OrderBehaviour(expired=True))
        clock.now = 1500
        for mid in (order.matching_id, forced.matching_id):
            outcome = await run_download(client, FakeEuicc(), mid)
            assert (outcome.failed_at, outcome.code) == ("authenticateClient", ("8.8.5", "4.10"))
            final = server.store.get(mid)
            assert final is not None
            assert final.state == OrderState.EXPIRED

    run(tmp_path, scenario)


def test_not_released_until_the_clock_says_so(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        order = server.store.create_order(spec(), behaviour=OrderBehaviour(release_at=2000))
        early = await run_download(client, FakeEuicc(), order.matching_id)
        assert (early.failed_at, early.code) == ("authenticateClient", ("8.2", "1.2"))
        clock.now = 2000
        assert (await run_download(client, FakeEuicc(), order.matching_id)).ok

    run(tmp_path, scenario)


@pytest.mark.parametrize("step", list(Step))
def test_injected_failure_at_each_step(tmp_path: Path, step: Step) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        code = StatusCode("1.2", "4.4", "Function provider", "busy")
        order = server.store.create_order(
            spec(), behaviour=OrderBehaviour().with_failure(step, code)
        )
        outcome = await run_download(client, FakeEuicc(), order.matching_id)
        assert (outcome.failed_at, outcome.code) == (str(step), ("1.2", "4.4"))
        server.store.set_behaviour(order.matching_id, OrderBehaviour())
        if step is Step.HANDLE_NOTIFICATION:
            return  # the profile was delivered; the install notification was refused
        assert (await run_download(client, FakeEuicc(), order.matching_id)).ok

    run(tmp_path, scenario)


def test_expired_session_is_8_10_1_3_9_and_gives_the_claim_back(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        order = server.store.create_order(spec())
        euicc = FakeEuicc()
        await run_download(client, euicc, order.matching_id, stop_after="authenticateClient")
        claimed = server.store.get(order.matching_id)
        assert claimed is not None
        assert claimed.state == OrderState.DOWNLOADING
        clock.now += 301
        tid = euicc.download.transaction_id.hex().upper()
        body = {"transactionId": tid, "prepareDownloadResponse": b64(b"\x30\x00")}
        response = await client.call("getBoundProfilePackage", body)
        assert status_of(response) == ("8.10.1", "3.9")
        released = server.store.get(order.matching_id)
        assert released is not None
        assert released.state == OrderState.RELEASED
        assert (await run_download(client, euicc, order.matching_id)).ok

    run(tmp_path, scenario)


def test_used_matching_id_is_refused_for_another_euicc(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        order = server.store.create_order(spec())
        assert (await run_download(client, FakeEuicc(), order.matching_id)).ok
        other = await run_download(client, FakeEuicc.with_new_eid(), order.matching_id)
        assert other.code == ("8.1.1", "3.1")
        same = await run_download(client, FakeEuicc(), order.matching_id)
        assert same.code == ("8.2.6", "3.3")

    run(tmp_path, scenario)


def test_initiate_authentication_checks(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        euicc = FakeEuicc()
        info1 = euicc.euicc_info1()
        good = {"smdpAddress": ADDRESS, "euiccChallenge": b64(bytes(16)), "euiccInfo1": b64(info1)}
        cases: list[tuple[dict[str, str], tuple[str, str]]] = [
            ({"smdpAddress": "other.example"}, ("8.8.1", "3.8")),
            ({"euiccChallenge": b64(bytes(15))}, ("1.6", "2.1")),
            ({"euiccInfo1": b64(b"\xbf\x20\x00")}, ("1.6", "2.1")),
            ({"euiccChallenge": "***"}, ("1.6", "2.1")),
        ]
        for change, code in cases:
            response = await client.call("initiateAuthentication", good | change)
            assert status_of(response) == code, change
        missing = {k: v for k, v in good.items() if k != "euiccInfo1"}
        assert status_of(await client.call("initiateAuthentication", missing)) == ("1.6", "2.2")
        foreign = m.EUICC_INFO1.encode(
            {
                "svn": bytes.fromhex("020202"),
                "euiccCiPKIdListForVerification": [bytes(20)],
                "euiccCiPKIdListForSigning": [euicc.certs.ci_pkid],
            }
        )
        response = await client.call("initiateAuthentication", good | {"euiccInfo1": b64(foreign)})
        assert status_of(response) == ("8.8.4", "3.7")
        foreign = m.EUICC_INFO1.encode(
            {
                "svn": bytes.fromhex("020202"),
                "euiccCiPKIdListForVerification": [euicc.certs.ci_pkid],
                "euiccCiPKIdListForSigning": [bytes(20)],
            }
        )
        response = await client.call("initiateAuthentication", good | {"euiccInfo1": b64(foreign)})
        assert status_of(response) == ("8.8.2", "3.1")
        wrong_type = await client.raw(
            "/gsma/rsp2/es9plus/initiateAuthentication", b"{}", {"Content-Type": "text/plain"}
        )
        assert status_of(wrong_type) == ("1.2.1", "2.1")

    run(tmp_path, scenario)


def test_tampered_signature_is_8_1_6_1(tmp_path: Path) -> None:
    async def scenario(server: SmdpServer, client: Es9Client, clock: FakeClock) -> None:
        order = server.store.create_order(spec())
        euicc = FakeEuicc()
        info1 = euicc.euicc_info1()
        init = (
            await client.call(
                "initiateAuthentication",
                {
                    "smdpAddress": ADDRESS,
                    "euiccChallenge": b64(euicc.challenge),
                    "euiccInfo1": b64(info1),
                },
            )
        ).json()
        response = bytearray(euicc.authenticate_server(init, order.matching_id))
        signature_at = bytes(response).index(b"\x5f\x37\x40") + 3
        response[signature_at + 5] ^= 0x01
        body = {
            "transactionId": init["transactionId"],
            "authenticateServerResponse": b64(bytes(response)),
        }
        assert status_of(await client.call("authenticateClient", body)) == ("8.1", "6.1")
        # the refusal ended the session
        assert status_of(await client.call("authenticateClient", body)) == ("8.10.1", "3.9")

    run(tmp_path, scenario)
