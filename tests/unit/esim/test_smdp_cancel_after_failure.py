"""A failed ES9+ call leaves the RSP session for the LPA's CancelSession (SGP.22 error handling)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lpa_stack import running_stack

from esim.lpa import LpaError
from esim.smdp import OrderBehaviour
from esim.smdp.behaviours import Step


def failed_download(tmp_path: Path, **order: object) -> tuple[LpaError, str]:
    async def scenario() -> tuple[LpaError, str]:
        async with running_stack(tmp_path) as stack:
            placed = stack.order(**order)  # type: ignore[arg-type]
            with pytest.raises(LpaError) as raised:
                await stack.lpa.download(placed.activation_code, "0000")
            return raised.value, stack.state(placed)

    return asyncio.run(scenario())


def test_cancel_session_after_a_failed_authenticate_client_is_accepted(tmp_path: Path) -> None:

    error, _ = failed_download(
        tmp_path,
        behaviour=OrderBehaviour(fail_at=Step.AUTHENTICATE_CLIENT),
    )
    assert error.step == "AuthenticateClient"
    assert error.cancel is not None
    assert error.cancel.euicc_cancelled
    assert error.cancel.server_cancelled, error.cancel.detail  # was 8.10.1/3.9 before


def test_cancel_session_after_a_wrong_confirmation_code_is_accepted(tmp_path: Path) -> None:
    error, state = failed_download(tmp_path, confirmation_code="1234")
    assert error.step == "GetBoundProfilePackage"
    assert error.cancel is not None
    assert error.cancel.server_cancelled, error.cancel.detail
    assert state == "released"  # the order can be tried again with the right code
