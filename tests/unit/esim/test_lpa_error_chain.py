"""An LpaError the LPA raises itself is never its own cause (walking the chain ends)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lpa_stack import running_stack

from esim.lpa import LpaError


def causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None:
        assert len(chain) < 10, "the cause chain loops"
        chain.append(current)
        current = current.__cause__
    return chain


def test_declined_download_error_has_a_finite_cause_chain(tmp_path: Path) -> None:
    async def scenario() -> LpaError:
        async with running_stack(tmp_path) as stack:
            order = stack.order()
            with pytest.raises(LpaError) as raised:
                await stack.lpa.download(order.activation_code, consent=lambda _: False)
            return raised.value

    error = asyncio.run(scenario())
    assert error.rule == "lpa.user-declined"
    assert causes(error) == [error]
    assert error.cancel is not None  # the session was still cancelled on both sides


def test_wrapped_errors_keep_their_original_cause(tmp_path: Path) -> None:
    async def scenario() -> LpaError:
        async with running_stack(tmp_path) as stack:
            order = stack.order(confirmation_code="1234")
            with pytest.raises(LpaError) as raised:
                await stack.lpa.download(order.activation_code, "9999")
            return raised.value

    error = asyncio.run(scenario())
    chain = causes(error)
    assert chain[0] is error
    assert all(not isinstance(cause, LpaError) for cause in chain[1:])
