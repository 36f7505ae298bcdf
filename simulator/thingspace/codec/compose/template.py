"""The composer's machinery: a callback type's fields, its template and the compose error.

A :class:`CallbackTemplate` names a callback type, its :class:`ComposeField` list and the
builder that turns the resolved :class:`Values` into the typed ``Data`` payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..devices import DeviceId
from ..errors import RuleError, spec_ref
from ..fields import FieldValue, UnverifiedFields
from ..payloads import CallbackData

SPEC_SERVICES = spec_ref("§1.1")


class CallbackComposeError(RuleError):
    """The composer was given something it cannot turn into a callback.

    ``field`` names the culprit: a payload field such as ``"ChangeDate"``, or ``"service"``,
    ``"device"`` or ``"RequestId"``. ``rule`` is a short stable id such as
    ``"compose.field-unknown"``, and ``spec`` is the section the rule comes from.
    ``str(error)`` gives the message followed by the rule and the spec reference.
    """

    def __init__(self, rule: str, message: str, *, spec: str, field: str | None = None) -> None:
        super().__init__(rule, message, spec=spec, status=400)
        self.field = field

    def __repr__(self) -> str:
        return f"CallbackComposeError(rule={self.rule!r}, field={self.field!r}, spec={self.spec!r})"


@dataclass(frozen=True)
class ComposeContext:
    """What a field's default may depend on: the moment and the devices of the message."""

    now: datetime
    devices: tuple[DeviceId, ...]


Default = str | Callable[[ComposeContext], str | None] | None
Check = Callable[[str], str | None]  # the reason the value is refused, or None


@dataclass(frozen=True)
class ComposeField:
    """One field the composer knows for a callback type.

    ``default`` is a text value, a function of the :class:`ComposeContext`, or None (the
    field is left out unless given). A field given with an empty value is left out. If
    ``required`` is set, an empty value is refused instead.
    """

    name: str
    default: Default = None
    help: str = ""
    required: bool = False
    check: Check | None = None

    def default_text(self, context: ComposeContext) -> str | None:
        if callable(self.default):
            return self.default(context)
        return self.default


@dataclass(frozen=True)
class Values:
    """A template's fields resolved against what was given: what its builder reads."""

    template: CallbackTemplate
    known: Mapping[str, str | None]
    extra: tuple[tuple[str, str], ...]
    context: ComposeContext

    def text(self, name: str) -> str | None:
        return self.known[name]

    def required(self, name: str) -> str:
        value = self.known[name]
        if value is None:  # only reachable for a field whose default is None
            raise self.fail(name, "compose.field-missing", f"{name} is needed.")
        return value

    def group(self, *names: str) -> UnverifiedFields:
        """The named fields that are present, in the order given, as a tree."""
        return UnverifiedFields(
            tuple((name, value) for name in names if (value := self.known[name]) is not None)
        )

    def extras(self) -> UnverifiedFields:
        return UnverifiedFields(self.extra)

    def all_fields(self) -> FieldValue:
        """Every present field in template order, then the extras, as the content of an
        unverified payload. An empty element (``""``) stands in when nothing is left."""
        tree = UnverifiedFields(self.group(*self.known).items + self.extra)
        return tree if len(tree) else ""

    def fail(self, field: str, rule: str, message: str) -> CallbackComposeError:
        return CallbackComposeError(
            rule, f"{self.template.name}: {message}", spec=self.template.spec, field=field
        )


Builder = Callable[[Values], CallbackData]


@dataclass(frozen=True)
class CallbackTemplate:
    """How one callback type is composed: its fields, their defaults and its payload.

    ``name`` is what the composer lists: a §1.1 service name, or a service-less §1.2 ``Data``
    child. ``verified`` is False when the payload's shape is not published (§1.2.5, and the
    "not seen" rows of §1.1). ``extensible`` means that fields the template does not know
    are carried as given. ``soap`` is False for services the legacy SOAP platform does not
    offer (§1.1); the codec still writes SOAP for them. ``status`` is the REST ``status``
    value to send. SOAP has no element for it.
    """

    name: str
    payload_name: str
    spec: str
    fields: tuple[ComposeField, ...]
    build: Builder
    verified: bool = True
    extensible: bool = False
    soap: bool = True
    status: str | None = None
    reserved: frozenset[str] = frozenset()  # lower-case names an extra may not take
    note: str = ""

    def field(self, name: str) -> ComposeField | None:
        wanted = name.lower()
        return next((f for f in self.fields if f.name.lower() == wanted), None)

    def summary(self) -> str:
        """One line for a tooltip or ``--help``: payload, spec section and caveats."""
        parts = [f"{self.name}: Data/{self.payload_name} ({self.spec})"]
        if not self.verified:
            parts.append("shape not verified; any NAME=VALUE is carried as given")
        elif self.extensible:
            parts.append("other NAME=VALUE fields are carried as extras")
        if not self.soap:
            parts.append("REST only on the real platform (§1.1)")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)
