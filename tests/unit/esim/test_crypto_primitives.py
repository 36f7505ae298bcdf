"""esim.crypto: signatures, ECKA, KDF inputs and BSP behaviour beyond the known answers."""

from __future__ import annotations

import contextlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.crypto import (
    MAX_ENCRYPTED_PLAINTEXT,
    MAX_MAC_ONLY_PAYLOAD,
    TAG_MAC_ONLY,
    TAG_PROFILE_ELEMENTS,
    BspError,
    BspFailure,
    BspSession,
    CryptoError,
    Curve,
    KeyAgreementError,
    SessionKeys,
    SignatureError,
    decode_public_key,
    decode_signature_tlv,
    der_to_raw,
    derive_session_keys,
    eid_to_bytes,
    encode_public_key,
    encode_signature_tlv,
    generate_one_time_key,
    is_valid_signature,
    raw_to_der,
    shared_info,
    shared_secret,
    sign_raw,
    verify_raw,
)

KEYS = SessionKeys(bytes(range(16)), bytes(range(16, 32)), bytes(range(32, 48)))
NO_DB = settings(database=None, deadline=None, max_examples=150)


@pytest.mark.parametrize("curve", list(Curve))
def test_sign_and_verify_raw_on_both_curves(curve: Curve) -> None:
    key = ec.generate_private_key(curve.ec_curve())
    signature = sign_raw(key, b"serverSigned1 bytes")
    assert len(signature) == 64
    verify_raw(key.public_key(), b"serverSigned1 bytes", signature)
    assert not is_valid_signature(key.public_key(), b"serverSigned1 byteS", signature)


def test_verify_raw_rejects_other_bytes_with_a_typed_error() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signature = sign_raw(key, b"a")
    with pytest.raises(SignatureError) as caught:
        verify_raw(key.public_key(), b"b", signature)
    assert caught.value.rule == "ecdsa.invalid-signature"
    assert "5F37" in caught.value.spec


def test_der_and_raw_conversions_are_inverse_and_pad_small_values() -> None:
    raw = (1).to_bytes(32, "big") + (2**255).to_bytes(32, "big")
    der = raw_to_der(raw)
    assert der_to_raw(der) == raw


@pytest.mark.parametrize("bad", [b"", b"\x01" * 63, b"\x00" * 64])
def test_raw_to_der_rejects_malformed(bad: bytes) -> None:
    with pytest.raises(SignatureError):
        raw_to_der(bad)


def test_signature_tlv_round_trip() -> None:
    raw = bytes(range(64))
    tlv = encode_signature_tlv(raw)
    assert tlv[:3] == bytes.fromhex("5f3740")
    assert decode_signature_tlv(tlv) == raw
    with pytest.raises(SignatureError):
        decode_signature_tlv(tlv[:-1])


@given(st.binary(max_size=80))
@NO_DB
def test_signature_helpers_raise_only_typed_errors(data: bytes) -> None:
    for function in (decode_signature_tlv, der_to_raw, raw_to_der):
        with contextlib.suppress(SignatureError):
            function(data)


@pytest.mark.parametrize("curve", list(Curve))
def test_ecka_both_sides_agree(curve: Curve) -> None:
    dp, euicc = generate_one_time_key(curve), generate_one_time_key(curve)
    dp_view = decode_public_key(encode_public_key(euicc.public_key()), curve)
    euicc_view = decode_public_key(encode_public_key(dp.public_key()), curve)
    assert shared_secret(dp, dp_view) == shared_secret(euicc, euicc_view)
    assert len(shared_secret(dp, dp_view)) == 32


def test_ecka_rejects_bad_points_and_mixed_curves() -> None:
    with pytest.raises(KeyAgreementError):
        decode_public_key(b"\x04" + b"\x01" * 64, Curve.NIST_P256)
    with pytest.raises(KeyAgreementError):
        decode_public_key(b"\x02" * 33, Curve.NIST_P256)
    nist = generate_one_time_key(Curve.NIST_P256)
    brainpool = generate_one_time_key(Curve.BRAINPOOL_P256R1)
    with pytest.raises(KeyAgreementError):
        shared_secret(nist, brainpool.public_key())


def test_shared_info_layout() -> None:
    eid = eid_to_bytes("89049032123451234512345678901235")
    assert shared_info(b"mahlzeit", eid) == bytes.fromhex("8810") + b"\x08mahlzeit\x10" + eid


def test_kdf_rejects_unsupported_crt_and_bad_eid() -> None:
    with pytest.raises(CryptoError):
        derive_session_keys(b"\x00" * 32, b"h", b"\x89" * 16, key_type=0x80)
    with pytest.raises(CryptoError):
        derive_session_keys(b"\x00" * 32, b"h", b"\x89" * 15)
    with pytest.raises(CryptoError):
        eid_to_bytes("8904903212345123451234567890123A")


@given(st.binary(max_size=3 * MAX_ENCRYPTED_PLAINTEXT))
@NO_DB
def test_bsp_segments_round_trip(data: bytes) -> None:
    segments = BspSession(KEYS).protect_segments(TAG_PROFILE_ELEMENTS, data)
    assert all(len(segment) <= 1020 for segment in segments)
    receiver = BspSession(KEYS)
    assert b"".join(receiver.unprotect(s, TAG_PROFILE_ELEMENTS) for s in segments) == data


def test_bsp_mac_only_segments_round_trip_at_the_limit() -> None:
    data = bytes(range(256)) * 8
    segments = BspSession(KEYS).protect_mac_only_segments(TAG_MAC_ONLY, data)
    assert [len(s) for s in segments] == [1020, 1020, 42]
    receiver = BspSession(KEYS)
    assert b"".join(receiver.unprotect_mac_only(s) for s in segments) == data
    with pytest.raises(BspError):
        BspSession(KEYS).protect_mac_only(TAG_MAC_ONLY, b"\x00" * (MAX_MAC_ONLY_PAYLOAD + 1))


def test_bsp_refuses_oversized_segments() -> None:
    with pytest.raises(BspError) as caught:
        BspSession(KEYS).protect(TAG_PROFILE_ELEMENTS, b"\x00" * (MAX_ENCRYPTED_PLAINTEXT + 1))
    assert caught.value.failure is BspFailure.STRUCTURE
    oversized = BspSession(KEYS, max_segment_length=2000).protect_mac_only(TAG_MAC_ONLY, b"")
    assert BspSession(KEYS, max_segment_length=len(oversized)).unprotect_mac_only(oversized) == b""
    with pytest.raises(BspError):
        BspSession(KEYS, max_segment_length=len(oversized) - 1).unprotect_mac_only(oversized)


def test_bsp_wrong_tag_is_a_structure_error() -> None:
    segment = BspSession(KEYS).protect(TAG_PROFILE_ELEMENTS, b"abc")
    with pytest.raises(BspError) as caught:
        BspSession(KEYS).unprotect(segment, 0x87)
    assert caught.value.failure is BspFailure.STRUCTURE


@given(st.binary(max_size=1100))
@NO_DB
def test_bsp_unprotect_random_bytes_raises_only_bsp_error(data: bytes) -> None:
    for tag in (TAG_PROFILE_ELEMENTS, TAG_MAC_ONLY):
        with contextlib.suppress(BspError):
            BspSession(KEYS).unprotect(data, tag)
        with contextlib.suppress(BspError):
            BspSession(KEYS).unprotect_mac_only(data, tag)
