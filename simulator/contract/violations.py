"""Violations: what a portal call did wrong, which rule it broke and where the rule is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["SPEC", "Findings", "Severity", "Violation"]

#: The compiled specification every rule cites (with its section).
SPEC = "mobile-plans.md"


class Severity(StrEnum):
    """How bad a violation is.

    ERROR: the documented contract is broken. WARNING: accepted, but a variant the
    docs discourage or a likely bug. INFO: accepted and fine, worth knowing.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Violation:
    """One broken (or noteworthy) rule.

    ``rule`` is a stable dotted id ("metadata.planName.empty-on-success"), ``message``
    names the field and the value, ``spec`` the section ("mobile-plans.md §1.3"),
    ``field`` the argument or property concerned when there is one.
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
        """Record a violation; ``section`` is "§1.3" or "§1.3 (doc page)"."""
        if reject and severity is not Severity.ERROR:
            raise ValueError("only an ERROR can reject a call")
        self.violations.append(Violation(rule, severity, message, f"{SPEC} {section}", field))
        self.rejected = self.rejected or reject

    def error(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """An ERROR that rejects the call."""
        self.add(rule, Severity.ERROR, message, section, field, reject=True)

    def flaw(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """An ERROR that does not stop the app from acting on the call."""
        self.add(rule, Severity.ERROR, message, section, field)

    def warning(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """A WARNING: accepted."""
        self.add(rule, Severity.WARNING, message, section, field)

    def info(self, rule: str, message: str, section: str, field: str | None = None) -> None:
        """An INFO: accepted."""
        self.add(rule, Severity.INFO, message, section, field)
