"""The DER pre-check's remembered subtrees (certificates sent again and again) decide exactly
as walking every TLV does: same verdict, same rule, same message with the same byte offsets,
whether the subtree is new, remembered, damaged or over the depth and node budget in place."""

from __future__ import annotations

from dataclasses import replace

from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from lpa_stack import certificates
from test_asn1_der_check_fast_path import TREES, walk_with_read_tag_and_read_length

from esim.asn1.der_check import DEFAULT_LIMITS, DerLimits, _subtree_shape, check_der_structure
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_tlv

# Remember SEQUENCEs from 8 bytes on, so that small generated trees exercise the cache.
REMEMBERING = DerLimits(max_size=4096, max_depth=5, max_nodes=60, remember_from=8)
WALKING = replace(REMEMBERING, remember_from=1 << 30)  # never remembers: the plain walk


def verdict(data: bytes, limits: DerLimits) -> str:
    try:
        check_der_structure(data, limits)
    except Asn1DecodeError as error:
        return f"{error.rule}: {error.message}"
    return "ok"


def reference_rule(data: bytes, limits: DerLimits) -> str:
    try:
        walk_with_read_tag_and_read_length(data, limits)
    except Asn1DecodeError as error:
        return error.rule
    return "ok"


def sequence(*children: bytes) -> bytes:
    return encode_tlv(0x30, b"".join(children))


SUBTREES = TREES.map(lambda tree: sequence(tree, tree))
"""SEQUENCEs, some of them long enough to be remembered."""
MESSAGES = st.tuples(SUBTREES, SUBTREES, st.sampled_from([0x30, 0xBF38, 0xA0])).map(
    # The same subtree twice, at depth 1 and at depth 2: the second meets the cache.
    lambda parts: encode_tlv(parts[2], parts[0] + sequence(parts[1], parts[0]) + parts[1])
)


@settings(max_examples=400, deadline=None)
@given(MESSAGES, st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=3))
def test_remembering_changes_no_verdict_rule_or_message(
    message: bytes, damage: list[tuple[int, int]]
) -> None:
    data = bytearray(message)
    for position, value in damage:
        data[position % len(data)] = value
    damaged = bytes(data)
    for _ in range(2):  # the second pass meets every subtree in the cache
        remembered = verdict(damaged, REMEMBERING)
        assert remembered == verdict(damaged, WALKING)
        assert remembered.split(":")[0] == reference_rule(damaged, REMEMBERING)


def test_a_remembered_subtree_over_the_budget_in_place_is_refused_where_it_sits() -> None:
    inner = sequence(sequence(sequence(sequence(encode_tlv(0x04, b"x" * 8)))))  # 5 TLVs deep
    assert verdict(inner, REMEMBERING) == "ok"
    too_deep = encode_tlv(0xA0, sequence(inner, inner))  # its OCTET STRING at level 6 > 5
    assert verdict(too_deep, REMEMBERING) == verdict(too_deep, WALKING)
    assert verdict(too_deep, REMEMBERING).startswith("der.too-deep: ")
    crowded = encode_tlv(0xA0, b"".join([inner] * 16))  # 5 TLVs each: 81 > 60 nodes
    assert verdict(crowded, REMEMBERING) == verdict(crowded, WALKING)
    assert verdict(crowded, REMEMBERING).startswith("der.too-many-nodes: ")


def test_a_damaged_copy_of_a_remembered_certificate_is_refused_with_its_offset() -> None:
    cert = certificates().ci.certificate.public_bytes(Encoding.DER)
    good = encode_tlv(0xBF21, sequence(b"\x02\x01\x05") + cert)
    check_der_structure(good)
    broken = bytearray(good)
    broken[len(good) - len(cert) + 4] = 0xFF  # the tbsCertificate's length octet
    assert verdict(bytes(broken), DEFAULT_LIMITS) == verdict(
        bytes(broken), replace(DEFAULT_LIMITS, remember_from=1 << 30)
    )
    assert verdict(bytes(broken), DEFAULT_LIMITS) != "ok"


def test_a_certificate_sent_again_is_looked_up_not_walked() -> None:
    eum = certificates().eum
    assert eum is not None
    cert = eum.certificate.public_bytes(Encoding.DER)
    assert 256 <= len(cert) <= 4096

    def session(number: int) -> bytes:  # a new transaction each time, the same certificates
        return encode_tlv(0xBF38, sequence(sequence(encode_tlv(0x80, bytes([number]))), cert))

    check_der_structure(session(1))
    before = _subtree_shape.cache_info()
    check_der_structure(session(2))
    after = _subtree_shape.cache_info()
    assert after.hits == before.hits + 1  # the certificate
    assert after.misses == before.misses + 1  # the new session's SEQUENCE around it
