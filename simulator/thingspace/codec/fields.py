"""An ordered, extensible tree of named values for payload shapes the spec could not verify.

Several ``Data`` children (Usage, SMSDelivery, PRLInformation, ...) have no published content
model (ThingSpace SOAP docs), so they are carried as this tree: element or key order is
kept, repeated names are allowed (XML repeats elements), and nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from .errors import CallbackDecodeError, shown


@dataclass(frozen=True)
class UnverifiedFields:
    """Named values in wire order; ``SHAPE_VERIFIED`` is False by definition.

    An XML element with children becomes one of these; an XML leaf becomes its text (``None``
    when ``xsi:nil``). A JSON object becomes one of these, JSON arrays become tuples.
    """

    items: tuple[tuple[str, FieldValue], ...] = ()

    @classmethod
    def of(cls, *pairs: tuple[str, FieldValue]) -> UnverifiedFields:
        return cls(tuple(pairs))

    def __iter__(self) -> Iterator[tuple[str, FieldValue]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.items)

    def get(self, name: str, default: FieldValue = None) -> FieldValue:
        """The first value named exactly *name*, or *default*."""
        for key, value in self.items:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> tuple[FieldValue, ...]:
        return tuple(value for key, value in self.items if key == name)


FieldValue: TypeAlias = (
    str | int | float | bool | UnverifiedFields | tuple["FieldValue", ...] | None
)


class FieldPicker:
    """Takes known fields out of an :class:`UnverifiedFields` by case-insensitive name.

    The platform is inconsistent about case (``Change`` in SOAP, ``change`` in REST, §1.3), so
    typed payloads match names case-insensitively; whatever is not taken stays as ``rest()``.
    """

    def __init__(self, fields: UnverifiedFields, *, where: str, spec: str) -> None:
        self._fields = fields
        self._taken: set[int] = set()
        self._where = where
        self._spec = spec

    def _indices(self, names: tuple[str, ...]) -> list[int]:
        wanted = {name.lower() for name in names}
        return [
            index
            for index, (key, _) in enumerate(self._fields.items)
            if index not in self._taken and key.lower() in wanted
        ]

    def take_all(self, *names: str) -> tuple[FieldValue, ...]:
        indices = self._indices(names)
        self._taken.update(indices)
        return tuple(self._fields.items[index][1] for index in indices)

    def take(self, *names: str) -> tuple[bool, FieldValue]:
        """(present, value) of the one field called any of *names*; repeated is an error."""
        values = self.take_all(*names)
        if len(values) > 1:
            raise CallbackDecodeError(
                "payload.field-repeated",
                f"{self._where}: field {names[0]!r} appears {len(values)} times; it is single.",
                spec=self._spec,
            )
        return (True, values[0]) if values else (False, None)

    def text(self, *names: str, required: bool = False) -> str | None:
        present, value = self.take(*names)
        if not present and required:
            raise CallbackDecodeError(
                "payload.field-missing",
                f"{self._where}: required field {names[0]!r} is missing.",
                spec=self._spec,
            )
        if value is None or isinstance(value, str):
            if value is None and required:
                raise CallbackDecodeError(
                    "payload.field-missing",
                    f"{self._where}: required field {names[0]!r} is nil/null.",
                    spec=self._spec,
                )
            return value
        raise CallbackDecodeError(
            "payload.field-type",
            f"{self._where}: field {names[0]!r} must be text, got {shown(value)}.",
            spec=self._spec,
        )

    def required_text(self, *names: str) -> str:
        value = self.text(*names, required=True)
        assert value is not None  # text(required=True) raises rather than return None
        return value

    def group(self, *names: str) -> UnverifiedFields | None:
        present, value = self.take(*names)
        if not present or value is None:
            return None
        if isinstance(value, UnverifiedFields):
            return value
        if value == "":
            # An empty XML element: a group with no members.
            return UnverifiedFields()
        raise CallbackDecodeError(
            "payload.field-type",
            f"{self._where}: field {names[0]!r} must be a group of fields, got {shown(value)}.",
            spec=self._spec,
        )

    def rest(self) -> UnverifiedFields:
        return UnverifiedFields(
            tuple(item for index, item in enumerate(self._fields.items) if index not in self._taken)
        )


def as_group(value: FieldValue, *, where: str, spec: str) -> UnverifiedFields:
    """*value* as a group of fields: an empty element counts as an empty group."""
    if isinstance(value, UnverifiedFields):
        return value
    if value == "" or value is None:
        return UnverifiedFields()
    raise CallbackDecodeError(
        "payload.shape",
        f"{where} must contain child fields, got {shown(value)}.",
        spec=spec,
    )


EMPTY_FIELDS = UnverifiedFields()
