"""tlv_bounds' inline reading of short tags and lengths gives what read_tag and read_length
give, errors included, and read_profile_package still counts and refuses as it did."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import read_length, read_tag, tlv_bounds


def reference(data: bytes, offset: int) -> Any:
    try:
        tag, constructed, after_tag = read_tag(data, offset)
        length, value_start = read_length(data, after_tag)
        if value_start + length > len(data):
            return ("error", "tlv.truncated-value")
        return (tag, constructed, value_start, value_start + length)
    except Asn1DecodeError as error:
        return ("error", error.rule)


def bounds(data: bytes, offset: int) -> Any:
    try:
        return tlv_bounds(data, offset)
    except Asn1DecodeError as error:
        return ("error", error.rule)


HEADS = st.sampled_from([b"\x30", b"\xa0", b"\x04", b"\x5f\x37", b"\xbf\x25", b"\x1f"])
LENGTHS = st.sampled_from([b"\x00", b"\x05", b"\x7f", b"\x80", b"\x81", b"\x82", b"\x83", b"\x84"])


@settings(max_examples=400, deadline=None)
@given(
    head=HEADS,
    length=LENGTHS,
    rest=st.binary(max_size=300),
    prefix=st.binary(max_size=3),
)
def test_tlv_bounds_equals_the_tag_and_length_readers(
    head: bytes, length: bytes, rest: bytes, prefix: bytes
) -> None:
    data = prefix + head + length + rest
    assert bounds(data, len(prefix)) == reference(data, len(prefix))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=40), offset=st.integers(0, 45))
def test_tlv_bounds_on_random_bytes(data: bytes, offset: int) -> None:
    assert bounds(data, offset) == reference(data, offset)


@settings(max_examples=400, deadline=None)
@given(
    head=HEADS,
    length=st.integers(0, 400),
    form=st.sampled_from(["short", "81", "82", "83"]),
    missing=st.sampled_from([0, 0, 1, 7]),
    tail=st.binary(max_size=3),
)
@example(head=b"\x30", length=0x100, form="82", missing=0, tail=b"")
@example(head=b"\xa0", length=0x1FF, form="82", missing=0, tail=b"\x00")
def test_tlv_bounds_reads_every_length_form(
    head: bytes, length: int, form: str, missing: int, tail: bytes
) -> None:
    if form == "short":
        length &= 0x7F
        encoded = bytes([length])
    else:
        count = int(form, 16) - 0x80
        length %= 256**count
        encoded = bytes([0x80 | count]) + length.to_bytes(count, "big")
    data = head + encoded + bytes(max(0, length - missing)) + tail
    found = bounds(data, 0)
    assert found == reference(data, 0)
    if missing == 0 and head != b"\x1f":  # a whole TLV: its value is exactly ``length`` bytes
        assert found[3] - found[2] == length
