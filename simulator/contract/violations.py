"""Violations: what a portal call did wrong, which rule it broke and where to read about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

__all__ = ["RULES_PAGE", "Findings", "Severity", "Violation", "rule_link"]

_new_tuple = tuple.__new__

#: The page that explains every rule (generated from `simulator.contract.rulebook`).
RULES_PAGE = "docs/rules.md"


def rule_link(rule: str) -> str:
    """Where a user reads about `rule`: its entry on the rules page, `docs/rules.md#<rule>`."""
    return f"{RULES_PAGE}#{rule}"


class Severity(StrEnum):
    """How bad a violation is.

    ERROR: the documented contract is broken. WARNING: accepted, but a variant the
    docs discourage or a likely bug. INFO: accepted and fine, worth knowing.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Violation(NamedTuple):
    """One broken (or noteworthy) rule.

    ``rule`` is a stable dotted id ("metadata.planName.empty-on-success"), ``message``
    names the field and the value, ``spec`` where to read about the rule
    ("docs/rules.md#metadata.planName.empty-on-success": what it checks, examples, and the
    Microsoft documentation it comes from), ``field`` the argument or property concerned.

    A named tuple, so never changed once made: the shorthands below make one with
    ``tuple.__new__`` while the page waits (a frozen dataclass's generated ``__init__`` is one
    more Python function there, cache-cold).
    """

    rule: str
    severity: Severity
    message: str
    spec: str
    field: str | None = None


@dataclass
class Findings:
    """Collects the violations of one call and whether any of them rejects the call.

    A rejecting violation is always an ERROR; an ERROR need not reject (a wrong
    ``planName`` breaks the contract but the app can still act on the call).
    """

    violations: list[Violation] = field(default_factory=list)
    rejected: bool = False
    #: Whether any violation is an ERROR (rejecting or not).
    has_error: bool = False
    #: The MobilePlansActivationError member the app answers with (§1.4, §4.11), if any.
    portal_error: str | None = None

    def add(
        self,
        rule: str,
        severity: Severity,
        message: str,
        section: str,
        field: str | None = None,
        *,
        reject: bool = False,
    ) -> None:
        """Record a violation. ``section`` names, for readers of the checking code, the section
        of the documents the check implements; users get the rule's link instead, whose entry
        (`simulator.contract.rulebook`) names the public pages."""
        del section  # the rule table carries the sources users read
        if reject and severity is not Severity.ERROR:
            raise ValueError("only an ERROR can reject a call")
        self.violations.append(Violation(rule, severity, message, rule_link(rule), field))
        self.rejected = self.rejected or reject
        self.has_error = self.has_error or severity is Severity.ERROR

    # The four below record directly, without `add`: a call's findings are recorded on the GUI
    # thread while the page waits, where each Python function on the way costs microseconds.
    def error(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """An ERROR that rejects the call."""
        self.violations.append(
            _new_tuple(Violation, (rule, Severity.ERROR, message, f"{RULES_PAGE}#{rule}", field))
        )
        self.rejected = self.has_error = True

    def flaw(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """An ERROR that does not stop the app from acting on the call."""
        self.violations.append(
            _new_tuple(Violation, (rule, Severity.ERROR, message, f"{RULES_PAGE}#{rule}", field))
        )
        self.has_error = True

    def warning(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """A WARNING: accepted."""
        self.violations.append(
            _new_tuple(Violation, (rule, Severity.WARNING, message, f"{RULES_PAGE}#{rule}", field))
        )

    def info(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """An INFO: accepted."""
        self.violations.append(
            _new_tuple(Violation, (rule, Severity.INFO, message, f"{RULES_PAGE}#{rule}", field))
        )
