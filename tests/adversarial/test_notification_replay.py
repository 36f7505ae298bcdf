"""A recorded notification posted again changes nothing: bound to the EID that downloaded the
order, its seqNumber, and issued after the order's own installation result."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from lpa_stack import SMDP_ADDRESS, Stack, certificates, running_stack

from esim.lpa.es9_client import Es9Client
from esim.smdp import client_ssl_context
from esim.smdp.orders import OrderState


def recording(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every pendingNotification the LPA delivers, in order."""
    delivered: list[bytes] = []
    original = Es9Client.handle_notification

    async def record(self: Es9Client, address: str, pending: bytes) -> None:
        delivered.append(pending)
        await original(self, address, pending)

    monkeypatch.setattr(Es9Client, "handle_notification", record)
    return delivered


async def post_notification(stack: Stack, pending: bytes) -> httpx.Response:
    async with httpx.AsyncClient(verify=client_ssl_context(certificates()), timeout=10) as client:
        return await client.post(
            f"https://127.0.0.1:{stack.port}/gsma/rsp2/es9plus/handleNotification",
            content=json.dumps({"pendingNotification": base64.b64encode(pending).decode()}),
            headers={"Host": SMDP_ADDRESS, "Content-Type": "application/json"},
            extensions={"sni_hostname": SMDP_ADDRESS},
        )


async def install_then_delete(stack: Stack, iccid: str | None = None) -> tuple[Any, str]:
    order = stack.order(iccid=iccid)
    result = await stack.lpa.download(order.activation_code)
    stack.lpa.profiles.delete(result.iccid)
    outcomes = await stack.lpa.send_notifications()
    assert all(outcome.removed for outcome in outcomes), outcomes
    assert stack.state(order) == str(OrderState.DELETED)
    return order, result.iccid


def replays(stack: Stack) -> list[dict[str, Any]]:
    return [event for event in stack.events if event.get("action") == "notification-replay"]


def test_a_replayed_delete_cannot_delete_the_next_order_of_the_iccid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered = recording(monkeypatch)

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            _, iccid = await install_then_delete(stack)
            recorded_delete = delivered[-1]
            recorded_install = delivered[0]
            again = stack.order(iccid=iccid)
            await stack.lpa.download(again.activation_code)
            assert stack.state(again) == str(OrderState.INSTALLED)
            for replayed in (recorded_delete, recorded_install):
                response = await post_notification(stack, replayed)
                body = response.json()["header"]["functionExecutionStatus"]
                assert body["status"] == "Failed"
                assert "notification.replay" in body["statusCodeData"]["message"]
            assert stack.state(again) == str(OrderState.INSTALLED)
            kinds = [event["replay"] for event in replays(stack)]
            assert kinds == ["duplicate", "duplicate"]

    asyncio.run(scenario())


def test_a_delete_issued_before_the_installation_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delete of the first order was never delivered; it arrives after the second install."""
    delivered = recording(monkeypatch)

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            first = stack.order()
            result = await stack.lpa.download(first.activation_code)
            stack.lpa.profiles.delete(result.iccid)
            held = [n.seq_number for n in stack.lpa.profiles.list_notifications()]
            stack.store.transition(first, {OrderState.INSTALLED}, OrderState.DELETED, "deleted")
            second = stack.order(iccid=result.iccid)
            await stack.lpa.download(second.activation_code)  # its install seqNumber is newer
            delivered.clear()
            await stack.lpa.send_notifications(held)
            assert stack.state(second) == str(OrderState.INSTALLED)
            assert [event["replay"] for event in replays(stack)] == ["stale"]

    asyncio.run(scenario())


def test_acknowledging_replays_is_an_option_and_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered = recording(monkeypatch)

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            object.__setattr__(stack.server.config, "acknowledge_replayed_notifications", True)
            _, iccid = await install_then_delete(stack)
            again = stack.order(iccid=iccid)
            await stack.lpa.download(again.activation_code)
            response = await post_notification(stack, delivered[1])
            assert response.status_code == 204
            assert stack.state(again) == str(OrderState.INSTALLED)
            [event] = replays(stack)
            assert event["answer"] == "204, ignored"

    asyncio.run(scenario())
