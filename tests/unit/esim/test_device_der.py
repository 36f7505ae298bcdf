"""The direct DER readers of the device side give exactly the codec's value, or decline.

For every message :mod:`esim.asn1.device_der` reads, values drawn at random are encoded by the
codec and read back both ways: the direct reader must take each of them and return what the
codec returns. Mutated and hostile input is in ``tests/adversarial/test_device_der_mutants.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from der_values import (
    BITS,
    CERTIFICATE,
    CTX_PARAMS1,
    ICCID,
    OCTET16,
    OID,
    SMALL_INT,
    TID,
    authenticate_server_response,
    notification_metadata,
    prepare_download_response,
    profile_installation_result_data,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from esim.asn1 import device_der
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1DecodeError, Asn1EncodeError

NOTIFICATION_METADATA = notification_metadata()
SERVER_SIGNED1 = st.fixed_dictionaries(
    {
        "transactionId": TID,
        "euiccChallenge": OCTET16,
        "serverAddress": st.text(max_size=60),
        "serverChallenge": OCTET16,
    }
)

VALUES: dict[str, st.SearchStrategy[Any]] = {
    "AuthenticateServerRequest": st.fixed_dictionaries(
        {
            "serverSigned1": SERVER_SIGNED1,
            "serverSignature1": st.binary(max_size=70),
            "euiccCiPKIdToBeUsed": st.binary(max_size=22),
            "serverCertificate": CERTIFICATE,
            "ctxParams1": CTX_PARAMS1,
        }
    ),
    "AuthenticateServerResponse": authenticate_server_response(st.tuples(CERTIFICATE, CERTIFICATE)),
    "StoreMetadataRequest": st.fixed_dictionaries(
        {
            "iccid": ICCID,
            "serviceProviderName": st.text(max_size=32),
            "profileName": st.text(max_size=64),
        },
        optional={
            "iconType": st.integers(min_value=0, max_value=1),
            "icon": st.binary(max_size=1024),
            "profileClass": st.integers(min_value=0, max_value=2),
            "notificationConfigurationInfo": st.lists(
                st.fixed_dictionaries(
                    {"profileManagementOperation": BITS, "notificationAddress": st.text()}
                ),
                max_size=3,
            ),
            "profileOwner": st.fixed_dictionaries(
                {"mccMnc": st.binary(min_size=3, max_size=3)},
                optional={"gid1": st.binary(max_size=8), "gid2": st.binary(max_size=8)},
            ),
            "profilePolicyRules": BITS,
        },
    ),
    "NotificationMetadata": NOTIFICATION_METADATA,
    "ProfileInstallationResult": st.fixed_dictionaries(
        {
            "profileInstallationResultData": (
                profile_installation_result_data(NOTIFICATION_METADATA)
            ),
            "euiccSignPIR": st.binary(max_size=80),
        }
    ),
    "ServerSigned1": SERVER_SIGNED1,
    "SmdpSigned2": st.fixed_dictionaries(
        {"transactionId": TID, "ccRequiredFlag": st.booleans()},
        optional={"bppEuiccOtpk": st.binary(max_size=70)},
    ),
    "GetEuiccChallengeResponse": st.fixed_dictionaries({"euiccChallenge": OCTET16}),
    "InitialiseSecureChannelRequest": st.fixed_dictionaries(
        {
            "remoteOpId": SMALL_INT,
            "transactionId": TID,
            "controlRefTemplate": st.fixed_dictionaries(
                {
                    "keyType": st.binary(min_size=1, max_size=1),
                    "keyLen": st.binary(min_size=1, max_size=1),
                    "hostId": st.binary(min_size=1, max_size=16),
                }
            ),
            "smdpOtpk": st.binary(max_size=70),
            "smdpSign": st.binary(max_size=70),
        }
    ),
    "ReplaceSessionKeysRequest": st.fixed_dictionaries(
        {"initialMacChainingValue": OCTET16, "ppkEnc": OCTET16, "ppkCmac": OCTET16}
    ),
    "PrepareDownloadResponse": prepare_download_response(),
    "RetrieveNotificationsListRequest": st.fixed_dictionaries(
        {},
        optional={
            "searchCriteria": st.one_of(
                st.tuples(st.just("seqNumber"), SMALL_INT),
                st.tuples(st.just("profileManagementOperation"), BITS),
            )
        },
    ),
    "NotificationSentRequest": st.fixed_dictionaries({"seqNumber": SMALL_INT}),
    "NotificationSentResponse": st.fixed_dictionaries(
        {"deleteNotificationStatus": st.sampled_from([0, 1, 127, 5, -3, 2**40])}
    ),
    "ConfigureISDPRequest": st.fixed_dictionaries(
        {}, optional={"dpProprietaryData": st.fixed_dictionaries({"dpOid": OID})}
    ),
    "PrepareDownloadRequest": st.fixed_dictionaries(
        {
            "smdpSigned2": st.fixed_dictionaries(
                {"transactionId": TID, "ccRequiredFlag": st.booleans()},
                optional={"bppEuiccOtpk": st.binary(max_size=70)},
            ),
            "smdpSignature2": st.binary(max_size=70),
            "smdpCertificate": CERTIFICATE,
        },
        optional={"hashCc": st.binary(min_size=32, max_size=32)},
    ),
}


MESSAGES = {
    message.type_name: message
    for message in vars(m).values()
    if isinstance(message, m.Message) and message.type_name in VALUES
}


def test_every_direct_reader_is_tested() -> None:
    assert set(MESSAGES) == set(VALUES)
    assert all(device_der.read_direct(message, b"") is None for message in MESSAGES.values())


@pytest.mark.parametrize("type_name", sorted(VALUES))
def test_the_direct_reader_takes_every_valid_encoding_and_agrees(type_name: str) -> None:
    message = MESSAGES[type_name]

    @settings(max_examples=120, deadline=None)
    @given(VALUES[type_name])
    def check(value: Any) -> None:
        try:
            encoded = message.encode(value)
        except Asn1EncodeError:
            assume(False)
            return
        expected = message.decode(encoded)
        direct = device_der.read_direct(message, encoded)
        assert direct is not None, encoded.hex()
        # repr: the same types (bytes, not bytearray; int, not bool) and the same member order
        assert repr(direct) == repr(expected)
        assert repr(device_der.decode(message, bytearray(encoded))) == repr(expected)

    check()


def test_a_default_absent_reads_as_the_codec_gives_it() -> None:
    """profileClass DEFAULT operational: absent, asn1tools gives the name, not the number."""
    value = {"iccid": bytes(10), "serviceProviderName": "", "profileName": ""}
    encoded = m.STORE_METADATA_REQUEST.encode(value)
    direct = device_der.read_direct(m.STORE_METADATA_REQUEST, encoded)
    assert direct is not None
    assert (
        direct["profileClass"]
        == "operational"
        == m.STORE_METADATA_REQUEST.decode(encoded)["profileClass"]
    )


def _nested_certificate(levels: int) -> bytes:
    """A SEQUENCE nested ``levels`` deep around an OCTET STRING: well-formed, but deep."""
    certificate = b"\x04\x00"
    for _ in range(levels):
        certificate = bytes([0x30, len(certificate)]) + certificate
    return certificate


@pytest.mark.parametrize(("levels", "read_directly"), [(4, True), (30, False)])
def test_a_certificate_is_checked_on_its_own_as_deep_as_the_codec_allows(
    levels: int, read_directly: bool
) -> None:
    """Only the ANY is walked by the structural check: a certificate nested past its depth
    limit is declined, so the codec's own refusal (der.too-deep) is the answer."""
    value = {
        "smdpSigned2": {"transactionId": b"\x01", "ccRequiredFlag": False},
        "smdpSignature2": bytes(64),
        "smdpCertificate": _nested_certificate(levels),
    }
    encoded = m.PREPARE_DOWNLOAD_REQUEST.encode(value)
    direct = device_der.read_direct(m.PREPARE_DOWNLOAD_REQUEST, encoded)
    assert (direct is not None) is read_directly
    if read_directly:
        assert repr(direct) == repr(m.PREPARE_DOWNLOAD_REQUEST.decode(encoded))
    else:
        with pytest.raises(Asn1DecodeError) as raised:
            m.PREPARE_DOWNLOAD_REQUEST.decode(encoded)
        assert raised.value.rule == "der.too-deep"
