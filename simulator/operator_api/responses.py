"""What an operator API answered, and what the service understood from it (value types)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.contract.violations import Severity, Violation
from simulator.operator_api.config import BalanceType
from simulator.operator_api.durations import IsoDuration
from simulator.operator_api.requests import Api
from simulator.operator_api.rules import violation

__all__ = ["ApiResponse", "Balance", "CheckedResponse", "show"]

_MAX_SHOWN = 80


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Balance:
    type: BalanceType
    data_remaining_mb: float | None
    time_remaining: IsoDuration | None
    id: str | None = None


@dataclass
class CheckedResponse:
    """What the service understood from one answer, and what was wrong with it.

    ``balances`` / ``gateway_ids`` / ``notification_ids`` are the usable entries (None when the
    answer carries none); ``retry_after`` the seconds a 429 asked to wait.
    """

    api: Api
    status: int
    violations: list[Violation] = field(default_factory=list)
    balances: list[Balance] | None = None
    gateway_ids: list[str] | None = None
    notification_ids: list[str] | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not any(v.severity is Severity.ERROR for v in self.violations)

    def add(self, rule: str, message: str, field_name: str | None = None) -> None:
        self.violations.append(violation(rule, message, field_name))


def show(value: Any) -> str:
    """A value as JSON, cut to a readable length for messages."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
