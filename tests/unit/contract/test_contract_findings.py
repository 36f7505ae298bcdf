"""Findings' shorthands record exactly what `add` records with their severity and reject flag."""

from __future__ import annotations

import pytest

from simulator.contract.violations import Findings, Severity, rule_link


@pytest.mark.parametrize(
    ("shorthand", "severity", "reject"),
    [
        ("error", Severity.ERROR, True),
        ("flaw", Severity.ERROR, False),
        ("warning", Severity.WARNING, False),
        ("info", Severity.INFO, False),
    ],
)
@pytest.mark.parametrize("field", [None, "purchaseMetadata.planName"])
def test_each_shorthand_is_add_with_its_severity(
    shorthand: str, severity: Severity, reject: bool, field: str | None
) -> None:
    via_add, via_shorthand = Findings(), Findings()
    via_add.add("metadata.planName.empty", severity, "a message", "§1.3", field, reject=reject)
    getattr(via_shorthand, shorthand)("metadata.planName.empty", "a message", "§1.3", field)
    assert via_shorthand == via_add
    assert via_shorthand.violations[0].spec == rule_link("metadata.planName.empty")
    assert via_shorthand.rejected is reject
    assert via_shorthand.has_error is (severity is Severity.ERROR)
