"""The contract's rule table: every rule a portal call can break, as docs/rules.md shows it.

`RULES` maps each rule id to its `Rule` (severity, what it checks, a passing and a failing
example call, the Microsoft documentation it comes from). Violations link to the rule's entry
with `rule_link`; `simulator.report.rules_page` renders the page and a test keeps the two equal
and runs every example through the contract.
"""

from __future__ import annotations

from types import MappingProxyType

from simulator.contract.rulebook.model import RULES_PAGE, Rule, rule_link
from simulator.contract.rulebook.table_calls import RULES_CALLS, RULES_OPERATIONS
from simulator.contract.rulebook.table_legacy import RULES_LEGACY
from simulator.contract.rulebook.table_metadata import RULES_METADATA
from simulator.contract.rulebook.table_values import RULES_VALUES

RULES = MappingProxyType(
    {
        rule.id: rule
        for rule in (
            *RULES_CALLS,
            *RULES_METADATA,
            *RULES_OPERATIONS,
            *RULES_VALUES,
            *RULES_LEGACY,
        )
    }
)

__all__ = ["RULES", "RULES_PAGE", "Rule", "rule_link"]
