"""The operator's in-memory book: accounts, lines (plan, balance in MB) and orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.portal.sample_backend.catalogue import Plan


@dataclass
class Line:
    iccid: str
    plan: str
    balance_mb: int
    status: str
    email: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "iccid": self.iccid,
            "plan": self.plan,
            "balanceMB": self.balance_mb,
            "status": self.status,
        }


@dataclass
class Account:
    email: str
    password: str
    lines: list[str] = field(default_factory=list)


@dataclass
class OrderRecord:
    id: str
    plan: Plan
    iccid: str | None
    matching_id: str | None
    activation_code: str | None
    eid: str | None
    transaction_id: str
    status: str = "placed"
