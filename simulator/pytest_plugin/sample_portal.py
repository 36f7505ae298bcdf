"""The bundled Contoso Mobile portal's purchase path, by its stable selectors
(docs/sample-portal.md).

`MobilePlans.buy(plan=..., fulfilment=...)` walks it as a person would: choose the plan, sign in,
choose a line for a top-up, pay with the prefilled test card, confirm, place the order. Only the
bundled portal has these selectors; with a portal of your own, use `click` and `fill`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.portal.sample_backend.catalogue import CATALOGUE, FULFILMENTS, Plan
from simulator.pytest_plugin.failures import MobilePlansError

if TYPE_CHECKING:
    from simulator.pytest_plugin.driver import MobilePlans

#: The bundled portal's stable selectors; docs/sample-portal.md lists the same (a test checks).
SELECTORS: dict[str, str] = {
    "plan button": "#choose-<plan id>",
    "email": "#email",
    "password": "#password",
    "sign in": "#to-payment",
    "line step": "#step-line.active",
    "line choice": "input[name=line]",
    "line continue": "#line-continue",
    "payment step": "#step-payment.active",
    "card number": "#card",
    "pay": "#to-confirm",
    "confirm step": "#step-confirm.active",
    "place order": "#place-order",
    "done step": "#step-done.active",
    "cancel scheduled download": "#cancel-scheduled",
    "try again": "#try-again",
    "cancel": "#cancel",
    "status": "#status",
}

TEST_ACCOUNT = ("alex@example.com", "contoso")


def find_plan(plan: str | None = None, fulfilment: str | None = None) -> Plan:
    """The catalogue plan with id `plan`, or the first whose fulfilment is `fulfilment`."""
    __tracebackhide__ = True
    ids = ", ".join(p.id for p in CATALOGUE)
    if (plan is None) == (fulfilment is None):
        raise MobilePlansError(
            "buy() takes a plan id (plan=…: "
            + ids
            + ") or a fulfilment (fulfilment=…: "
            + ", ".join(FULFILMENTS)
            + "), one of the two"
        )
    for candidate in CATALOGUE:
        if candidate.id == plan or (plan is None and candidate.fulfilment == fulfilment):
            return candidate
    if plan is not None:
        raise MobilePlansError(f"the bundled portal has no plan {plan!r}; its plans: {ids}")
    raise MobilePlansError(
        f"no plan of the bundled portal has fulfilment {fulfilment!r}; "
        f"the fulfilments: {', '.join(FULFILMENTS)}"
    )


def buy(
    owner: MobilePlans,
    plan: Plan,
    *,
    launch: bool,
    line_iccid: str | None,
    timeout: float | None,
) -> None:
    """Walk the purchase path for `plan` up to and including "Place order"."""
    __tracebackhide__ = True
    if not owner.uses_bundled_portal:
        raise MobilePlansError(
            "buy() walks the bundled Contoso portal; this simulator runs "
            + owner.simulator.portal_uri
            + ", so drive it with click() and fill()"
        )
    if launch:
        owner.launch(timeout=timeout)
    owner.click(f"#choose-{plan.id}", timeout)
    owner.fill("#email", TEST_ACCOUNT[0], timeout)
    owner.fill("#password", TEST_ACCOUNT[1], timeout)
    owner.click("#to-payment", timeout)
    if plan.fulfilment == "topup":
        owner.wait_for_element("#step-line.active", timeout)
        if line_iccid is not None:
            owner.click(f"input[name=line][value='{_css_value(line_iccid)}']", timeout)
        owner.click("#line-continue", timeout)
    owner.wait_for_element("#step-payment.active", timeout)
    owner.click("#to-confirm", timeout)
    owner.wait_for_element("#step-confirm.active", timeout)
    owner.click("#place-order", timeout)


def _css_value(text: str) -> str:
    if text and not text.isalnum():  # "" is the SIM in use now
        raise MobilePlansError(f"a line is chosen by its ICCID digits; got {text!r}")
    return text
