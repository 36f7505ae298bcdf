"""The seam every callback payload shares: the wire naming and the Payload interface."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from .fields import FieldValue, UnverifiedFields
from .services import ServiceName


class Wire(StrEnum):
    """Which wire format's naming a payload tree uses."""

    SOAP = "soap"
    REST = "rest"


def wire_name(wire: Wire, soap: str, rest: str) -> str:
    return soap if wire is Wire.SOAP else rest


def known_fields(*pairs: tuple[str, FieldValue | None], skip_none: bool = True) -> UnverifiedFields:
    return UnverifiedFields(tuple(p for p in pairs if not (skip_none and p[1] is None)))


class Payload:
    """What every ``Data`` payload offers; concrete payloads are frozen dataclasses."""

    ELEMENT: ClassVar[str]
    REST_KEY: ClassVar[str]
    SERVICE: ClassVar[ServiceName | None]
    SHAPE_VERIFIED: ClassVar[bool]
    SPEC: ClassVar[str]

    @property
    def element_name(self) -> str:
        return self.ELEMENT

    @property
    def rest_key(self) -> str:
        return self.REST_KEY

    @property
    def service(self) -> ServiceName | None:
        return self.SERVICE

    def to_content(self, wire: Wire) -> FieldValue:
        raise NotImplementedError

    @classmethod
    def from_content(cls, content: FieldValue, wire: Wire) -> Self:
        raise NotImplementedError
