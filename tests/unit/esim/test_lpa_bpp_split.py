"""The LPA's direct cut of a BPP into LoadBoundProfilePackage commands equals the codec module's,
commands and errors alike."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1 import messages
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_tlv
from esim.lpa import bpp_split

sys.path.append(str(Path(__file__).resolve().parents[2] / "adversarial"))
from der_mutations import every_mutant


def segments(tag: int, sizes: list[int]) -> bytes:
    return b"".join(encode_tlv(tag, bytes([size % 256]) * size) for size in sizes)


SIZES = st.lists(st.integers(min_value=0, max_value=1100), max_size=5)


@st.composite
def packages(draw: st.DrawFn) -> bytes:
    body = encode_tlv(0xBF23, draw(st.binary(max_size=120)))
    body += encode_tlv(0xA0, segments(0x87, draw(SIZES)))
    body += encode_tlv(0xA1, segments(0x88, draw(SIZES)))
    if draw(st.booleans()):
        body += encode_tlv(0xA2, segments(0x87, draw(SIZES)))
    body += encode_tlv(0xA3, segments(0x86, draw(st.lists(st.integers(0, 1100), max_size=70))))
    return encode_tlv(0xBF36, body)


def reference(data: bytes) -> list[bytes] | str:
    try:
        return messages.load_bpp_commands(data)
    except Asn1DecodeError as error:
        return str(error)


def direct(data: bytes) -> list[bytes] | str:
    try:
        return bpp_split.load_bpp_commands(data)
    except Asn1DecodeError as error:
        return str(error)


@settings(max_examples=150, deadline=None)
@given(packages())
def test_well_formed_packages_are_cut_directly_and_alike(package: bytes) -> None:
    assert bpp_split._direct(package) is not None
    assert direct(package) == reference(package)


@settings(max_examples=300, deadline=None)
@given(packages(), st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=3))
def test_damaged_packages_get_the_same_commands_or_error(
    package: bytes, changes: list[tuple[int, int]]
) -> None:
    damaged = bytearray(package)
    for position, byte in changes:
        damaged[position % len(damaged)] = byte
    assert direct(bytes(damaged)) == reference(bytes(damaged))


@pytest.mark.parametrize("with_a2", [False, True])
def test_every_structural_mutant_gets_the_same_commands_or_error(with_a2: bool) -> None:
    body = encode_tlv(0xBF23, b"\x82\x01\x01") + encode_tlv(0xA0, segments(0x87, [20]))
    body += encode_tlv(0xA1, segments(0x88, [30, 5]))
    if with_a2:
        body += encode_tlv(0xA2, segments(0x87, [40]))
    body += encode_tlv(0xA3, segments(0x86, [200, 1, 0]))
    package = encode_tlv(0xBF36, body)
    mutants = list(every_mutant(package))
    assert len(mutants) > 50
    for _kind, mutant in mutants:
        assert direct(mutant) == reference(mutant)
