"""Errors of the callback codec: values with a rule, a readable message and a spec reference."""

from __future__ import annotations

SPEC_FILE = "thingspace-callbacks.md"

_MAX_SHOWN = 64


def shown(value: object) -> str:
    """*value* as an error message may quote it: repr'd and cut, so junk stays readable."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def spec_ref(section: str) -> str:
    """The reference string for a section of the ThingSpace spec, e.g. ``"§1.2.1"``."""
    return f"{SPEC_FILE} {section}"


class RuleError(ValueError):
    """A request broke one named rule: ``rule``, ``message``, ``spec`` and the HTTP ``status``
    to answer with. ``str(error)`` is the message with the rule and the spec reference.
    """

    def __init__(self, rule: str, message: str, *, spec: str, status: int = 400) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.spec = spec
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}; {self.spec}]"


class CallbackDecodeError(RuleError):
    """An inbound callback body broke one named rule and was rejected.

    ``rule`` is a short stable id (``"soap.request-id-missing"``), ``message`` a sentence naming
    the element or field and the offending value, ``spec`` the spec section the rule comes from
    and ``status`` the HTTP status a listener should answer with: 400 (malformed), 413 (body too
    large) or 415 (wrong content type). ``str(error)`` is the message.
    """

    def __repr__(self) -> str:
        return f"CallbackDecodeError(rule={self.rule!r}, status={self.status}, spec={self.spec!r})"


class CallbackEncodeError(ValueError):
    """A message cannot be written on the chosen wire (e.g. a character XML cannot carry)."""

    def __init__(self, rule: str, message: str, *, spec: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.spec = spec

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}; {self.spec}]"
