"""The strict DER reader under the direct readers of :mod:`.direct_es9` (the SM-DP+ side) and
:mod:`.device_der` (the LPA and the eUICC): TLV headers, primitives, ANY and the SEQUENCE,
SEQUENCE OF and CHOICE combinators, each producing asn1tools' Python value (``bytes``, ``str``,
``int``, ``(bytes, bits)``, lists, dicts, ``(name, value)`` for a CHOICE, ``bytearray`` for ANY)
or raising :data:`DECLINE` for anything it does not fully recognise. A decline means "ask the
codec", never "invalid": the reader has no errors of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from esim.asn1.der_check import DEFAULT_LIMITS, _subtree_shape

_MAX_INTEGER_BITS = 128  # as esim.asn1.codec.MAX_INTEGER_BITS


class DeclinedError(Exception):
    """The reader does not take this input; the codec decides."""


DECLINE = DeclinedError()

Reader = Callable[[bytes, int, int, int], Any]
"""(message, TLV start, value start, value end) → asn1tools' value; raises DeclinedError."""


def header(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``offset``: tags of one or two octets,
    definite minimal lengths below 16 MiB, within ``end``; anything else declines."""
    if offset >= end:
        raise DECLINE
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:
        if offset >= end:
            raise DECLINE
        second = data[offset]
        if second < 0x1F or second & 0x80:
            raise DECLINE
        tag = (tag << 8) | second
        offset += 1
    if offset >= end:
        raise DECLINE
    length = data[offset]
    offset += 1
    if length >= 0x80:
        if length == 0x81 and offset < end:
            length = data[offset]
            offset += 1
            if length < 0x80:
                raise DECLINE
        elif length == 0x82 and offset + 2 <= end:
            length = (data[offset] << 8) | data[offset + 1]
            offset += 2
            if length < 0x100:
                raise DECLINE
        elif length == 0x83 and offset + 3 <= end:
            length = int.from_bytes(data[offset : offset + 3], "big")
            offset += 3
            if length < 0x10000:
                raise DECLINE
        else:
            raise DECLINE
    stop = offset + length
    if stop > end:
        raise DECLINE
    return tag, offset, stop


# -- primitive readers -------------------------------------------------------------------------


def octets(low: int = 0, high: int | None = None) -> Reader:
    def read(data: bytes, _tlv: int, start: int, stop: int) -> bytes:
        if not low <= stop - start <= (stop - start if high is None else high):
            raise DECLINE
        return data[start:stop]

    return read


def utf8(low: int = 0, high: int | None = None) -> Reader:
    def read(data: bytes, _tlv: int, start: int, stop: int) -> str:
        try:
            text = data[start:stop].decode("utf-8")
        except UnicodeDecodeError:
            raise DECLINE from None
        if not low <= len(text) <= (len(text) if high is None else high):
            raise DECLINE
        return text

    return read


def integer(data: bytes, _tlv: int, start: int, stop: int) -> int:
    if stop - start > 1 and (
        (data[start] == 0x00 and data[start + 1] < 0x80)
        or (data[start] == 0xFF and data[start + 1] >= 0x80)
    ):
        raise DECLINE  # not minimal
    if start == stop or stop - start > 17:
        raise DECLINE
    value = int.from_bytes(data[start:stop], "big", signed=True)
    if value.bit_length() > _MAX_INTEGER_BITS:
        raise DECLINE
    return value


def boolean(data: bytes, _tlv: int, start: int, stop: int) -> bool:
    if stop - start != 1 or data[start] not in (0x00, 0xFF):
        raise DECLINE
    return data[start] == 0xFF


def bit_string(data: bytes, _tlv: int, start: int, stop: int) -> tuple[bytes, int]:
    if start == stop:
        raise DECLINE
    unused = data[start]
    if unused > 7 or (unused and stop - start == 1):
        raise DECLINE
    if unused and data[stop - 1] & ((1 << unused) - 1):
        raise DECLINE  # DER: unused bits are zero
    return data[start + 1 : stop], (stop - start - 1) * 8 - unused


def object_identifier(data: bytes, _tlv: int, start: int, stop: int) -> str:
    """Dotted arcs (X.690 §8.19); a first subidentifier of 80 or more is 2.(n - 80)."""
    if start == stop or data[stop - 1] & 0x80 or stop - start > 64:
        raise DECLINE
    arcs: list[int] = []
    value = 0
    fresh = True
    for byte in data[start:stop]:
        if fresh and byte == 0x80:
            raise DECLINE  # a subidentifier with a leading 80 is not minimal
        value = (value << 7) | (byte & 0x7F)
        fresh = not byte & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


_MAX_ANY_BYTES = 4096  # a certificate; bigger ANY values go to the codec
_ANY_DEPTH_MARGIN = 6  # deeper than any ANY sits in the layouts, for the depth limit


def any_value(data: bytes, tlv: int, _start: int, stop: int) -> bytearray:
    """An ANY (a certificate): the whole TLV, whose tree must pass the codec's structural check
    on its own (remembered per distinct certificate, so a repeated one costs a lookup). The
    layouts read every other TLV strictly themselves, so no walk of the whole message is
    needed."""
    blob = data[tlv:stop]
    if len(blob) > _MAX_ANY_BYTES:
        raise DECLINE
    shape = _subtree_shape(blob, DEFAULT_LIMITS, False)
    if shape is None or shape[1] + _ANY_DEPTH_MARGIN > DEFAULT_LIMITS.max_depth:
        raise DECLINE
    return bytearray(blob)  # asn1tools gives an ANY as a bytearray


# -- constructed readers -----------------------------------------------------------------------

ABSENT = object()
_NO_CHILD = (-1, 0, 0)  # the "next child" once a SEQUENCE's content is used up: no tag matches -1


def sequence(*members: tuple[int, str, Reader, Any]) -> Reader:
    """Members in order: (tag, name, reader, ``None`` mandatory | ``ABSENT`` optional | a
    DEFAULT value, given when the member is absent as asn1tools gives it)."""

    def read(data: bytes, _tlv: int, start: int, stop: int) -> dict[str, Any]:
        value: dict[str, Any] = {}
        defaults: list[tuple[str, Any]] = []
        offset = start
        # The next child's header, read once however many absent members are skipped before it.
        child_tag, child_start, child_stop = (
            header(data, offset, stop) if offset < stop else _NO_CHILD
        )
        for tag, name, reader, absent in members:
            if child_tag == tag:
                value[name] = reader(data, offset, child_start, child_stop)
                offset = child_stop
                child_tag, child_start, child_stop = (
                    header(data, offset, stop) if offset < stop else _NO_CHILD
                )
            elif absent is None:
                raise DECLINE
            elif absent is not ABSENT:
                defaults.append((name, absent))
        if offset != stop:
            raise DECLINE  # an extension addition or a member out of order
        value.update(defaults)  # asn1tools adds the DEFAULT values after the members read
        return value

    return read


def sequence_of(item_tag: int, reader: Reader) -> Reader:
    def read(data: bytes, _tlv: int, start: int, stop: int) -> list[Any]:
        items = []
        offset = start
        while offset < stop:
            tag, child_start, child_stop = header(data, offset, stop)
            if tag != item_tag:
                raise DECLINE
            items.append(reader(data, offset, child_start, child_stop))
            offset = child_stop
        return items

    return read


def explicit_choice(*alternatives: tuple[int, str, Reader]) -> Reader:
    """An explicitly tagged CHOICE: exactly one alternative inside the outer tag."""
    table = {tag: (name, reader) for tag, name, reader in alternatives}

    def read(data: bytes, _tlv: int, start: int, stop: int) -> tuple[str, Any]:
        tag, child_start, child_stop = header(data, start, stop)
        if child_stop != stop or tag not in table:
            raise DECLINE
        name, reader = table[tag]
        return name, reader(data, start, child_start, child_stop)

    return read


def alternative(name: str, reader: Reader) -> Reader:
    """An untagged CHOICE's alternative, met by its own tag: ``(name, value)``."""

    def read(data: bytes, tlv: int, start: int, stop: int) -> tuple[str, Any]:
        return name, reader(data, tlv, start, stop)

    return read


def untagged_choice(*alternatives: tuple[int, str, Reader]) -> Reader:
    """An untagged CHOICE read as a whole TLV: its own tag picks the alternative."""
    table = {tag: (name, reader) for tag, name, reader in alternatives}

    def read(data: bytes, tlv: int, start: int, stop: int) -> tuple[str, Any]:
        tag = header(data, tlv, stop)[0]
        if tag not in table:
            raise DECLINE
        name, reader = table[tag]
        return name, reader(data, tlv, start, stop)

    return read
