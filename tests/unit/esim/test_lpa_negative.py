"""Negative cases through the real stack (SGP.22 and the mapping rows).

Each test asserts the Mobile Plans ``activation_error`` the LPA reports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from lpa_stack import (
    EID,
    OTHER_EID,
    SMDP_ADDRESS,
    Stack,
    certificates,
    foreign_certificates,
    make_lpa,
    running_stack,
)

from esim.asn1.tlv import encode_tlv, iter_tlvs, parse_single
from esim.lpa import LpaError
from esim.lpa.es9_client import Es9Client
from esim.smdp import OrderBehaviour, Step
from esim.smdp.orders import OrderState

Scenario = Callable[[Stack], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario, **options: Any) -> None:
    async def main() -> None:
        async with running_stack(tmp_path, **options) as stack:
            await scenario(stack)

    asyncio.run(main())


async def failed(stack: Stack, code: str, cc: str | None = None, **kw: Any) -> LpaError:
    with pytest.raises(LpaError) as caught:
        await stack.lpa.download(code, cc, **kw)
    assert stack.lpa.profiles.list_profiles() == []
    return caught.value


def test_wrong_matching_id(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        stack.order()
        error = await failed(stack, f"1${SMDP_ADDRESS}$NO-SUCH-ORDER")
        assert error.activation_error == "invalidMatchingId"
        assert (error.subject_code, error.reason_code) == ("8.2.6", "3.8")
        assert error.step == "AuthenticateClient"
        # The SM-DP+ refused; its session stays for CancelSession, cancelled on both sides.
        assert error.cancel is not None
        assert error.cancel.euicc_cancelled
        assert error.cancel.server_cancelled

    run(tmp_path, scenario)


def test_wrong_confirmation_code_then_right_one(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(confirmation_code="1234")
        error = await failed(stack, order.activation_code, "9999")
        assert error.activation_error == "incorrectConfirmationCode"
        assert (error.subject_code, error.reason_code) == ("8.2.7", "3.8")
        assert error.step == "GetBoundProfilePackage"
        result = await stack.lpa.download(order.activation_code, "1234")
        assert result.iccid == order.iccid

    run(tmp_path, scenario)


def test_confirmation_code_retries_exceeded(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(
            confirmation_code="1234", behaviour=OrderBehaviour(confirmation_code_attempts=2)
        )
        first = await failed(stack, order.activation_code, "0000")
        assert first.activation_error == "incorrectConfirmationCode"
        second = await failed(stack, order.activation_code, "0001")
        assert second.activation_error == "confirmationCodeMaxRetriesExceeded"
        assert (second.subject_code, second.reason_code) == ("8.2.7", "6.4")

    run(tmp_path, scenario)


def test_missing_confirmation_code_postpones(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(confirmation_code="1234")
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "confirmationCodeMissing"
        assert error.cancel is not None
        assert error.cancel.reason == "postponed"
        assert error.cancel.euicc_cancelled
        assert error.cancel.server_cancelled
        assert stack.state(order) == "released"

    run(tmp_path, scenario)


def test_eid_bound_to_another_card(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(eid=OTHER_EID)
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "eidMismatch"
        assert error.subject_code == "8.1.1"
        mine = stack.order(eid=EID)
        assert (await stack.lpa.download(mine.activation_code)).iccid == mine.iccid

    run(tmp_path, scenario)


def test_not_yet_released(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(behaviour=OrderBehaviour(release_at=stack.clock.now + 600))
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "profileNotReleasedByOperator"
        assert (error.subject_code, error.reason_code) == ("8.2", "1.2")
        stack.clock.now += 601
        assert (await stack.lpa.download(order.activation_code)).iccid == order.iccid

    run(tmp_path, scenario)


def test_expired_order(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(behaviour=OrderBehaviour(expired=True))
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "profileNotAvailableForNewBinding"

    run(tmp_path, scenario)


def test_already_downloaded(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order()
        await stack.lpa.download(order.activation_code)
        with pytest.raises(LpaError) as caught:
            await stack.lpa.download(order.activation_code)
        assert caught.value.activation_error in (
            "profileNotAvailableForNewBinding",
            "invalidMatchingId",
        )

    run(tmp_path, scenario)


def test_unknown_transaction_after_session_expiry(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order()

        def expire(stage: str, _done: int, _total: int) -> None:
            if stage == "AuthenticateClient":
                stack.clock.now += 3600  # the SM-DP+ forgets the session (§2.4 8.10.1/3.9)

        error = await failed(stack, order.activation_code, progress=expire)
        assert error.activation_error == "noCorrespondingRequest"
        assert (error.subject_code, error.reason_code) == ("8.10.1", "3.9")

    run(tmp_path, scenario)


def _tamper_first_86(bpp: bytes) -> bytes:
    children = list(iter_tlvs(parse_single(bpp, 0xBF36).value))
    rebuilt = b""
    for child in children:
        if child.tag == 0xA3:
            segments = [segment.raw for segment in iter_tlvs(child.value)]
            first = bytearray(segments[0])
            first[-12] ^= 0x01  # a ciphertext byte: the C-MAC no longer matches
            segments[0] = bytes(first)
            rebuilt += encode_tlv(0xA3, b"".join(segments))
        else:
            rebuilt += child.raw
    return encode_tlv(0xBF36, rebuilt)


def test_tampered_86_segment_stops_at_the_early_bf37(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Es9Client.get_bound_profile_package

    async def tampering(self: Es9Client, address: str, tid: str, response: bytes) -> bytes:
        return _tamper_first_86(await original(self, address, tid, response))

    monkeypatch.setattr(Es9Client, "get_bound_profile_package", tampering)

    async def scenario(stack: Stack) -> None:
        order = stack.order(size_bytes=8 * 1024)
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "serverFailure"
        assert error.es10_code_name == "scp03tSecurityError"
        assert error.step == "LoadBoundProfilePackage"
        assert error.status_word is None  # no 6A88: the LPA stopped after the early BF37
        # The failed PIR went to the SM-DP+ and was removed from the card.
        assert stack.lpa.profiles.list_notifications() == []
        assert stack.state(order) == "failed"

    run(tmp_path, scenario)


def test_duplicate_iccid_on_the_card(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        first = stack.order()
        await stack.lpa.download(first.activation_code)
        current = stack.store.get(first.matching_id)
        assert current is not None
        stack.store.transition(current, {OrderState.INSTALLED}, OrderState.DELETED, "deleted")
        again = stack.order(iccid=first.iccid)
        with pytest.raises(LpaError) as caught:
            await stack.lpa.download(again.activation_code)
        assert caught.value.activation_error == "other"  # no IccidAlreadyExists member
        assert caught.value.es10_code_name == "installFailedDueToIccidAlreadyExistsOnEuicc"

    run(tmp_path, scenario)


def test_insufficient_memory(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(size_bytes=64 * 1024)
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "insufficientSpaceOnCard"

    run(tmp_path, scenario, memory_limit_bytes=16 * 1024)


def test_injected_server_failure(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(behaviour=OrderBehaviour(fail_at=Step.GET_BOUND_PROFILE_PACKAGE))
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "serverFailure"
        assert (error.subject_code, error.reason_code) == ("1.2", "4.2")

    run(tmp_path, scenario)


def test_server_not_reachable(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order()
        unreachable = make_lpa(stack.card, 1)  # nothing listens on port 1
        with pytest.raises(LpaError) as caught:
            await unreachable.download(order.activation_code)
        assert caught.value.activation_error == "serverNotReachable"
        assert caught.value.step == "InitiateAuthentication"
        # A host missing from the resolver table: no DNS lookup, serverNotReachable.
        with pytest.raises(LpaError) as caught:
            await stack.lpa.download(order.activation_code.replace(SMDP_ADDRESS, "other.example"))
        assert caught.value.activation_error == "serverNotReachable"
        assert caught.value.rule == "es9.transport.resolve"

    run(tmp_path, scenario)


def test_untrusted_tls_certificate(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order()
        error = await failed(stack, order.activation_code)
        assert error.activation_error == "serverFailure"
        assert error.rule == "es9.transport.tls"

    run(tmp_path, scenario, server_certificates=foreign_certificates())
    assert foreign_certificates().ci.certificate != certificates().ci.certificate


def test_invalid_activation_code(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        error = await failed(stack, "2$x$y")
        assert error.activation_error == "invalidActivationCode"

    run(tmp_path, scenario)
