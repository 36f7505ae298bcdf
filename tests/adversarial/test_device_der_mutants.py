"""Hostile input to the device side's direct DER readers (esim.asn1.device_der).

Every single structural mutation of a sample of each message the readers take, stacked random
mutations, and random byte flips: for each, the direct reader either declines (the codec then
gives its own verdict, as before) or returns exactly the value the codec returns for it. It
never raises and never accepts what the codec refuses.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from der_mutations import every_mutant, random_mutants
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1 import device_der
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1DecodeError

_CERTIFICATE = b"\x30\x0a\x02\x01\x01\x04\x05hello"
_CTX_PARAMS1 = (
    "ctxParamsForCommonAuthentication",
    {
        "matchingId": "ABC-123",
        "deviceInfo": {
            "tac": b"\x35\x29\x06\x11",
            "deviceCapabilities": {
                "gsmSupportedRelease": b"\x0f\x00\x00",
                "lpaSvn": b"\x02\x02\x00",
            },
            "imei": bytes(8),
        },
    },
)
SAMPLES: dict[str, tuple[m.Message, Any]] = {
    "store-metadata": (
        m.STORE_METADATA_REQUEST,
        {
            "iccid": bytes.fromhex("98001032547698103214"),
            "serviceProviderName": "Operator",
            "profileName": "Operator profile",
            "iconType": 1,
            "icon": b"\x89PNG",
            "profileClass": 1,
            "notificationConfigurationInfo": [
                {"profileManagementOperation": (b"\xf0", 4), "notificationAddress": "a.example"}
            ],
            "profileOwner": {"mccMnc": b"\x13\xf0\x01", "gid1": b"\x01"},
            "profilePolicyRules": (b"\x40", 2),
        },
    ),
    "installation-result": (
        m.PROFILE_INSTALLATION_RESULT,
        {
            "profileInstallationResultData": {
                "transactionId": bytes(16),
                "notificationMetadata": {
                    "seqNumber": 7,
                    "profileManagementOperation": (b"\x80", 1),
                    "notificationAddress": "smdp.example",
                    "iccid": bytes(10),
                },
                "smdpOid": "2.999.1.3.6.1.4.1.31746",
                "finalResult": ("successResult", {"aid": bytes(16), "simaResponse": b"\x30\x00"}),
            },
            "euiccSignPIR": bytes(64),
        },
    ),
    "installation-error": (
        m.PROFILE_INSTALLATION_RESULT,
        {
            "profileInstallationResultData": {
                "transactionId": b"\x01",
                "notificationMetadata": {
                    "seqNumber": 300,
                    "profileManagementOperation": (b"\x80", 1),
                    "notificationAddress": "smdp.example",
                },
                "finalResult": (
                    "errorResult",
                    {"bppCommandId": 5, "errorReason": 12, "simaResponse": b"\x01"},
                ),
            },
            "euiccSignPIR": bytes(64),
        },
    ),
    "server-signed1": (
        m.SERVER_SIGNED1,
        {
            "transactionId": bytes(16),
            "euiccChallenge": bytes(16),
            "serverAddress": "smdp.example",
            "serverChallenge": bytes(16),
        },
    ),
    "secure-channel": (
        m.INITIALISE_SECURE_CHANNEL_REQUEST,
        {
            "remoteOpId": 1,
            "transactionId": bytes(16),
            "controlRefTemplate": {"keyType": b"\x88", "keyLen": b"\x10", "hostId": b"\x01"},
            "smdpOtpk": b"\x04" + bytes(64),
            "smdpSign": bytes(64),
        },
    ),
    "prepare-download": (
        m.PREPARE_DOWNLOAD_REQUEST,
        {
            "smdpSigned2": {"transactionId": bytes(16), "ccRequiredFlag": True},
            "smdpSignature2": bytes(64),
            "hashCc": bytes(32),
            "smdpCertificate": _CERTIFICATE,
        },
    ),
    "replace-keys": (
        m.REPLACE_SESSION_KEYS_REQUEST,
        {"initialMacChainingValue": bytes(16), "ppkEnc": bytes(16), "ppkCmac": bytes(16)},
    ),
    "challenge": (m.GET_EUICC_CHALLENGE_RESPONSE, {"euiccChallenge": bytes(16)}),
    "prepare-response": (
        m.PREPARE_DOWNLOAD_RESPONSE,
        (
            "downloadResponseOk",
            {
                "euiccSigned2": {
                    "transactionId": bytes(16),
                    "euiccOtpk": b"\x04" + bytes(64),
                    "hashCc": bytes(32),
                },
                "euiccSignature2": bytes(64),
            },
        ),
    ),
    "authenticate-request": (
        m.AUTHENTICATE_SERVER_REQUEST,
        {
            "serverSigned1": {
                "transactionId": bytes(16),
                "euiccChallenge": bytes(16),
                "serverAddress": "smdp.example",
                "serverChallenge": bytes(16),
            },
            "serverSignature1": bytes(64),
            "euiccCiPKIdToBeUsed": bytes(20),
            "serverCertificate": _CERTIFICATE,
            "ctxParams1": _CTX_PARAMS1,
        },
    ),
    "authenticate-response": (
        m.AUTHENTICATE_SERVER_RESPONSE,
        (
            "authenticateResponseOk",
            {
                "euiccSigned1": {
                    "transactionId": bytes(16),
                    "serverAddress": "smdp.example",
                    "serverChallenge": bytes(16),
                    "euiccInfo2": {
                        "profileVersion": b"\x02\x01\x00",
                        "svn": b"\x02\x02\x02",
                        "euiccFirmwareVer": b"\x01\x00\x00",
                        "extCardResource": b"\x81\x01\x00",
                        "uiccCapability": (b"\x7f\x80", 9),
                        "ts102241Version": b"\x09\x02\x00",
                        "rspCapability": (b"\xa0", 3),
                        "euiccCiPKIdListForVerification": [bytes(20)],
                        "euiccCiPKIdListForSigning": [bytes(20)],
                        "euiccCategory": 2,
                        "ppVersion": b"\x01\x00\x00",
                        "sasAcreditationNumber": "SAS-1",
                    },
                    "ctxParams1": _CTX_PARAMS1,
                },
                "euiccSignature1": bytes(64),
                "euiccCertificate": _CERTIFICATE,
                "eumCertificate": _CERTIFICATE,
            },
        ),
    ),
    "retrieve-request": (
        m.RETRIEVE_NOTIFICATIONS_LIST_REQUEST,
        {"searchCriteria": ("seqNumber", 1234)},
    ),
    "sent-request": (m.NOTIFICATION_SENT_REQUEST, {"seqNumber": 2**40}),
    "configure-isdp": (
        m.CONFIGURE_ISDP_REQUEST,
        {"dpProprietaryData": {"dpOid": "1.3.6.1.4.1.31746.1.1"}},
    ),
}


def agrees(message: m.Message, data: bytes) -> None:
    """The direct reader declines, or gives the codec's value; the codec's verdict stands."""
    direct = device_der.read_direct(message, data)
    try:
        expected = message.decode(data)
    except Asn1DecodeError:
        assert direct is None, f"accepted what the codec refuses: {data.hex()}"
        return
    if direct is not None:
        assert repr(direct) == repr(expected), data.hex()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_single_mutant(name: str) -> None:
    message, value = SAMPLES[name]
    encoded = message.encode(value)
    assert device_der.read_direct(message, encoded) is not None  # the sample itself is read
    mutants = list(every_mutant(encoded))
    assert len(mutants) > 20
    for _kind, mutant in mutants:
        agrees(message, mutant)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_stacked_random_mutants(name: str) -> None:
    message, value = SAMPLES[name]
    for _kind, mutant in random_mutants(message.encode(value), random.Random(name), 300):
        agrees(message, mutant)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=3),
)
def test_random_byte_changes(name: str, changes: list[tuple[int, int]]) -> None:
    message, value = SAMPLES[name]
    data = bytearray(message.encode(value))
    for position, byte in changes:
        data[position % len(data)] = byte
    agrees(message, bytes(data))


@given(st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes(data: bytes) -> None:
    for message, _ in SAMPLES.values():
        agrees(message, data)
