"""Errors of the callback codec: values with a rule, a readable message and a spec reference."""

from __future__ import annotations

SPEC_FILE = "ThingSpace callback docs"

_MAX_SHOWN = 64


def shown(value: object) -> str:
    """*value* as an error message may quote it: repr'd and cut, so junk stays readable."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


# Our notes' section numbers, named by the public ThingSpace/nPhase topic they summarise.
_TOPICS = (
    ("§0", "overview"),
    ("§1.1", "callback service names"),
    ("§1.2.1", "the PromoChange sample"),
    ("§1.2.2", "ResumeTrackingNotification"),
    ("§1.2.3", "ExternalProvisioningChange"),
    ("§1.2.4", "CarrierService"),
    ("§1.2.5", "the SOAP Data children"),
    ("§1.2.6", "mobile-originated SMS"),
    ("§1.2", "the SOAP CallbackRequest"),
    ("§1.3", "REST callbacks"),
    ("§2.1", "SOAP callback registration"),
    ("§2.2", "REST callback registration"),
    ("§2.3", "what a listener returns"),
    ("§2.4", "retries"),
    ("§2.5", "ordering"),
    ("§2.6", "duplicates and RequestId"),
    ("§2.7", "security"),
    ("§3", "device identifiers"),
    ("§5", "receiving SOAP safely: no DTD, no entities"),
)


def spec_ref(section: str) -> str:
    """Where a rule comes from, named by its ThingSpace topic (``"§1.2.1"`` → the PromoChange
    sample); several sections (``"§1.2, §2.6"``) name each topic once."""
    topics: list[str] = []
    for part in section.split(","):
        key = part.strip().split(" ")[0]
        for prefix, topic in _TOPICS:
            if key == prefix or key.startswith(prefix + "."):
                if topic not in topics:
                    topics.append(topic)
                break
    return f"{SPEC_FILE}: {'; '.join(topics)}" if topics else SPEC_FILE


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
