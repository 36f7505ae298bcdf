"""One contract rule as users read it on docs/rules.md: id, severity, what it checks, examples,
and the sections it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.contract.rulebook.examples import Example
from simulator.contract.rulebook.sources import Source, sources_of
from simulator.contract.violations import RULES_PAGE, rule_link

__all__ = ["RULES_PAGE", "Rule", "rule_link"]


@dataclass(frozen=True)
class Rule:
    """``severity`` is "error" (rejects the call), "flaw" (an error the app still acts on),
    "warning" or "info". ``sections`` are the internal section keys (see `sources`)."""

    id: str
    severity: str
    checks: str
    sections: str
    passing: Example | None = None
    failing: Example | None = None
    example_text: str = ""  # for a rule no single call can show (the app's own checks)

    @property
    def sources(self) -> tuple[Source, ...]:
        return sources_of(self.sections)

    @property
    def link(self) -> str:
        return rule_link(self.id)
