"""An LPA killed right after getBoundProfilePackage does not leave its order stuck: the order is
released again when the session expires on the SM-DP+'s clock, or when the operator says so."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from lpa_stack import SMDP_ADDRESS, Stack, certificates, running_stack

from esim.lpa import LpaError
from esim.lpa.es9_client import Es9Client
from esim.smdp import client_ssl_context
from esim.smdp.orders import OrderState
from esim.smdp.profile_package import ProfileSpec, generate_iccid


class LpaKilled(BaseException):
    """Stands for kill -9: no except-Exception clean-up runs, nothing more is sent."""


def kill_after_bpp(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Es9Client.get_bound_profile_package

    async def fetch_then_die(self: Es9Client, *args: Any) -> bytes:
        await original(self, *args)
        monkeypatch.setattr(Es9Client, "get_bound_profile_package", original)
        raise LpaKilled

    monkeypatch.setattr(Es9Client, "get_bound_profile_package", fetch_then_die)


async def killed_download(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Any:
    order = stack.order()
    kill_after_bpp(monkeypatch)
    with pytest.raises(LpaKilled):
        await stack.lpa.download(order.activation_code)
    assert stack.state(order) == str(OrderState.DOWNLOADED)
    return order


async def es2(stack: Stack, function: str, body: dict[str, Any]) -> dict[str, Any]:
    header = {"functionRequesterIdentifier": "MobilePlansOperator", "functionCallIdentifier": "1"}
    async with httpx.AsyncClient(verify=client_ssl_context(certificates()), timeout=10) as client:
        response = await client.post(
            f"https://127.0.0.1:{stack.port}/gsma/rsp2/es2plus/{function}",
            content=json.dumps({"header": header, **body}),
            headers={
                "Host": SMDP_ADDRESS,
                "Content-Type": "application/json",
                **stack.server.es2_authorization(),
            },
            extensions={"sni_hostname": SMDP_ADDRESS},
        )
    answer: dict[str, Any] = response.json()
    return answer


def test_the_session_expiring_on_the_clock_releases_the_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = await killed_download(stack, monkeypatch)
            with pytest.raises(LpaError):  # the session is still live: not yet
                await stack.lpa.download(order.activation_code)
            stack.clock.now += stack.server.config.session_ttl_seconds + 1
            result = await stack.lpa.download(order.activation_code)
            assert result.iccid == order.iccid
            assert stack.state(order) == str(OrderState.INSTALLED)
            [expired] = [e for e in stack.events if e["action"] == "session-expired"]
            assert expired["previous_state"] == "downloaded"
            assert expired["state"] == "released"

    asyncio.run(scenario())


def test_the_operator_can_release_a_stuck_order_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = await killed_download(stack, monkeypatch)
            answer = await es2(stack, "releaseProfile", {"iccid": order.iccid})
            assert answer["header"]["functionExecutionStatus"]["status"] == "Executed-Success"
            assert stack.state(order) == str(OrderState.RELEASED)
            await stack.lpa.download(order.activation_code)
            assert stack.state(order) == str(OrderState.INSTALLED)

    asyncio.run(scenario())


def test_a_restarted_smdp_releases_orders_its_lost_sessions_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = await killed_download(stack, monkeypatch)
            for session in list(stack.server.es9plus.sessions._sessions.values()):
                stack.server.es9plus.sessions.end(session)  # what a restart does to sessions
            stack.clock.now += stack.server.config.session_ttl_seconds + 1
            await stack.lpa.download(order.activation_code)
            assert stack.state(order) == str(OrderState.INSTALLED)

    asyncio.run(scenario())


def test_esim_smdp_release_releases_a_stuck_order(tmp_path: Path) -> None:
    from esim.cli import main
    from esim.cli_home import Home, home_in
    from esim.cli_smdp import _store

    home = Home(home_in(tmp_path))
    store = _store(home)
    try:
        order = store.create_order(ProfileSpec(iccid=generate_iccid()))
        store.claim(order, "89049032123451234512345678901235", "AB" * 16, b"")
        stuck = store.transition(order, {OrderState.DOWNLOADING}, OrderState.DOWNLOADED, "x")
        assert stuck is not None
    finally:
        store.close()
    assert main(["--data-dir", str(tmp_path), "smdp", "release", order.iccid]) == 0
    assert main(["--data-dir", str(tmp_path), "smdp", "release", order.iccid]) == 1  # released
    store = _store(home)
    try:
        released = store.get(order.matching_id)
        assert released is not None
        assert released.state is OrderState.RELEASED
        assert "released again by the operator" in (released.last_error or "")
    finally:
        store.close()
