"""Full downloads over real HTTPS on 127.0.0.1: LPA ↔ emulated eUICC ↔ stub SM-DP+ (§5.6 step 2)."""

from __future__ import annotations

import asyncio
import itertools
import threading
from pathlib import Path

import pytest
from lpa_stack import SMDP_ADDRESS, running_stack

from esim.asn1 import messages as m
from esim.lpa import DownloadResult, LpaError
from esim.lpa.es9_client import Es9Client


def test_full_download_installs_and_delivers_the_install_notification(tmp_path: Path) -> None:
    stages: list[tuple[str, int, int]] = []

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = stack.order(size_bytes=12 * 1024)
            result = await stack.lpa.download(
                order.activation_code, progress=lambda *event: stages.append(event)
            )
            assert isinstance(result, DownloadResult)
            assert result.iccid == order.iccid
            assert result.aid.startswith("A0000005591010FFFFFFFF89")
            assert result.smdp_address == SMDP_ADDRESS
            assert result.metadata.iccid == order.iccid
            # The profile is on the card, disabled (SGP.22 §3.1.3.6).
            [profile] = stack.lpa.profiles.list_profiles()
            assert (profile.iccid, profile.state, profile.aid) == (
                order.iccid,
                "disabled",
                result.aid,
            )
            # The signed PIR reached the SM-DP+, which verified euiccSignPIR and marked the
            # order installed; the card no longer holds the notification.
            [outcome] = result.notifications
            assert outcome.event == "install"
            assert outcome.sent
            assert outcome.removed
            assert outcome.error is None
            assert stack.state(order) == "installed"
            assert stack.lpa.profiles.list_notifications() == []
            assert stack.card.notifications() == []
            assert any(event["action"] == "installed" for event in stack.events)

    asyncio.run(scenario())
    names = [stage for stage, _, _ in stages]
    assert names[0] == "GetEUICCInfo1"
    assert names[-1] == "Done"
    assert names.index("AuthenticateClient") < names.index("PrepareDownload")
    loads = [(done, total) for stage, done, total in stages if stage == "LoadBoundProfilePackage"]
    assert loads[0][0] == 0
    assert loads[-1][0] == loads[-1][1] > 12 * 1024
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(loads))


def test_the_bf37_is_a_valid_signed_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Capture the PIR the LPA sends and check it as the SM-DP+ does (§3.6 euiccSignPIR)."""
    sent: list[bytes] = []
    original = Es9Client.handle_notification

    async def recording(self: Es9Client, address: str, pending: bytes) -> None:
        sent.append(pending)
        await original(self, address, pending)

    monkeypatch.setattr(Es9Client, "handle_notification", recording)

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = stack.order()
            await stack.lpa.download(order.activation_code)

    asyncio.run(scenario())
    [pir] = sent
    choice, value = m.decode_pending_notification(pir)
    assert choice == "profileInstallationResult"
    kind, _ = value["profileInstallationResultData"]["finalResult"]
    assert kind == "successResult"
    from lpa_stack import certificates

    from esim.crypto import verify_raw

    part = m.profile_installation_result_part(pir)
    euicc = certificates().euicc
    assert euicc is not None
    verify_raw(euicc.certificate.public_key(), part.signed, part.signature)


def test_confirmation_code_download(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = stack.order(confirmation_code="7364")
            assert order.activation_code.endswith("$$1")
            result = await stack.lpa.download(order.activation_code, "7364")
            assert result.iccid == order.iccid
            assert stack.state(order) == "installed"

    asyncio.run(scenario())


def test_notifications_can_be_kept_for_later(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_stack(tmp_path, send_notifications=False) as stack:
            order = stack.order()
            result = await stack.lpa.download(order.activation_code)
            assert result.notifications == ()
            [pending] = stack.lpa.profiles.list_notifications()
            assert (pending.event, pending.iccid) == ("install", order.iccid)
            [outcome] = await stack.lpa.send_notifications()
            assert outcome.removed
            assert stack.state(order) == "installed"

    asyncio.run(scenario())


def test_declining_consent_cancels_on_card_and_server(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = stack.order()
            with pytest.raises(LpaError) as caught:
                await stack.lpa.download(order.activation_code, consent=lambda _metadata: False)
            error = caught.value
            assert error.activation_error == "operationAborted"
            assert error.rule == "lpa.user-declined"
            assert error.cancel is not None
            assert error.cancel.reason == "endUserRejection"
            assert error.cancel.euicc_cancelled
            assert error.cancel.server_cancelled
            assert stack.lpa.profiles.list_profiles() == []
            assert stack.state(order) != "downloading"

    asyncio.run(scenario())


def test_abort_from_another_thread_postpones_and_keeps_the_order(tmp_path: Path) -> None:
    abort = threading.Event()

    def progress(stage: str, _done: int, _total: int) -> None:
        if stage == "PrepareDownload":
            abort.set()

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = stack.order()
            with pytest.raises(LpaError) as caught:
                await stack.lpa.download(order.activation_code, progress=progress, abort=abort)
            assert caught.value.activation_error == "operationAborted"
            assert caught.value.cancel is not None
            assert caught.value.cancel.reason == "postponed"
            assert caught.value.cancel.server_cancelled
            assert stack.state(order) == "released"  # postponed keeps the order (§3.8)
            abort.clear()
            result = await stack.lpa.download(order.activation_code)
            assert result.iccid == order.iccid

    asyncio.run(scenario())


def test_download_blocking_runs_from_a_worker_thread(tmp_path: Path) -> None:
    """The documented way to run a download off the GUI thread: a private loop per call."""
    results: list[DownloadResult] = []

    async def scenario() -> None:
        async with running_stack(tmp_path) as stack:
            order = stack.order()
            worker = threading.Thread(
                target=lambda: results.append(stack.lpa.download_blocking(order.activation_code))
            )
            worker.start()
            while worker.is_alive():  # keep serving the SM-DP+ on this loop meanwhile
                await asyncio.sleep(0.01)
            worker.join()

    asyncio.run(scenario())
    assert len(results) == 1


def test_load_runs_keep_every_command_in_order_within_the_size() -> None:
    from esim.lpa.download import _runs

    commands = [bytes([n]) * size for n, size in enumerate([5, 1020, 1020, 30_000, 10, 10])]
    runs = _runs(commands, 2048)
    assert [command for run in runs for command in run] == commands
    assert [len(run) for run in runs] == [3, 1, 2]  # 2,045 bytes; a big command runs alone
    assert _runs([], 2048) == []
