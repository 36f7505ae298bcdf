"""A small BER-TLV slicer and builder (X.690 §8.1) for the raw-bytes work asn1tools cannot do.

SGP.22 signatures cover the *exact* bytes received (SGP.22), and the BSP output
and the BoundProfilePackage are assembled from finished TLVs (§3.6), so the project needs to cut
TLVs out of a buffer and to build them without a schema. Nothing here interprets values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from esim.asn1.errors import Asn1DecodeError

_SPEC_BER = "ITU-T X.690 §8.1 (BER/DER TLV structure)"


@dataclass(frozen=True, slots=True)
class Tlv:
    """One TLV located inside a buffer; ``raw`` is the exact bytes (tag, length and value)."""

    tag: int
    """The tag as an integer of its identifier octets, e.g. 0xBF37 or 0x5F37 or 0x30."""
    value: bytes
    raw: bytes
    constructed: bool


def encode_length(length: int) -> bytes:
    """DER definite length octets for ``length``."""
    if length < 0:
        raise ValueError("a length cannot be negative")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tag(tag: int) -> bytes:
    """The identifier octets of ``tag`` given as an integer (0x5F37 -> b'\\x5f\\x37')."""
    if tag < 0:
        raise ValueError("a tag cannot be negative")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """``tag ‖ length ‖ value`` in DER form."""
    return encode_tag(tag) + encode_length(len(value)) + value


def read_tag(data: bytes, offset: int) -> tuple[int, bool, int]:
    """The tag at ``offset``: its integer value, whether it is constructed, the next offset."""
    if offset >= len(data):
        raise Asn1DecodeError("tlv.truncated-tag", "the data ends before a tag", _SPEC_BER)
    first = data[offset]
    constructed = bool(first & 0x20)
    tag = first
    offset += 1
    if first & 0x1F == 0x1F:
        # High tag number form: subsequent octets carry 7 bits each, bit 8 = "more follows".
        while True:
            if offset >= len(data):
                raise Asn1DecodeError(
                    "tlv.truncated-tag", "a multi-byte tag is cut short", _SPEC_BER
                )
            octet = data[offset]
            tag = (tag << 8) | octet
            offset += 1
            if not octet & 0x80:
                break
            if tag > 0xFFFFFFFF:
                raise Asn1DecodeError("tlv.tag-too-long", "a tag is longer than 4 bytes", _SPEC_BER)
    return tag, constructed, offset


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """The definite length at ``offset`` and the offset of the value it announces."""
    if offset >= len(data):
        raise Asn1DecodeError("tlv.truncated-length", "the data ends before a length", _SPEC_BER)
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    count = first & 0x7F
    if count == 0:
        raise Asn1DecodeError(
            "tlv.indefinite-length",
            "indefinite lengths are not allowed in DER (SGP.22 uses DER throughout)",
            _SPEC_BER,
        )
    if count > 4:
        raise Asn1DecodeError("tlv.length-too-long", "a length has more than 4 bytes", _SPEC_BER)
    if offset + count > len(data):
        raise Asn1DecodeError("tlv.truncated-length", "a long-form length is cut short", _SPEC_BER)
    return int.from_bytes(data[offset : offset + count], "big"), offset + count


def tlv_bounds(data: bytes, offset: int = 0) -> tuple[int, bool, int, int]:
    """(tag, constructed, value start, end) of the TLV at ``offset``, copying nothing; raises
    what :func:`read_tlv` raises."""
    # One-octet tags with lengths of up to two octets (nearly every TLV here) are read inline;
    # anything else, and every error, goes through read_tag and read_length.
    size = len(data)
    if offset + 3 < size and data[offset] & 0x1F != 0x1F:
        first = data[offset]
        count = data[offset + 1]
        if count < 0x80:
            value_start, length = offset + 2, count
        elif count == 0x81:
            value_start, length = offset + 3, data[offset + 2]
        elif count == 0x82:
            value_start, length = offset + 4, (data[offset + 2] << 8) | data[offset + 3]
        else:
            value_start, length = size, size
        if value_start + length <= size:
            return first, bool(first & 0x20), value_start, value_start + length
    tag, constructed, after_tag = read_tag(data, offset)
    length, value_start = read_length(data, after_tag)
    end = value_start + length
    if end > len(data):
        raise Asn1DecodeError(
            "tlv.truncated-value",
            f"tag {tag:X} announces {length} bytes but only {len(data) - value_start} follow",
            _SPEC_BER,
        )
    return tag, constructed, value_start, end


def read_tlv(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """Read the TLV starting at ``offset``; return it and the offset just after it."""
    tag, constructed, value_start, end = tlv_bounds(data, offset)
    return Tlv(tag, bytes(data[value_start:end]), bytes(data[offset:end]), constructed), end


def iter_tlvs(data: bytes) -> Iterator[Tlv]:
    """Every TLV of a concatenation, in order; the data must be exactly consumed."""
    offset = 0
    while offset < len(data):
        tlv, offset = read_tlv(data, offset)
        yield tlv


def parse_single(data: bytes, expected_tag: int | None = None) -> Tlv:
    """Exactly one TLV filling ``data``, optionally with a given tag."""
    tlv, end = read_tlv(data)
    if end != len(data):
        raise Asn1DecodeError(
            "tlv.trailing-bytes", f"{len(data) - end} bytes follow the TLV {tlv.tag:X}", _SPEC_BER
        )
    if expected_tag is not None and tlv.tag != expected_tag:
        raise Asn1DecodeError(
            "tlv.unexpected-tag", f"expected tag {expected_tag:X}, found {tlv.tag:X}", _SPEC_BER
        )
    return tlv


def find_child(parent_value: bytes, tag: int) -> Tlv | None:
    """The first direct child with ``tag`` in a constructed value, or None."""
    for child in iter_tlvs(parent_value):
        if child.tag == tag:
            return child
    return None
