"""Contoso Mobile's plan catalogue: the plans, their fulfilment, and ``GET /api/plans``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPERATOR_NAME = "Contoso Mobile"
FULFILMENTS = ("inline", "delayed", "async", "legacy", "topup")


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    price_cents: int
    period: str
    data_mb: int
    fulfilment: str
    summary: str
    fulfilment_text: str
    minutes: int = 0
    """The download delay (delayed) or the network registration interval (async)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "price": {"cents": self.price_cents, "currency": "USD", "period": self.period},
            "priceText": f"${self.price_cents / 100:.2f}"
            + (f" / {self.period}" if self.period else ""),
            "dataMB": self.data_mb,
            "fulfilment": self.fulfilment,
            "minutes": self.minutes,
            "summary": self.summary,
            "fulfilmentText": self.fulfilment_text,
        }


CATALOGUE: tuple[Plan, ...] = (
    Plan(
        "contoso-5gb",
        "Contoso 5 GB",
        1500,
        "30 days",
        5 * 1024,
        "inline",
        "5 GB of data for 30 days, in the US.",
        "Your eSIM is downloaded and installed right away, while you stay on this page.",
    ),
    Plan(
        "contoso-travel-10gb",
        "Contoso Travel 10 GB",
        2500,
        "30 days",
        10 * 1024,
        "delayed",
        "10 GB for your next trip; the eSIM is released before you leave.",
        "Your eSIM will be ready in 15 minutes: Windows will tell you when to install it.",
        minutes=15,
    ),
    Plan(
        "contoso-unlimited",
        "Contoso Unlimited",
        4000,
        "month",
        100 * 1024,
        "async",
        "Unlimited data (100 GB at full speed) every month.",
        "The Mobile Plans app installs your eSIM; the line connects within about 15 minutes.",
        minutes=15,
    ),
    Plan(
        "contoso-classic-2gb",
        "Contoso Classic 2 GB",
        1000,
        "30 days",
        2 * 1024,
        "legacy",
        "2 GB for 30 days on our classic checkout.",
        "The Mobile Plans app takes over and sets up your eSIM after you place the order.",
    ),
    Plan(
        "topup-1gb",
        "Top-up 1 GB",
        500,
        "",
        1024,
        "topup",
        "Add 1 GB to a Contoso line you already have on this PC.",
        "The data is added to your line at once; Windows switches to that line.",
    ),
)


def catalogue_json(*, backend: bool) -> dict[str, Any]:
    """GET /api/plans. ``backend: false`` marks the static copy in resources/portal/api/plans,
    which the portal folder serves when no backend is attached (the portal then stays offline).
    """
    return {
        "operator": OPERATOR_NAME,
        "backend": backend,
        "plans": [plan.to_json() for plan in CATALOGUE],
    }
