"""The DER pre-check's inline fast path decides exactly as the plain TLV walk does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1.der_check import DerLimits, _check_primitive, _refuse, check_der_structure
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_tlv, read_length, read_tag

SMALL = DerLimits(max_size=4096, max_depth=4, max_nodes=40)


def walk_with_read_tag_and_read_length(data: bytes, limits: DerLimits) -> None:
    """The reference: every TLV read through read_tag and read_length, every tag checked."""
    if len(data) > limits.max_size:
        raise _refuse("too-large", "")
    if not data:
        raise _refuse("empty", "")
    frames = [(len(data), 0)]
    offset = nodes = 0
    while frames:
        end, depth = frames[-1]
        if offset == end:
            frames.pop()
            continue
        tag, constructed, after_tag = read_tag(data, offset)
        length, value_start = read_length(data, after_tag)
        after = value_start + length
        if after > end:
            raise _refuse("length-overrun", "")
        nodes += 1
        if nodes > limits.max_nodes:
            raise _refuse("too-many-nodes", "")
        _check_primitive(tag, constructed, length, offset)
        if depth == 0 and after != len(data):
            raise _refuse("trailing-bytes", "")
        if constructed and length:
            if depth + 1 > limits.max_depth:
                raise _refuse("too-deep", "")
            frames.append((after, depth + 1))
            offset = value_start
        else:
            offset = after


def outcome(check: object, data: bytes) -> str:
    try:
        check(data, SMALL)  # type: ignore[operator]
    except Asn1DecodeError as error:
        return error.rule
    return "ok"


TAGS = st.sampled_from([0x00, 0x01, 0x02, 0x04, 0x05, 0x0A, 0x10, 0x30, 0x80, 0xA0, 0xBF20, 0x5F37])
TREES = st.recursive(
    st.tuples(TAGS, st.binary(max_size=6)).map(lambda pair: encode_tlv(*pair)),
    lambda children: st.tuples(
        st.sampled_from([0x30, 0xA0, 0xBF22, 0x31, 0x23]), st.lists(children, max_size=4)
    ).map(lambda pair: encode_tlv(pair[0], b"".join(pair[1]))),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(TREES, st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=3))
def test_well_formed_and_damaged_trees_get_the_same_verdict(
    tree: bytes, damage: list[tuple[int, int]]
) -> None:
    data = bytearray(tree)
    for position, value in damage:
        if data:
            data[position % len(data)] = value
    assert outcome(check_der_structure, bytes(data)) == outcome(
        walk_with_read_tag_and_read_length, bytes(data)
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_get_the_same_verdict(data: bytes) -> None:
    assert outcome(check_der_structure, data) == outcome(walk_with_read_tag_and_read_length, data)
