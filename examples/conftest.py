"""Shared steps for the example suite: walking the bundled Contoso portal's purchase path.

Copy this folder to start your own suite; replace `buy` with your portal's own steps (the
`mobile_plans` fixture comes from the plugin, installed with the simulator).
"""

from __future__ import annotations

from typing import Any

import pytest


class Contoso:
    """The sample portal's purchase path, by the stable element ids it documents."""

    def __init__(self, mobile_plans: Any) -> None:
        self.mp = mobile_plans

    def buy(self, plan_id: str, *, line: bool = False) -> None:
        """Launch, choose `plan_id`, sign in, (choose a line,) pay with the test card, order."""
        mp = self.mp
        mp.launch()
        mp.click(f"#choose-{plan_id}")
        mp.fill("#email", "alex@example.com")
        mp.fill("#password", "contoso")
        mp.click("#to-payment")
        if line:
            mp.click("#line-continue")
        mp.wait_for_element("#step-payment.active")
        mp.click("#to-confirm")
        mp.wait_for_element("#step-confirm.active")
        mp.click("#place-order")

    def status(self) -> str:
        return str(self.mp.js("document.getElementById('status').textContent"))


@pytest.fixture
def contoso(mobile_plans: Any) -> Contoso:
    return Contoso(mobile_plans)
