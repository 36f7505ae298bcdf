"""The direct DER readers of the device side give exactly the codec's value, or decline.

For every message :mod:`esim.asn1.device_der` reads, values drawn at random are encoded by the
codec and read back both ways: the direct reader must take each of them and return what the
codec returns. Mutated and hostile input is in ``tests/adversarial/test_device_der_mutants.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from esim.asn1 import device_der
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1EncodeError

OCTET16 = st.binary(min_size=16, max_size=16)
TID = st.binary(min_size=1, max_size=16)
ICCID = st.binary(min_size=10, max_size=10)
SMALL_INT = st.integers(min_value=-(2**70), max_value=2**70)
BITS = st.binary(max_size=3).flatmap(
    lambda data: st.tuples(st.just(data), st.integers(min_value=0, max_value=8 * len(data)))
)


OID = st.tuples(
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=39),
    st.lists(st.integers(min_value=0, max_value=2**40), max_size=8),
).map(lambda arcs: ".".join(str(arc) for arc in (arcs[0], arcs[1], *arcs[2])))


def optional(**members: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict holding any subset of ``members``."""
    return st.fixed_dictionaries({}, optional=members)


def _tlv(tag: bytes, value: bytes) -> bytes:
    return tag + _length(len(value)) + value


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


NOTIFICATION_METADATA = st.fixed_dictionaries(
    {
        "seqNumber": SMALL_INT,
        "profileManagementOperation": BITS,
        "notificationAddress": st.text(max_size=40),
    },
    optional={"iccid": ICCID},
)

VERSION = st.binary(min_size=3, max_size=3)
CERTIFICATE = st.binary(max_size=300).map(lambda body: _tlv(b"\x30", _tlv(b"\x04", body)))
CAPABILITIES = [
    "gsmSupportedRelease", "utranSupportedRelease", "cdma2000onexSupportedRelease",
    "cdma2000hrpdSupportedRelease", "cdma2000ehrpdSupportedRelease", "eutranEpcSupportedRelease",
    "contactlessSupportedRelease", "rspCrlSupportedVersion", "nrEpcSupportedRelease",
    "nr5gcSupportedRelease", "eutran5gcSupportedRelease", "lpaSvn",
]  # fmt: skip
CTX_PARAMS1 = st.tuples(
    st.just("ctxParamsForCommonAuthentication"),
    st.fixed_dictionaries(
        {
            "deviceInfo": st.fixed_dictionaries(
                {
                    "tac": st.binary(min_size=4, max_size=4),
                    "deviceCapabilities": st.fixed_dictionaries(
                        {}, optional=dict.fromkeys(CAPABILITIES, VERSION)
                    ),
                },
                optional={"imei": st.binary(min_size=8, max_size=8)},
            )
        },
        optional={"matchingId": st.text(max_size=30)},
    ),
)
SKIS = st.lists(st.binary(max_size=20), max_size=3)
EUICC_INFO2 = st.fixed_dictionaries(
    {
        "profileVersion": VERSION,
        "svn": VERSION,
        "euiccFirmwareVer": VERSION,
        "extCardResource": st.binary(max_size=12),
        "uiccCapability": BITS,
        "rspCapability": BITS,
        "euiccCiPKIdListForVerification": SKIS,
        "euiccCiPKIdListForSigning": SKIS,
        "ppVersion": VERSION,
        "sasAcreditationNumber": st.text(max_size=64),
    },
    optional={
        "ts102241Version": VERSION,
        "globalplatformVersion": VERSION,
        "euiccCategory": st.integers(min_value=0, max_value=3),
        "forbiddenProfilePolicyRules": BITS,
        "certificationDataObject": st.fixed_dictionaries(
            {"platformLabel": st.text(max_size=20), "discoveryBaseURL": st.text(max_size=20)}
        ),
    },
)
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
    "AuthenticateServerResponse": st.one_of(
        st.tuples(
            st.just("authenticateResponseOk"),
            st.fixed_dictionaries(
                {
                    "euiccSigned1": st.fixed_dictionaries(
                        {
                            "transactionId": TID,
                            "serverAddress": st.text(max_size=40),
                            "serverChallenge": OCTET16,
                            "euiccInfo2": EUICC_INFO2,
                            "ctxParams1": CTX_PARAMS1,
                        }
                    ),
                    "euiccSignature1": st.binary(max_size=70),
                    "euiccCertificate": CERTIFICATE,
                    "eumCertificate": CERTIFICATE,
                }
            ),
        ),
        st.tuples(
            st.just("authenticateResponseError"),
            st.fixed_dictionaries({"transactionId": TID, "authenticateErrorCode": SMALL_INT}),
        ),
    ),
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
            "profileInstallationResultData": st.fixed_dictionaries(
                {
                    "transactionId": TID,
                    "notificationMetadata": NOTIFICATION_METADATA,
                    "smdpOid": st.one_of(st.none(), OID),
                    "finalResult": st.one_of(
                        st.tuples(
                            st.just("successResult"),
                            st.fixed_dictionaries(
                                {
                                    "aid": st.binary(min_size=1, max_size=16),
                                    "simaResponse": st.binary(max_size=40),
                                }
                            ),
                        ),
                        st.tuples(
                            st.just("errorResult"),
                            st.fixed_dictionaries(
                                {"bppCommandId": SMALL_INT, "errorReason": SMALL_INT},
                                optional={"simaResponse": st.binary(max_size=40)},
                            ),
                        ),
                    ),
                }
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
    "PrepareDownloadResponse": st.one_of(
        st.tuples(
            st.just("downloadResponseOk"),
            st.fixed_dictionaries(
                {
                    "euiccSigned2": st.fixed_dictionaries(
                        {"transactionId": TID, "euiccOtpk": st.binary(max_size=70)},
                        optional={"hashCc": st.binary(min_size=32, max_size=32)},
                    ),
                    "euiccSignature2": st.binary(max_size=70),
                }
            ),
        ),
        st.tuples(
            st.just("downloadResponseError"),
            st.fixed_dictionaries({"transactionId": TID, "downloadErrorCode": SMALL_INT}),
        ),
    ),
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
            # a certificate is opaque DER to this schema (ANY): any well-formed SEQUENCE
            "smdpCertificate": st.binary(max_size=300).map(
                lambda body: _tlv(b"\x30", _tlv(b"\x04", body))
            ),
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
