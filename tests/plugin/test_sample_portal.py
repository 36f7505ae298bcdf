"""The bundled portal's stable selectors: the page lists them, the portal has them, and `buy`
chooses plans by id or fulfilment with a clear error otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.portal.sample_backend.catalogue import CATALOGUE, FULFILMENTS
from simulator.pytest_plugin import MobilePlansError
from simulator.pytest_plugin.sample_portal import SELECTORS, find_plan

ROOT = Path(__file__).parents[2]
PAGE = (ROOT / "docs" / "sample-portal.md").read_text("utf-8")
PORTAL = (ROOT / "resources" / "portal" / "index.html").read_text("utf-8")


def test_the_page_lists_every_selector_and_every_plan() -> None:
    for what, selector in SELECTORS.items():
        row = f"| {what} | `{selector.split(',')[0]}`"
        assert row in PAGE, row
    for plan in CATALOGUE:
        assert f"| `{plan.id}` | {plan.name} | `{plan.fulfilment}` |" in PAGE


def test_the_portal_has_every_element_the_selectors_name() -> None:
    ids = set(re.findall(r'id="([^"]+)"', PORTAL))
    for selector in SELECTORS.values():
        for element in re.findall(r"#([\w-]+)", selector):
            if element != "choose-":
                assert element in ids, selector


def test_plans_are_found_by_id_or_fulfilment() -> None:
    assert find_plan("contoso-5gb").fulfilment == "inline"
    for fulfilment in FULFILMENTS:
        assert find_plan(fulfilment=fulfilment).fulfilment == fulfilment


@pytest.mark.parametrize(
    ("plan", "fulfilment", "message"),
    [
        (None, None, "one of the two"),
        ("contoso-5gb", "inline", "one of the two"),
        ("contoso-50gb", None, "no plan 'contoso-50gb'; its plans: contoso-5gb"),
        (None, "instant", "no plan of the bundled portal has fulfilment 'instant'"),
    ],
)
def test_a_wrong_choice_names_the_choices(
    plan: str | None, fulfilment: str | None, message: str
) -> None:
    with pytest.raises(MobilePlansError, match=re.escape(message)):
        find_plan(plan, fulfilment)
