"""Purchase metadata checked once per distinct content: the findings of a repeat come ready-made.

A portal passes the same few metadata objects again and again (the same plan, the same status),
and checking one in full runs a dozen Python functions (`parse_metadata` and its helpers) on
the GUI thread while the page waits, cache-cold. `parse_metadata` is a pure function of the
object's entries, so its outcome (the metadata, and the findings it records, worded the same)
is kept per content and replayed. Only objects whose values are all strings are kept: their
entries compare equal exactly when their content is equal (a number may equal a boolean in
Python, and `describe` words them differently). Bounded: a portal that sends ever new objects
costs a lookup and at most KEPT outcomes of memory.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from .metadata import PurchaseMetadata, parse_metadata
from .values import JsObject, JsValue
from .violations import Findings, Violation

__all__ = ["KnownMetadata"]

KEPT: Final = 64  # distinct objects remembered; then the memory starts again
_MAX_ENTRIES: Final = 16  # an object with more is checked in full every time
_MAX_CHARS: Final = 256  # nor one with a key or value longer than this


class _Outcome(NamedTuple):
    metadata: PurchaseMetadata | None
    violations: tuple[Violation, ...]
    rejected: bool
    has_error: bool
    portal_error: str | None


class KnownMetadata:
    """`parse_metadata(value, findings)` with its default options, remembered per content."""

    def __init__(self) -> None:
        self._outcomes: dict[tuple[tuple[str, JsValue], ...], _Outcome] = {}

    def parse(self, value: JsValue, findings: Findings) -> PurchaseMetadata | None:
        """What `parse_metadata(value, findings)` returns, recording the same findings."""
        if type(value) is not JsObject or findings.rejected:
            return parse_metadata(value, findings)
        entries = value.entries
        outcome = self._outcomes.get(entries)
        if outcome is None:
            if len(entries) > _MAX_ENTRIES:
                return parse_metadata(value, findings)
            for key, item in entries:
                if type(item) is not str or len(item) > _MAX_CHARS or len(key) > _MAX_CHARS:
                    return parse_metadata(value, findings)
            own = Findings()
            metadata = parse_metadata(value, own)
            outcome = _Outcome(
                metadata, tuple(own.violations), own.rejected, own.has_error, own.portal_error
            )
            if len(self._outcomes) >= KEPT:
                self._outcomes.clear()
            self._outcomes[entries] = outcome
        findings.violations.extend(outcome.violations)
        if outcome.rejected:
            findings.rejected = True
        if outcome.has_error:
            findings.has_error = True
        if outcome.portal_error is not None:
            findings.portal_error = outcome.portal_error
        return outcome.metadata
