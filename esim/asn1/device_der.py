"""Direct DER layouts of the messages the LPA and the eUICC decode on every download.

asn1tools decodes a StoreMetadataRequest or a ProfileInstallationResult in 30-70 µs, most of it
generic machinery (its type tree, constraint checker, the bytes pre-check, the value walk); a
download decodes about fifteen such messages on the device side. :func:`decode` reads exactly
the structures below with the strict DER engine of :mod:`.direct_der`, producing asn1tools' own
Python value, and hands anything it does not fully recognise to the codec
(:meth:`esim.asn1.messages.Message.decode`): an unknown or extension member, a long-form tag
or length it does not expect, a constraint near its edge, invalid UTF-8, a BOOLEAN that is
neither 00 nor FF. It never refuses anything itself, so every error, rule and message is the
codec's. Property tests hold the two equal: for valid and mutated input, the reader either
declines or returns exactly what the codec returns (``tests/unit/esim/test_device_der.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from esim.asn1.direct_der import (
    ABSENT,
    DeclinedError,
    Reader,
    alternative,
    any_value,
    bit_string,
    boolean,
    explicit_choice,
    header,
    integer,
    object_identifier,
    octets,
    sequence,
    sequence_of,
    utf8,
)

if TYPE_CHECKING:  # esim.asn1.messages imports the codec, which reads through these layouts
    from esim.asn1 import messages as m

MAX_DIRECT_BYTES = 16 * 1024
"""Longer messages go to the codec (none of the structures below comes near it)."""

# -- the messages (tags as in esim/asn1/rsp.asn, AUTOMATIC TAGS) -----------------------------

_OPTIONAL = ABSENT
_ICCID = octets(10, 10)
_TRANSACTION_ID = octets(1, 16)
_OCTET16 = octets(16, 16)

_NOTIFICATION_CONFIGURATION = sequence(
    (0x80, "profileManagementOperation", bit_string, None),
    (0x81, "notificationAddress", utf8(), None),
)
_STORE_METADATA_REQUEST = sequence(
    (0x5A, "iccid", _ICCID, None),
    (0x91, "serviceProviderName", utf8(0, 32), None),
    (0x92, "profileName", utf8(0, 64), None),
    (0x93, "iconType", integer, _OPTIONAL),
    (0x94, "icon", octets(0, 1024), _OPTIONAL),
    (0x95, "profileClass", integer, "operational"),
    (
        0xB6,
        "notificationConfigurationInfo",
        sequence_of(0x30, _NOTIFICATION_CONFIGURATION),
        _OPTIONAL,
    ),
    (
        0xB7,
        "profileOwner",
        sequence(
            (0x80, "mccMnc", octets(3, 3), None),
            (0x81, "gid1", octets(), _OPTIONAL),
            (0x82, "gid2", octets(), _OPTIONAL),
        ),
        _OPTIONAL,
    ),
    (0x99, "profilePolicyRules", bit_string, _OPTIONAL),
)
NOTIFICATION_METADATA = sequence(
    (0x80, "seqNumber", integer, None),
    (0x81, "profileManagementOperation", bit_string, None),
    (0x0C, "notificationAddress", utf8(), None),
    (0x5A, "iccid", _ICCID, _OPTIONAL),
)
_PROFILE_INSTALLATION_RESULT_DATA = sequence(
    (0x80, "transactionId", _TRANSACTION_ID, None),
    (0xBF2F, "notificationMetadata", NOTIFICATION_METADATA, None),
    (0x06, "smdpOid", object_identifier, _OPTIONAL),
    (
        0xA2,
        "finalResult",
        explicit_choice(
            (
                0xA0,
                "successResult",
                sequence(
                    (0x4F, "aid", octets(1, 16), None),
                    (0x04, "simaResponse", octets(), None),
                ),
            ),
            (
                0xA1,
                "errorResult",
                sequence(
                    (0x80, "bppCommandId", integer, None),
                    (0x81, "errorReason", integer, None),
                    (0x82, "simaResponse", octets(), _OPTIONAL),
                ),
            ),
        ),
        None,
    ),
)
_SMDP_SIGNED2 = sequence(
    (0x80, "transactionId", _TRANSACTION_ID, None),
    (0x01, "ccRequiredFlag", boolean, None),
    (0x5F49, "bppEuiccOtpk", octets(), _OPTIONAL),
)

_SEQ_NUMBER = sequence((0x80, "seqNumber", integer, None))
VERSION = octets(3, 3)
DEVICE_CAPABILITY_NAMES = (
    "gsmSupportedRelease", "utranSupportedRelease", "cdma2000onexSupportedRelease",
    "cdma2000hrpdSupportedRelease", "cdma2000ehrpdSupportedRelease", "eutranEpcSupportedRelease",
    "contactlessSupportedRelease", "rspCrlSupportedVersion", "nrEpcSupportedRelease",
    "nr5gcSupportedRelease", "eutran5gcSupportedRelease", "lpaSvn",
)  # fmt: skip
_CTX_PARAMS1 = alternative(
    "ctxParamsForCommonAuthentication",
    sequence(
        (0x80, "matchingId", utf8(), _OPTIONAL),
        (
            0xA1,
            "deviceInfo",
            sequence(
                (0x80, "tac", octets(4, 4), None),
                (
                    0xA1,
                    "deviceCapabilities",
                    sequence(
                        *(
                            (0x80 + number, name, VERSION, _OPTIONAL)
                            for number, name in enumerate(DEVICE_CAPABILITY_NAMES)
                        )
                    ),
                    None,
                ),
                (0x82, "imei", octets(8, 8), _OPTIONAL),
            ),
            None,
        ),
    ),
)
SUBJECT_KEY_IDENTIFIERS = sequence_of(0x04, octets())
EUICC_INFO2 = sequence(
    (0x81, "profileVersion", VERSION, None),
    (0x82, "svn", VERSION, None),
    (0x83, "euiccFirmwareVer", VERSION, None),
    (0x84, "extCardResource", octets(), None),
    (0x85, "uiccCapability", bit_string, None),
    (0x86, "ts102241Version", VERSION, _OPTIONAL),
    (0x87, "globalplatformVersion", VERSION, _OPTIONAL),
    (0x88, "rspCapability", bit_string, None),
    (0xA9, "euiccCiPKIdListForVerification", SUBJECT_KEY_IDENTIFIERS, None),
    (0xAA, "euiccCiPKIdListForSigning", SUBJECT_KEY_IDENTIFIERS, None),
    (0x8B, "euiccCategory", integer, 0),
    (0x99, "forbiddenProfilePolicyRules", bit_string, _OPTIONAL),
    (0x04, "ppVersion", VERSION, None),
    (0x0C, "sasAcreditationNumber", utf8(0, 64), None),
    (
        0xAC,
        "certificationDataObject",
        sequence(
            (0x80, "platformLabel", utf8(), None),
            (0x81, "discoveryBaseURL", utf8(), None),
        ),
        _OPTIONAL,
    ),
)
_SERVER_SIGNED1 = sequence(
    (0x80, "transactionId", _TRANSACTION_ID, None),
    (0x81, "euiccChallenge", _OCTET16, None),
    (0x83, "serverAddress", utf8(), None),
    (0x84, "serverChallenge", _OCTET16, None),
)

# What follows is read on the SM-DP+ side too (esim.asn1.direct_es9).
EUICC_CERTIFICATES = (
    (0x30, "euiccCertificate", any_value, None),
    (0x30, "eumCertificate", any_value, None),
)  # the end of every message an eUICC signs with its own certificate chain


def _ok_or_error(ok: str, ok_reader: Reader, error: str, error_code: str) -> Reader:
    """An ES9+ response of the eUICC: [0] its result, or [1] the transaction and an error."""
    return explicit_choice(
        (0xA0, ok, ok_reader),
        (
            0xA1,
            error,
            sequence(
                (0x80, "transactionId", _TRANSACTION_ID, None),
                (0x02, error_code, integer, None),
            ),
        ),
    )


AUTHENTICATE_SERVER_RESPONSE = _ok_or_error(
    "authenticateResponseOk",
    sequence(
        (
            0x30,
            "euiccSigned1",
            sequence(
                (0x80, "transactionId", _TRANSACTION_ID, None),
                (0x83, "serverAddress", utf8(), None),
                (0x84, "serverChallenge", _OCTET16, None),
                (0xBF22, "euiccInfo2", EUICC_INFO2, None),
                (0xA0, "ctxParams1", _CTX_PARAMS1, None),
            ),
            None,
        ),
        (0x5F37, "euiccSignature1", octets(), None),
        *EUICC_CERTIFICATES,
    ),
    "authenticateResponseError",
    "authenticateErrorCode",
)
PREPARE_DOWNLOAD_RESPONSE = _ok_or_error(
    "downloadResponseOk",
    sequence(
        (
            0x30,
            "euiccSigned2",
            sequence(
                (0x80, "transactionId", _TRANSACTION_ID, None),
                (0x5F49, "euiccOtpk", octets(), None),
                (0x04, "hashCc", octets(32, 32), _OPTIONAL),
            ),
            None,
        ),
        (0x5F37, "euiccSignature2", octets(), None),
    ),
    "downloadResponseError",
    "downloadErrorCode",
)
PROFILE_INSTALLATION_RESULT = sequence(
    (0xBF27, "profileInstallationResultData", _PROFILE_INSTALLATION_RESULT_DATA, None),
    (0x5F37, "euiccSignPIR", octets(), None),
)

_MESSAGES: dict[str, Reader] = {
    # the codec's type name → reader of the outer TLV's value
    "StoreMetadataRequest": _STORE_METADATA_REQUEST,
    "NotificationMetadata": NOTIFICATION_METADATA,
    "ProfileInstallationResult": PROFILE_INSTALLATION_RESULT,
    "ServerSigned1": _SERVER_SIGNED1,
    "AuthenticateServerRequest": sequence(
        (0x30, "serverSigned1", _SERVER_SIGNED1, None),
        (0x5F37, "serverSignature1", octets(), None),
        (0x04, "euiccCiPKIdToBeUsed", octets(), None),
        (0x30, "serverCertificate", any_value, None),
        (0xA0, "ctxParams1", _CTX_PARAMS1, None),
    ),
    "AuthenticateServerResponse": AUTHENTICATE_SERVER_RESPONSE,
    "SmdpSigned2": _SMDP_SIGNED2,
    "GetEuiccChallengeResponse": sequence((0x80, "euiccChallenge", _OCTET16, None)),
    "InitialiseSecureChannelRequest": sequence(
        (0x82, "remoteOpId", integer, None),
        (0x80, "transactionId", _TRANSACTION_ID, None),
        (
            0xA6,
            "controlRefTemplate",
            sequence(
                (0x80, "keyType", octets(1, 1), None),
                (0x81, "keyLen", octets(1, 1), None),
                (0x84, "hostId", octets(1, 16), None),
            ),
            None,
        ),
        (0x5F49, "smdpOtpk", octets(), None),
        (0x5F37, "smdpSign", octets(), None),
    ),
    "ReplaceSessionKeysRequest": sequence(
        (0x80, "initialMacChainingValue", _OCTET16, None),
        (0x81, "ppkEnc", _OCTET16, None),
        (0x82, "ppkCmac", _OCTET16, None),
    ),
    "PrepareDownloadResponse": PREPARE_DOWNLOAD_RESPONSE,
    "RetrieveNotificationsListRequest": sequence(
        (
            0xA0,
            "searchCriteria",
            explicit_choice(
                (0x80, "seqNumber", integer),
                (0x81, "profileManagementOperation", bit_string),
            ),
            _OPTIONAL,
        )
    ),
    "NotificationSentRequest": _SEQ_NUMBER,
    "NotificationSentResponse": sequence((0x80, "deleteNotificationStatus", integer, None)),
    "ConfigureISDPRequest": sequence(
        (0xB8, "dpProprietaryData", sequence((0x80, "dpOid", object_identifier, None)), _OPTIONAL)
    ),
    "PrepareDownloadRequest": sequence(
        (0x30, "smdpSigned2", _SMDP_SIGNED2, None),
        (0x5F37, "smdpSignature2", octets(), None),
        (0x04, "hashCc", octets(32, 32), _OPTIONAL),
        (0x30, "smdpCertificate", any_value, None),
    ),
}


def read_direct(message: m.Message, data: bytes) -> Any | None:
    """``message``'s value of ``data`` as the codec would give it, or None when this reader
    leaves ``data`` to the codec (an unknown type, or anything it does not fully recognise)."""
    reader = _MESSAGES.get(message.type_name)
    if reader is None or len(data) > MAX_DIRECT_BYTES:
        return None
    if type(data) is not bytes:
        data = bytes(data)  # the values are bytes, as the codec's are
    try:
        tag, start, stop = header(data, 0, len(data))
        if tag != message.tag or stop != len(data) or not data[0] & 0x20:
            return None
        return reader(data, 0, start, stop)
    except DeclinedError:
        return None


def decode(message: m.Message, data: bytes) -> Any:
    """``message.decode(data)``, through the direct reader when it takes ``data``."""
    value = read_direct(message, data)
    return message.decode(data) if value is None else value
