"""A line's billing cycle: a day of the month, or a period in days (pure calendar arithmetic).

PromoChange callbacks are sent "shortly after the end of a device's billing cycle"
(ThingSpace PromoChange sample doc), so the platform needs to know when each cycle ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_SPEC = "ThingSpace PromoChange sample doc"


class BillingCycleError(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.spec = _SPEC

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}; {self.spec}]"


@dataclass(frozen=True)
class BillingCycle:
    """Exactly one of ``day_of_month`` (1-28, so every month has it) or ``period_days`` (≥ 1)."""

    day_of_month: int | None = None
    period_days: int | None = None

    def __post_init__(self) -> None:
        if (self.day_of_month is None) == (self.period_days is None):
            raise BillingCycleError(
                "billing.cycle-kind",
                "A billing cycle is either a day of the month or a period in days, not both "
                "and not neither.",
            )
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 28:
            raise BillingCycleError(
                "billing.day-of-month",
                f"Billing day {self.day_of_month} is not 1-28; days 29-31 are missing from "
                "some months.",
            )
        if self.period_days is not None and self.period_days < 1:
            raise BillingCycleError(
                "billing.period", f"A billing period of {self.period_days} days is not ≥ 1."
            )

    def next_end(self, start: datetime) -> datetime:
        """The end of the cycle that began at *start* (midnight of the billing day)."""
        if self.period_days is not None:
            return start + timedelta(days=self.period_days)
        assert self.day_of_month is not None
        candidate = start.replace(day=self.day_of_month, hour=0, minute=0, second=0, microsecond=0)
        if candidate <= start:
            year, month = (
                (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
            )
            candidate = candidate.replace(year=year, month=month)
        return candidate

    def describe(self) -> str:
        if self.period_days is not None:
            return f"every {self.period_days} days"
        return f"day {self.day_of_month} of each month"
