"""A bounded structural check of received DER, run before any bytes reach asn1tools.

Every SGP.22 message the project decodes (ES9+ bodies on the SM-DP+, ES9+ answers in the LPA,
ES10 commands on the eUICC) goes through :func:`check_der_structure` first. It walks the whole
TLV tree without recursion and in time linear in the input, and refuses what no DER encoding
can contain: indefinite lengths, end-of-contents octets, children that do not exactly fill
their constructed parent, a constructed encoding of a type that is always primitive, and trees
deeper, larger or with more nodes than :class:`DerLimits` allows. asn1tools then only ever sees
well-nested definite-length TLVs, so its decoders can neither read past a parent nor be fed
ambiguous lengths.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import read_length, read_tag

_SPEC_DER = "ITU-T X.690 §8.1, §10 (DER structure)"

# Universal types that X.690 only allows in primitive form (§8.2 BOOLEAN, §8.3 INTEGER,
# §8.8 NULL, §8.19 OBJECT IDENTIFIER, §8.4 ENUMERATED, §8.5 REAL), with their fixed sizes.
_PRIMITIVE_ONLY = {0x01: "BOOLEAN", 0x02: "INTEGER", 0x05: "NULL", 0x06: "OBJECT IDENTIFIER"}
_PRIMITIVE_ONLY.update({0x09: "REAL", 0x0A: "ENUMERATED"})


@dataclass(frozen=True, slots=True)
class DerLimits:
    """Bounds on one received DER message."""

    max_size: int = 4 * 1024 * 1024
    """Total bytes (a BoundProfilePackage of a large profile stays well under this)."""
    max_depth: int = 24
    """Nesting of constructed TLVs (SGP.22 messages with certificates reach about 10)."""
    max_nodes: int = 200_000
    """TLVs in the whole tree."""
    remember_from: int = 256
    """SEQUENCEs one or two levels down of at least this many bytes (and at most
    :data:`_REMEMBER_UP_TO`) are walked once per distinct content and remembered: the
    certificates an eUICC or an SM-DP+ sends in every session (CERT.EUICC, CERT.EUM,
    CERT.DPauth, CERT.DPpb) are then looked up instead of walked TLV by TLV."""


DEFAULT_LIMITS = DerLimits()
_REMEMBER_UP_TO = 4096  # certificates are 0.5-2 KB; bigger subtrees would only churn the cache
_REMEMBERED = 256  # distinct subtrees kept (a server sees a few certificates per eUICC model)


def _refuse(rule: str, message: str) -> Asn1DecodeError:
    return Asn1DecodeError(f"der.{rule}", message, _SPEC_DER)


def _check_primitive(tag: int, constructed: bool, length: int, offset: int) -> None:
    # Only single-octet universal tags are constrained; anything tagged is the schema's business.
    if tag == 0x00:
        raise _refuse(
            "end-of-contents", f"an end-of-contents marker at byte {offset} (DER has none)"
        )
    if tag > 0xFF or tag & 0xC0:
        return
    number = tag & 0x1F
    if number in _PRIMITIVE_ONLY and constructed:
        raise _refuse(
            "constructed-primitive",
            f"a {_PRIMITIVE_ONLY[number]} at byte {offset} is marked constructed",
        )
    if number == 0x05 and length != 0:
        raise _refuse("null-length", f"a NULL at byte {offset} has {length} content bytes")
    if number == 0x01 and length != 1:
        raise _refuse("boolean-length", f"a BOOLEAN at byte {offset} has {length} content bytes")
    if number in (0x02, 0x0A) and length == 0:
        raise _refuse("empty-integer", f"an INTEGER/ENUMERATED at byte {offset} has no content")
    if number in (0x10, 0x11) and not constructed:
        raise _refuse("primitive-sequence", f"a SEQUENCE/SET at byte {offset} is not constructed")


def check_der_structure(data: bytes, limits: DerLimits = DEFAULT_LIMITS) -> None:
    """Raise :class:`Asn1DecodeError` unless ``data`` is one well-formed, bounded TLV tree."""
    _walk(data, limits, (1, 2))


@functools.lru_cache(maxsize=_REMEMBERED)
def _subtree_shape(blob: bytes, limits: DerLimits, nested: bool) -> tuple[int, int] | None:
    """(TLV count, deepest child level) of a subtree that passes on its own, else None (the
    caller then walks it in place, so an error names its offset in the whole message)."""
    try:
        return _walk(blob, limits, (1,) if nested else ())
    except Asn1DecodeError:
        return None


def _walk(data: bytes, limits: DerLimits, remembered_depths: tuple[int, ...]) -> tuple[int, int]:
    """Check ``data``; return its TLV count and the deepest level a child sits at. A SEQUENCE
    at one of ``remembered_depths`` within the size window is checked through
    :func:`_subtree_shape`, which is exact: a subtree passes on its own exactly when it passes
    in place, given the node and depth budget left, which is checked here."""
    size = len(data)
    if size > limits.max_size:
        raise _refuse("too-large", f"{size} bytes is more than the {limits.max_size} allowed")
    if not data:
        raise _refuse("empty", "there are no bytes to decode")
    # Each frame is (end offset of the enclosing constructed value, depth of its children).
    frames: list[tuple[int, int]] = [(size, 0)]
    end, depth = size, 0
    offset = 0
    nodes = 0
    deepest = 0
    remember_from = limits.remember_from
    # Single-octet tags and short-form lengths are read inline (they are nearly every TLV of
    # an SGP.22 message and its certificates); anything else goes through read_tag and
    # read_length, which also raise the errors.
    while True:
        if offset == end:
            frames.pop()
            if not frames:
                return nodes, deepest
            end, depth = frames[-1]
            continue
        tag = data[offset]
        after_tag = offset + 1
        if tag & 0x1F == 0x1F:
            tag, constructed, after_tag = read_tag(data, offset)
        else:
            constructed = bool(tag & 0x20)
        if after_tag < size and data[after_tag] < 0x80:
            length, value_start = data[after_tag], after_tag + 1
        else:
            length, value_start = read_length(data, after_tag)
        after = value_start + length
        if after > end:
            raise _refuse(
                "length-overrun",
                f"the TLV {tag:X} at byte {offset} announces {length} bytes but only "
                f"{max(0, end - value_start)} remain in its parent",
            )
        if (
            tag == 0x30
            and depth in remembered_depths
            and remember_from <= after - offset <= _REMEMBER_UP_TO
        ):
            shape = _subtree_shape(
                bytes(data[offset:after]), limits, depth + 1 in remembered_depths
            )
            if (
                shape is not None
                and nodes + shape[0] <= limits.max_nodes
                and depth + shape[1] <= limits.max_depth
            ):
                nodes += shape[0]
                deepest = max(deepest, depth + shape[1])
                offset = after
                continue
        nodes += 1
        if nodes > limits.max_nodes:
            raise _refuse("too-many-nodes", f"more than {limits.max_nodes} TLVs")
        if tag == 0 or (tag <= 0xFF and not tag & 0xC0):  # universal: the only constrained ones
            _check_primitive(tag, constructed, length, offset)
        if depth == 0 and after != size:
            raise _refuse("trailing-bytes", f"{size - after} bytes follow the TLV {tag:X}")
        if constructed and length:
            if depth + 1 > limits.max_depth:
                raise _refuse(
                    "too-deep", f"TLVs nest deeper than {limits.max_depth} levels at byte {offset}"
                )
            # Walk the children next; the parent's frame resumes at ``after`` once they end.
            frames.append((after, depth + 1))
            end, depth = after, depth + 1
            deepest = max(deepest, depth)
            offset = value_start
        else:
            offset = after
