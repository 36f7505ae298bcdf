"""The bounded DER pre-check (esim.asn1.der_check) and the asn1tools SEQUENCE OF fix."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1.asn1tools_fixes import SEQUENCE_OF_WRONG_TAG_PROBE, sequence_of_fix_holds
from esim.asn1.codec import rsp_codec
from esim.asn1.der_check import DerLimits, check_der_structure
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.messages import EUICC_INFO1


def rule_of(data: bytes, limits: DerLimits | None = None) -> str:
    with pytest.raises(Asn1DecodeError) as caught:
        check_der_structure(data, *(() if limits is None else (limits,)))
    return caught.value.rule


def nested(depth: int) -> bytes:
    data = b"\x05\x00"
    for _ in range(depth):
        data = b"\x30" + bytes([len(data)]) + data if len(data) < 128 else data
    return data


def test_valid_structures_pass() -> None:
    check_der_structure(bytes.fromhex("3006020101040100"))
    check_der_structure(bytes.fromhex("bf2003820102"))


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ("3080020101 0000", "tlv.indefinite-length"),
        ("3003 020201", "der.length-overrun"),
        ("3005 020101 0000", "der.end-of-contents"),
        ("3003 020101 00", "der.trailing-bytes"),
        ("2203 020101", "der.constructed-primitive"),
        ("0501 00", "der.null-length"),
        ("0102 ffff", "der.boolean-length"),
        ("0200", "der.empty-integer"),
        ("1000", "der.primitive-sequence"),
        ("", "der.empty"),
        ("30 85 0000000001 00", "tlv.length-too-long"),
    ],
)
def test_malformed_structures_name_the_rule(data: str, rule: str) -> None:
    assert rule_of(bytes.fromhex(data.replace(" ", ""))) == rule


def test_depth_nodes_and_size_are_bounded() -> None:
    assert rule_of(nested(30)) == "der.too-deep"
    many = b"\x30\x81\xc8" + b"\x05\x00" * 100
    assert rule_of(many, DerLimits(max_nodes=50)) == "der.too-many-nodes"
    assert rule_of(many, DerLimits(max_size=100)) == "der.too-large"


def test_the_sequence_of_fix_is_installed_and_holds() -> None:
    assert sequence_of_fix_holds(rsp_codec()._compiled)
    with pytest.raises(Asn1DecodeError, match="Expected SubjectKeyIdentifier"):
        EUICC_INFO1.decode(SEQUENCE_OF_WRONG_TAG_PROBE)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_are_accepted_or_refused_with_a_rule(data: bytes) -> None:
    rule = "accepted"
    try:
        check_der_structure(data)
    except Asn1DecodeError as error:
        rule = error.rule
    assert rule == "accepted" or rule.startswith(("der.", "tlv."))
