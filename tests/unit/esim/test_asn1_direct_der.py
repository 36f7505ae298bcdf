"""The direct DER reader (esim.asn1.direct_es9) decides exactly as asn1tools does.

For generated valid messages it gives asn1tools' value, leaf types included; for any input
(valid, mutated, random) the codec's answer (value, or error rule and message) is the one of the
full asn1tools path, and the direct reader never raises.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import pytest
import smdp_fake_euicc
from der_values import (
    SIGNATURE,
    SKIS,
    VERSION,
    authenticate_server_response,
    notification_metadata,
    prepare_download_response,
    profile_installation_result_data,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smdp_fake_euicc import ADDRESS, FakeEuicc, b64

from esim.asn1 import messages as m
from esim.asn1.codec import rsp_codec
from esim.asn1.direct_es9 import DIRECT_TYPES, MAX_DIRECT_BYTES, read_direct
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_tlv
from esim.crypto import encode_signature_tlv, sign_raw
from esim.identifiers import Iccid

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INTEGER = st.integers(min_value=-(2**130), max_value=2**130)
"""Past the codec's 128 bits: the full path refuses those, and the direct reader must decline."""
EVENTS = st.sampled_from(["install", "enable", "disable", "delete"]).map(m.notification_event)
ICCID = "8988247000100000000"


def typed(value: Any) -> Any:
    """``value`` with every leaf's exact type beside it (bytes ≠ bytearray, bool ≠ int)."""
    if isinstance(value, dict):
        return ("dict", {key: typed(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(item) for item in value])
    return (type(value).__name__, value)


def outcome(decode: Any, type_name: str, data: bytes) -> Any:
    try:
        return ("value", typed(decode(type_name, data)))
    except Asn1DecodeError as error:
        return ("error", error.rule, error.message, error.spec)


def assert_same_as_asn1tools(type_name: str, data: bytes) -> Any:
    codec = rsp_codec()
    direct = read_direct(type_name, data)
    full = outcome(codec.decode_with_asn1tools, type_name, data)
    if direct is not None:
        assert full == ("value", typed(direct))
    assert outcome(codec.decode, type_name, data) == full
    return direct


@functools.cache
def samples() -> dict[str, list[bytes]]:
    """Real messages of the four types, as FakeEuicc (our test eUICC) sends them."""
    card = FakeEuicc()
    certificates = smdp_fake_euicc.test_certificates()
    info1 = card.euicc_info1()
    signed1 = m.SERVER_SIGNED1.encode(
        {
            "transactionId": os.urandom(16),
            "euiccChallenge": card.challenge,
            "serverAddress": ADDRESS,
            "serverChallenge": os.urandom(16),
        }
    )
    server = {
        "serverSigned1": b64(signed1),
        "serverSignature1": b64(
            encode_signature_tlv(sign_raw(certificates.dp_auth.private_key, signed1))
        ),
        "serverCertificate": b64(certificates.dp_auth.der),
    }
    with_id = card.authenticate_server(server, "MATCHING-ID-1")
    without_id = card.authenticate_server(server, None)
    return {
        "EUICCInfo1": [info1],
        "AuthenticateServerResponse": [with_id, without_id],
        "PrepareDownloadResponse": [
            encode_tlv(
                0xBF21,
                encode_tlv(
                    0xA0,
                    m.EUICC_SIGNED2.encode(
                        {"transactionId": os.urandom(16), "euiccOtpk": os.urandom(65)}
                    )
                    + encode_signature_tlv(os.urandom(64)),
                ),
            )
        ],
        "PendingNotification": [
            card.installation_result(Iccid.parse(ICCID), success=True),
            card.installation_result(Iccid.parse(ICCID), success=False),
            card.other_notification(ICCID, "enable"),
        ],
    }


def test_every_direct_type_is_in_the_compiled_module() -> None:
    assert set(DIRECT_TYPES) <= rsp_codec().type_names


@pytest.mark.parametrize("type_name", sorted(DIRECT_TYPES))
def test_real_messages_are_read_directly_and_equal_asn1tools(type_name: str) -> None:
    for data in samples()[type_name]:
        assert assert_same_as_asn1tools(type_name, data) is not None


@SETTINGS
@given(svn=VERSION, verification=SKIS, signing=SKIS)
def test_generated_euicc_info1(svn: bytes, verification: list[bytes], signing: list[bytes]) -> None:
    data = m.EUICC_INFO1.encode(
        {
            "svn": svn,
            "euiccCiPKIdListForVerification": verification,
            "euiccCiPKIdListForSigning": signing,
        }
    )
    assert assert_same_as_asn1tools("EUICCInfo1", data) is not None


def real_certificates() -> tuple[bytes, bytes]:
    """CERT.EUICC and CERT.EUM of the test PKI (their trees pass the structural check)."""
    certificates = smdp_fake_euicc.test_certificates()
    assert certificates.euicc is not None
    assert certificates.eum is not None
    return certificates.euicc.der, certificates.eum.der


@st.composite
def pending_notifications(draw: Any) -> bytes:
    if draw(st.booleans()):
        euicc, eum = real_certificates()
        body = (
            m.NOTIFICATION_METADATA.encode(draw(notification_metadata(INTEGER, EVENTS)))
            + encode_tlv(0x5F37, draw(SIGNATURE))
            + euicc
            + eum
        )
        return encode_tlv(0x30, body)
    signed = m.PROFILE_INSTALLATION_RESULT_DATA.encode(
        draw(profile_installation_result_data(notification_metadata(INTEGER, EVENTS), INTEGER))
    )
    return encode_tlv(0xBF37, signed + encode_tlv(0x5F37, draw(SIGNATURE)))


GENERATED = {
    "AuthenticateServerResponse": authenticate_server_response(
        st.builds(real_certificates), INTEGER
    ).map(m.AUTHENTICATE_SERVER_RESPONSE.encode),
    "PrepareDownloadResponse": prepare_download_response(INTEGER).map(
        m.PREPARE_DOWNLOAD_RESPONSE.encode
    ),
    "PendingNotification": pending_notifications(),
}


@pytest.mark.parametrize("type_name", sorted(GENERATED))
def test_generated_messages_get_the_same_value_or_error(type_name: str) -> None:
    @SETTINGS
    @given(data=GENERATED[type_name])
    def check(data: bytes) -> None:
        assert_same_as_asn1tools(type_name, data)

    check()


def test_a_large_integer_takes_the_full_path_and_its_error() -> None:
    data = m.PREPARE_DOWNLOAD_RESPONSE.encode(
        ("downloadResponseError", {"transactionId": b"\x01", "downloadErrorCode": 2**200})
    )
    assert read_direct("PrepareDownloadResponse", data) is None
    with pytest.raises(Asn1DecodeError) as raised:
        m.PREPARE_DOWNLOAD_RESPONSE.decode(data)
    assert raised.value.rule == "asn1.PrepareDownloadResponse.integer-too-large"


MUTATIONS = st.sampled_from(["flip", "set", "insert", "delete", "truncate", "duplicate"])


def mutate(data: bytes, kind: str, position: int, byte: int, size: int) -> bytes:
    at = position % (len(data) + 1)
    if kind == "flip" and at < len(data):
        return data[:at] + bytes([data[at] ^ (1 << (byte % 8))]) + data[at + 1 :]
    if kind == "set" and at < len(data):
        return data[:at] + bytes([byte]) + data[at + 1 :]
    if kind == "insert":
        return data[:at] + bytes([byte]) * (1 + size % 3) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + 1 + size % 3 :]
    if kind == "truncate":
        return data[:at]
    return data[:at] + data[at : at + size] + data[at:]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    type_name=st.sampled_from(sorted(DIRECT_TYPES)),
    which=st.integers(0, 3),
    steps=st.lists(
        st.tuples(MUTATIONS, st.integers(0, 4000), st.integers(0, 255), st.integers(1, 40)),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_messages_get_the_same_value_or_error(
    type_name: str, which: int, steps: list[tuple[str, int, int, int]]
) -> None:
    messages = samples()[type_name]
    data = messages[which % len(messages)]
    for kind, position, byte, size in steps:
        data = mutate(data, kind, position, byte, size)
    assert_same_as_asn1tools(type_name, data)


@SETTINGS
@given(type_name=st.sampled_from(sorted(DIRECT_TYPES)), data=st.binary(max_size=300))
def test_random_bytes_get_the_same_value_or_error(type_name: str, data: bytes) -> None:
    assert_same_as_asn1tools(type_name, data)


def test_input_beyond_the_bound_takes_the_full_path() -> None:
    # A valid EUICCInfo1 just over the bound: a long SKI list, read by asn1tools alone.
    skis = [bytes(20)] * ((MAX_DIRECT_BYTES // 22) + 1)
    data = m.EUICC_INFO1.encode(
        {
            "svn": b"\x02\x02\x02",
            "euiccCiPKIdListForVerification": skis,
            "euiccCiPKIdListForSigning": [],
        }
    )
    assert len(data) > MAX_DIRECT_BYTES
    assert read_direct("EUICCInfo1", data) is None
    assert m.EUICC_INFO1.decode(data)["euiccCiPKIdListForVerification"] == skis


def test_an_expected_tag_other_than_the_types_own_is_the_full_paths_error() -> None:
    data = samples()["EUICCInfo1"][0]
    with pytest.raises(Asn1DecodeError) as raised:
        rsp_codec().decode("EUICCInfo1", data, 0xBF22)
    assert raised.value.rule == "tlv.unexpected-tag"
