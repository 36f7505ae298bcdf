"""A direct DER reader driven by small layout tables (the engine of :mod:`.direct_es9`).

A layout is built from :class:`Sequence`, :class:`SequenceOf`, :class:`Choice`,
:data:`ANY` and the leaf readers (:func:`octets`, :func:`utf8`,
:func:`integer`, :func:`bit_string`, :func:`object_identifier`); :func:`read_value` reads the
content octets of one TLV into the value asn1tools would give, leaf types included (``bytes``,
``str``, ``int``, ``(bytes, bits)``, lists, dicts, ``(name, value)`` for a CHOICE,
``bytearray`` for ANY). Anything that is not the plain strict-DER shape of the layout raises
:class:`NotPlainError`, which means "ask asn1tools", never "invalid".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from esim.asn1.der_check import DEFAULT_LIMITS, _subtree_shape

MAX_DIRECT_BYTES = 64 * 1024
"""Longer input takes the full path: 64 KB holds at most 32,768 TLVs, far below the node limit
of :class:`~esim.asn1.der_check.DerLimits`, so the direct reader needs no node count."""
_MAX_ANY_BYTES = 4096  # a certificate; bigger ANY values take the full path
_ANY_DEPTH_MARGIN = 6  # the deepest an ANY sits in these messages, for the depth limit
_MAX_INTEGER_BYTES = 16  # esim.asn1.codec.MAX_INTEGER_BITS (128) in whole octets


class NotPlainError(Exception):
    """The input is not the plain shape: take the full path (never escapes :func:`read_direct`
    of :mod:`.direct_es9`)."""


Reader = Callable[[bytes, int, int], Any]
"""Reads the content octets ``data[start:end]`` of one TLV into its value."""


def octets(low: int = 0, high: int | None = None) -> Reader:
    def read(data: bytes, start: int, end: int) -> bytes:
        if end - start < low or (high is not None and end - start > high):
            raise NotPlainError
        return data[start:end]

    return read


def utf8(high: int | None = None) -> Reader:
    def read(data: bytes, start: int, end: int) -> str:
        try:
            text = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            raise NotPlainError from None
        if high is not None and (end - start > high or len(text) > high):
            raise NotPlainError
        return text

    return read


def integer(data: bytes, start: int, end: int) -> int:
    if not 0 < end - start <= _MAX_INTEGER_BYTES:
        raise NotPlainError
    return int.from_bytes(data[start:end], "big", signed=True)


def bit_string(data: bytes, start: int, end: int) -> tuple[bytes, int]:
    if end == start:
        raise NotPlainError
    unused = data[start]
    if unused > 7 or (unused and end - start == 1):
        raise NotPlainError
    return data[start + 1 : end], 8 * (end - start - 1) - unused


def object_identifier(data: bytes, start: int, end: int) -> str:
    arcs: list[int] = []
    value = 0
    fresh = True
    for octet in data[start:end]:
        if fresh and octet == 0x80:  # a non-minimal sub-identifier
            raise NotPlainError
        value = (value << 7) | (octet & 0x7F)
        fresh = not octet & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    if not fresh or not arcs:
        raise NotPlainError
    first = arcs[0]
    head = [first // 40, first % 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


ANY = object()
"""The field kind of an ANY component (a certificate), read with its tag by :func:`_read_any`."""


def read_header(data: bytes, offset: int, end: int) -> tuple[int, int]:
    """(value start, value end) of the TLV whose length octets start at ``offset``."""
    if offset >= end:
        raise NotPlainError
    first = data[offset]
    if first < 0x80:
        start, length = offset + 1, first
    elif first == 0x81 and offset + 1 < end and data[offset + 1] >= 0x80:
        start, length = offset + 2, data[offset + 1]
    elif first == 0x82 and offset + 2 < end and data[offset + 1]:
        start, length = offset + 3, (data[offset + 1] << 8) | data[offset + 2]
    else:  # longer, non-minimal or indefinite lengths: the full path decides
        raise NotPlainError
    if start + length > end:
        raise NotPlainError
    return start, start + length


def _read_any(data: bytes, offset: int, end: int) -> tuple[bytearray, int]:
    # A certificate: one SEQUENCE whose whole tree passes the structural check on its own.
    if data[offset] != 0x30:
        raise NotPlainError
    _, stop = read_header(data, offset + 1, end)
    blob = data[offset:stop]
    if len(blob) > _MAX_ANY_BYTES:
        raise NotPlainError
    shape = _subtree_shape(blob, DEFAULT_LIMITS, False)
    if shape is None or shape[1] + _ANY_DEPTH_MARGIN > DEFAULT_LIMITS.max_depth:
        raise NotPlainError
    return bytearray(blob), stop


Field = tuple[str, bytes, Any, str, Any]
"""(name, identifier octets, reader or nested type, presence, default); no identifier octets
for an untagged CHOICE (always required here)."""
REQUIRED, OPTIONAL, DEFAULT = "required", "optional", "default"


class Sequence:
    """A SEQUENCE of fields in order; ``...`` extensions are left to the full path."""

    def __init__(self, *fields: Field) -> None:
        self.fields = fields

    def __call__(self, data: bytes, offset: int, end: int) -> dict[str, Any]:
        value: dict[str, Any] = {}
        defaults: list[tuple[str, Any]] = []
        for name, tag, kind, presence, default in self.fields:
            if not tag:  # an untagged CHOICE: the alternative's own TLV is the component
                value[name], offset = read_choice(kind, data, offset, end)
            elif offset < end and _tag_at(data, offset, end) == tag:
                if kind is ANY:
                    value[name], offset = _read_any(data, offset, end)
                    continue
                start, stop = read_header(data, offset + len(tag), end)
                value[name] = kind(data, start, stop)
                offset = stop
            elif presence == DEFAULT:
                defaults.append((name, default))
            elif presence != OPTIONAL:
                raise NotPlainError
        if offset != end:  # an extension or a stray element
            raise NotPlainError
        value.update(defaults)  # asn1tools adds absent DEFAULT components after the others
        return value


class SequenceOf:
    def __init__(self, element_tag: bytes, element: Reader) -> None:
        self.element_tag = element_tag
        self.element = element

    def __call__(self, data: bytes, offset: int, end: int) -> list[Any]:
        items = []
        tag, element = self.element_tag, self.element
        while offset < end:
            if data[offset : offset + len(tag)] != tag:
                raise NotPlainError
            start, stop = read_header(data, offset + len(tag), end)
            items.append(element(data, start, stop))
            offset = stop
        return items


class Choice:
    """A CHOICE whose alternative fills the content it is read from (an explicitly tagged
    CHOICE's content is exactly one TLV of it, too)."""

    def __init__(self, *alternatives: tuple[str, bytes, Reader]) -> None:
        self.alternatives = {tag: (name, kind) for name, tag, kind in alternatives}

    def __call__(self, data: bytes, start: int, end: int) -> tuple[str, Any]:
        value, after = read_choice(self, data, start, end)
        if after != end:
            raise NotPlainError
        return value


def _tag_at(data: bytes, offset: int, end: int) -> bytes:
    first = data[offset]
    if first & 0x1F != 0x1F:
        return data[offset : offset + 1]
    if offset + 1 < end and data[offset + 1] < 0x80:
        return data[offset : offset + 2]
    raise NotPlainError  # tags of three or more octets appear nowhere in these types


def read_value(kind: Reader, data: bytes, start: int, end: int) -> Any:
    """The value of the content octets ``data[start:end]`` read as ``kind``."""
    return kind(data, start, end)


def read_choice(kind: Choice, data: bytes, offset: int, end: int) -> tuple[tuple[str, Any], int]:
    """The CHOICE value of the TLV at ``offset`` and the offset after it."""
    if offset >= end:
        raise NotPlainError
    tag = _tag_at(data, offset, end)
    alternative = kind.alternatives.get(tag)
    if alternative is None:
        raise NotPlainError
    name, reader = alternative
    start, stop = read_header(data, offset + len(tag), end)
    return (name, reader(data, start, stop)), stop


def field(name: str, tag: str, kind: Any, presence: str = REQUIRED, default: Any = None) -> Field:
    return name, bytes.fromhex(tag), kind, presence, default
