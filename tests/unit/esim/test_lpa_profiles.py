"""ES10c profile management and notification delivery through the LPA (SGP.22 §5.7.9-§5.7.21)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lpa_stack import EID, Stack, running_stack

from esim.lpa import LpaError


def _installed(tmp_path: Path, check: object, **options: object) -> None:
    async def main() -> None:
        async with running_stack(tmp_path, **options) as stack:  # type: ignore[arg-type]
            order = stack.order()
            await stack.lpa.download(order.activation_code)
            await check(stack, order.iccid)  # type: ignore[operator]

    asyncio.run(main())


def test_enable_disable_nickname_delete_and_their_notifications(tmp_path: Path) -> None:
    async def check(stack: Stack, iccid: str) -> None:
        profiles = stack.lpa.profiles
        assert profiles.eid() == EID
        profiles.enable(iccid)
        assert profiles.list_profiles()[0].state == "enabled"
        with pytest.raises(LpaError) as caught:
            profiles.delete(iccid)  # delete while enabled → profileNotInDisabledState(2)
        assert caught.value.es10_code == 2
        assert caught.value.activation_error == "other"
        profiles.set_nickname(iccid, "Work")
        assert profiles.list_profiles()[0].nickname == "Work"
        profiles.disable(iccid)
        profiles.delete(iccid)
        assert profiles.list_profiles() == []
        pending = profiles.list_notifications()
        assert [item.event for item in pending] == ["enable", "disable", "delete"]
        outcomes = await stack.lpa.send_notifications()
        assert [outcome.event for outcome in outcomes] == ["enable", "disable", "delete"]
        assert all(outcome.sent and outcome.removed for outcome in outcomes), outcomes
        assert profiles.list_notifications() == []

    _installed(tmp_path, check)


def test_unknown_profile_and_bad_iccid(tmp_path: Path) -> None:
    async def check(stack: Stack, _iccid: str) -> None:
        with pytest.raises(LpaError) as caught:
            stack.lpa.profiles.enable("89000123456789012341")
        assert caught.value.activation_error == "profileNotPresent"
        with pytest.raises(LpaError) as caught:
            stack.lpa.profiles.enable("12345")
        assert caught.value.activation_error == "invalidIccid"

    _installed(tmp_path, check)


def test_busy_card(tmp_path: Path) -> None:
    async def check(stack: Stack, iccid: str) -> None:
        with pytest.raises(LpaError) as caught:
            stack.lpa.profiles.enable(iccid)
        assert caught.value.activation_error == "cardBusy"
        assert caught.value.es10_code_name == "catBusy"

    _installed(tmp_path, check, busy=True)


def test_undeliverable_notification_stays_on_the_card(tmp_path: Path) -> None:
    async def check(stack: Stack, iccid: str) -> None:
        stack.lpa.profiles.enable(iccid)
        await stack.server.stop()
        [outcome] = await stack.lpa.send_notifications()
        assert not outcome.sent
        assert outcome.error is not None
        assert outcome.error.activation_error == "serverNotReachable"
        assert len(stack.lpa.profiles.list_notifications()) == 1

    _installed(tmp_path, check)
