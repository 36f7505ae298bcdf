"""The SM-DP+'s segment protector gives byte for byte what the reference BspSession gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1.messages import CONFIGURE_ISDP_REQUEST
from esim.crypto import (
    MAX_ENCRYPTED_PLAINTEXT,
    TAG_ENCRYPTED_COMMAND,
    TAG_MAC_ONLY,
    TAG_PROFILE_ELEMENTS,
    BspSession,
    SessionKeys,
)
from esim.crypto.scp03t import PYSIM_ENCRYPTED_PLAINTEXT
from esim.smdp.profile_package import (
    CONFIGURE_ISDP,
    ProfileSpec,
    read_profile_package,
    unprotected_profile_package,
)
from esim.smdp.segment_protection import SegmentProtector

KEYS = st.builds(
    SessionKeys,
    s_enc=st.binary(min_size=16, max_size=16),
    s_mac=st.binary(min_size=16, max_size=16),
    initial_mcv=st.binary(min_size=16, max_size=16),
)
STEP = st.tuples(
    st.sampled_from(["encrypted", "mac-only"]),
    st.sampled_from([TAG_ENCRYPTED_COMMAND, TAG_MAC_ONLY, TAG_PROFILE_ELEMENTS]),
    st.binary(max_size=3000),
    st.sampled_from([MAX_ENCRYPTED_PLAINTEXT, PYSIM_ENCRYPTED_PLAINTEXT, 1, 15, 16, 17, 500]),
)


@settings(max_examples=60, deadline=None)
@given(KEYS, st.lists(STEP, min_size=1, max_size=5))
def test_the_protector_matches_the_reference_bsp_over_any_sequence_of_calls(
    keys: SessionKeys, steps: list[tuple[str, int, bytes, int]]
) -> None:
    fast, reference = SegmentProtector(keys), BspSession(keys)
    for kind, tag, data, piece in steps:
        if kind == "encrypted":
            expected = reference.protect_segments(tag, data, piece)
            assert fast.encrypted_segments(tag, data, piece) == expected
        else:
            expected = reference.protect_mac_only_segments(tag, data)
            assert fast.mac_only_segments(tag, data) == expected
        assert fast.counter == reference.counter


@settings(max_examples=20, deadline=None)
@given(KEYS, st.integers(1, 5000).map(lambda size: (bytes(range(256)) * 20)[:size]))
def test_an_euicc_unprotects_what_the_protector_made(keys: SessionKeys, data: bytes) -> None:
    card = BspSession(keys)
    segments = SegmentProtector(keys).encrypted_segments(TAG_PROFILE_ELEMENTS, data)
    assert all(len(segment) <= 1020 for segment in segments)
    assert b"".join(card.unprotect(s, TAG_PROFILE_ELEMENTS) for s in segments) == data


@pytest.mark.parametrize("piece", [0, PYSIM_ENCRYPTED_PLAINTEXT + 1])
def test_a_piece_size_no_segment_can_carry_is_refused(piece: int) -> None:
    keys = SessionKeys(bytes(16), bytes(16), bytes(16))
    with pytest.raises(ValueError, match="a piece is 1 to 1008 bytes"):
        SegmentProtector(keys).encrypted_segments(TAG_PROFILE_ELEMENTS, b"data", piece)


def test_the_fixed_configure_isdp_request_is_the_codecs_encoding() -> None:
    assert CONFIGURE_ISDP_REQUEST.encode({}) == CONFIGURE_ISDP


@pytest.mark.parametrize("size", [256, 300, 2100, 60 * 1024])
def test_the_generated_package_is_deterministic_per_iccid_and_about_its_size(size: int) -> None:
    spec = ProfileSpec("89990012345678901233", size_bytes=size)
    upp = unprotected_profile_package(spec)
    assert upp == unprotected_profile_package(ProfileSpec(spec.iccid, size_bytes=size))
    assert size <= len(upp) <= size + 40
    assert read_profile_package(upp).iccid.digits == spec.iccid
    other = unprotected_profile_package(ProfileSpec("89990012345678901241", size_bytes=size))
    assert other[-200:] != upp[-200:]
