"""ES9+ happy paths over real HTTPS: every function, with a fake eUICC doing real crypto."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from smdp_es9_harness import Es9Client, run_download, started_server, status_of, tlv_children
from smdp_fake_euicc import ADDRESS, FakeEuicc, b64, b64d

from esim.identifiers import Iccid
from esim.smdp import OrderState, ProfileSpec, generate_iccid


def test_full_download_installs_the_profile(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []

    async def scenario() -> None:
        server = await started_server(tmp_path)
        server.add_listener(lambda name, fields: events.append({"name": name, **fields}))
        spec = ProfileSpec(generate_iccid(), size_bytes=20_000)
        order = server.store.create_order(spec)
        assert order.activation_code == f"1${ADDRESS}${order.matching_id}"
        try:
            async with Es9Client(server.port or 0) as client:
                euicc = FakeEuicc()
                outcome = await run_download(client, euicc, order.matching_id)
                assert outcome.ok, outcome
                assert outcome.responses["handleNotification"] is None  # 204
                installed = euicc.download.installed
                assert installed["iccid"] == spec.iccid
                assert installed["metadata"]["serviceProviderName"] == "Contoso Mobile"
                assert installed["metadata"]["iconType"] == 1
                assert len(installed["upp"]) >= 20_000
                bpp = outcome.responses["getBoundProfilePackage"]["boundProfilePackage"]
                assert tlv_children(b64d(bpp), 0xBF36) == [0xBF23, 0xA0, 0xA1, 0xA2, 0xA3]
        finally:
            await server.stop()
        final = server.store.get(order.matching_id)
        assert final is not None
        assert final.state == OrderState.INSTALLED
        assert final.downloaded_by == euicc.eid

    asyncio.run(scenario())
    actions = [event["action"] for event in events]
    assert actions == ["created", "download-started", "downloaded", "installed"]
    assert all(event["name"] == "smdp.order" for event in events)


def test_without_replace_session_keys(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path, replace_session_keys=False)
        order = server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=3000))
        try:
            async with Es9Client(server.port or 0) as client:
                outcome = await run_download(client, FakeEuicc(), order.matching_id)
                assert outcome.ok, outcome
        finally:
            await server.stop()

    asyncio.run(scenario())


def test_response_headers_and_success_header(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path)
        try:
            async with Es9Client(server.port or 0) as client:
                euicc = FakeEuicc()
                info1 = euicc.euicc_info1()
                response = await client.call(
                    "initiateAuthentication",
                    {
                        "smdpAddress": ADDRESS.upper(),
                        "euiccChallenge": b64(euicc.challenge),
                        "euiccInfo1": b64(info1),
                    },
                )
                assert response.headers["X-Admin-Protocol"].startswith("gsma/rsp/v2.")
                assert response.headers["Content-Type"].startswith("application/json")
                body = response.json()
                assert status_of(response) is None
                assert set(body) == {
                    "header",
                    "transactionId",
                    "serverSigned1",
                    "serverSignature1",
                    "euiccCiPKIdToBeUsed",
                    "serverCertificate",
                }
                assert body["transactionId"] == body["transactionId"].upper()
                assert len(body["transactionId"]) == 32
        finally:
            await server.stop()

    asyncio.run(scenario())


def test_cancel_session_postponed_gives_the_order_back(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path)
        order = server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=3000))
        try:
            async with Es9Client(server.port or 0) as client:
                euicc = FakeEuicc()
                outcome = await run_download(
                    client, euicc, order.matching_id, stop_after="authenticateClient"
                )
                assert outcome.ok
                claimed = server.store.get(order.matching_id)
                assert claimed is not None
                assert claimed.state == OrderState.DOWNLOADING
                tid = outcome.responses["initiateAuthentication"]["transactionId"]
                response = await client.call(
                    "cancelSession",
                    {"transactionId": tid, "cancelSessionResponse": b64(euicc.cancel_session(1))},
                )
                assert status_of(response) is None
                assert set(response.json()) == {"header"}
                again = server.store.get(order.matching_id)
                assert again is not None
                assert again.state == OrderState.RELEASED
                # the session is gone
                response = await client.call(
                    "cancelSession",
                    {"transactionId": tid, "cancelSessionResponse": b64(euicc.cancel_session(1))},
                )
                assert status_of(response) == ("8.10.1", "3.9")
                # and a new download succeeds
                outcome = await run_download(client, euicc, order.matching_id)
                assert outcome.ok, outcome
        finally:
            await server.stop()

    asyncio.run(scenario())


def test_cancel_session_end_user_rejection_fails_the_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path)
        order = server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=3000))
        try:
            async with Es9Client(server.port or 0) as client:
                euicc = FakeEuicc()
                await run_download(
                    client, euicc, order.matching_id, stop_after="authenticateClient"
                )
                tid = euicc.download.transaction_id.hex().upper()
                response = await client.call(
                    "cancelSession",
                    {"transactionId": tid, "cancelSessionResponse": b64(euicc.cancel_session(0))},
                )
                assert status_of(response) is None
        finally:
            await server.stop()
        final = server.store.get(order.matching_id)
        assert final is not None
        assert final.state == OrderState.FAILED

    asyncio.run(scenario())


def test_delete_notification_marks_the_order_deleted(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path)
        order = server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=3000))
        try:
            async with Es9Client(server.port or 0) as client:
                euicc = FakeEuicc()
                assert (await run_download(client, euicc, order.matching_id)).ok
                for event in ("enable", "disable", "delete"):
                    response = await client.call(
                        "handleNotification",
                        {"pendingNotification": b64(euicc.other_notification(order.iccid, event))},
                    )
                    assert response.status_code == 204
                    assert response.content == b""
        finally:
            await server.stop()
        final = server.store.get(order.matching_id)
        assert final is not None
        assert final.state == OrderState.DELETED

    asyncio.run(scenario())


def test_install_error_result_fails_the_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = await started_server(tmp_path)
        order = server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=3000))
        try:
            async with Es9Client(server.port or 0) as client:
                euicc = FakeEuicc()
                outcome = await run_download(
                    client, euicc, order.matching_id, send_notification=False
                )
                assert outcome.ok
                pir = euicc.installation_result(Iccid.parse(order.iccid), success=False)
                response = await client.call(
                    "handleNotification", {"pendingNotification": b64(pir)}
                )
                assert response.status_code == 204
        finally:
            await server.stop()
        final = server.store.get(order.matching_id)
        assert final is not None
        assert final.state == OrderState.FAILED
        assert final.last_error is not None
        assert "errorReason 12" in final.last_error

    asyncio.run(scenario())
