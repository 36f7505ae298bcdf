"""Builders shared by the contract tests: JS values, portal calls, a session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simulator.contract import ContractSession, LaunchContext, PortalCall
from simulator.contract.values import JsArray, JsObject, JsValue

TRANSACTION_ID = "MSFT_ecf5a4d6-024c-46c3-8fcd-2c1f0deed572"
ON_DEVICE = "8988247000101997790"


def js(value: Any) -> JsValue:
    """A Python literal as a JsValue: dict -> object, list -> array, int -> float."""
    if isinstance(value, dict):
        return JsObject(tuple((k, js(v)) for k, v in value.items()))
    if isinstance(value, list):
        return JsArray(tuple(js(v) for v in value))
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value  # type: ignore[no-any-return]


def metadata(**fields: Any) -> JsValue:
    base = {
        "userAccount": "New",
        "purchaseInstrument": "New",
        "line": "New",
        "moDirectStatus": "Complete",
        "planName": "2GB Monthly",
    }
    base.update(fields)
    return js({k: v for k, v in base.items() if v is not _DROP})


_DROP = object()


@pytest.fixture
def drop() -> object:
    return _DROP


@pytest.fixture
def md() -> Callable[..., JsValue]:
    return metadata


@pytest.fixture
def session() -> ContractSession:
    return ContractSession(LaunchContext(TRANSACTION_ID, "esim"), lambda: frozenset({ON_DEVICE}))


@pytest.fixture
def psim_session() -> ContractSession:
    return ContractSession(LaunchContext(TRANSACTION_ID, "psim"), lambda: frozenset({ON_DEVICE}))


_seq = iter(range(1, 1_000_000))


def make_call(
    obj: str, member: str, *args: Any, kind: str = "call", operation_id: str | None = None
) -> PortalCall:
    return PortalCall(
        object_name=obj,
        member=member,
        kind=kind,  # type: ignore[arg-type]
        args=tuple(a if _is_js(a) else js(a) for a in args),
        operation_id=operation_id,
        document_url="https://portal.example/checkout",
        seq=next(_seq),
    )


def _is_js(value: Any) -> bool:
    return not isinstance(value, dict | list | int) or isinstance(value, bool)


@pytest.fixture
def call() -> Callable[..., PortalCall]:
    return make_call


def rules(result: Any) -> set[str]:
    return {v.rule for v in result.violations}
