"""The direct DER reader of the few SGP.22 messages an SM-DP+ decodes on every download.

EUICCInfo1, AuthenticateServerResponse, PrepareDownloadResponse and PendingNotification arrive
once per download each; through asn1tools (and the structural check before it) they cost about
a third of the server's Python time per download. :func:`read_direct` reads exactly the plain,
strict-DER shape of those types from a small table (:data:`DIRECT_TYPES`) and returns the value
asn1tools would return, leaf types included (``bytes``, ``str``, ``int``, ``(bytes, bits)``,
lists, dicts, ``(name, value)`` for a CHOICE, ``bytearray`` for ANY).

It never decides that input is wrong: on anything it does not expect (another tag, a long or
non-minimal length, an unknown extension, a size outside a constraint, an INTEGER too large,
bad UTF-8, a certificate that does not pass the structural check on its own) it answers
``None`` and :meth:`esim.asn1.codec.RspCodec.decode` takes the full asn1tools path, which
produces the value or the error exactly as before. Property tests hold the two equal over valid
and mutated messages. The work is linear in the input and the input is bounded
(:data:`MAX_DIRECT_BYTES`), so it is total and bounded on hostile input.
"""

from __future__ import annotations

from typing import Any

from esim.asn1.direct_der import (
    ANY,
    DEFAULT,
    MAX_DIRECT_BYTES,
    OPTIONAL,
    Choice,
    NotPlainError,
    Sequence,
    SequenceOf,
    bit_string,
    field,
    integer,
    object_identifier,
    octets,
    read_choice,
    read_header,
    read_value,
    utf8,
)

# The layouts of esim/asn1/rsp.asn; the tags are the DER identifier octets.
_VERSION = octets(3, 3)
_SKI_LIST = SequenceOf(b"\x04", octets())
_TRANSACTION_ID = octets(1, 16)
_SIGNATURE = octets()

EUICC_INFO1 = Sequence(
    field("svn", "82", _VERSION),
    field("euiccCiPKIdListForVerification", "a9", _SKI_LIST),
    field("euiccCiPKIdListForSigning", "aa", _SKI_LIST),
)
EUICC_INFO2 = Sequence(
    field("profileVersion", "81", _VERSION),
    field("svn", "82", _VERSION),
    field("euiccFirmwareVer", "83", _VERSION),
    field("extCardResource", "84", octets()),
    field("uiccCapability", "85", bit_string),
    field("ts102241Version", "86", _VERSION, OPTIONAL),
    field("globalplatformVersion", "87", _VERSION, OPTIONAL),
    field("rspCapability", "88", bit_string),
    field("euiccCiPKIdListForVerification", "a9", _SKI_LIST),
    field("euiccCiPKIdListForSigning", "aa", _SKI_LIST),
    field("euiccCategory", "8b", integer, DEFAULT, 0),
    field("forbiddenProfilePolicyRules", "99", bit_string, OPTIONAL),
    field("ppVersion", "04", _VERSION),
    field("sasAcreditationNumber", "0c", utf8(64)),
    field(
        "certificationDataObject",
        "ac",
        Sequence(field("platformLabel", "80", utf8()), field("discoveryBaseURL", "81", utf8())),
        OPTIONAL,
    ),
)
_DEVICE_CAPABILITIES = Sequence(
    *(
        field(name, f"{0x80 + number:02x}", _VERSION, OPTIONAL)
        for number, name in enumerate(
            (
                "gsmSupportedRelease",
                "utranSupportedRelease",
                "cdma2000onexSupportedRelease",
                "cdma2000hrpdSupportedRelease",
                "cdma2000ehrpdSupportedRelease",
                "eutranEpcSupportedRelease",
                "contactlessSupportedRelease",
                "rspCrlSupportedVersion",
                "nrEpcSupportedRelease",
                "nr5gcSupportedRelease",
                "eutran5gcSupportedRelease",
                "lpaSvn",
            )
        )
    )
)
_CTX_PARAMS1 = Choice(
    (
        "ctxParamsForCommonAuthentication",
        b"\xa0",
        Sequence(
            field("matchingId", "80", utf8(), OPTIONAL),
            field(
                "deviceInfo",
                "a1",
                Sequence(
                    field("tac", "80", octets(4, 4)),
                    field("deviceCapabilities", "a1", _DEVICE_CAPABILITIES),
                    field("imei", "82", octets(8, 8), OPTIONAL),
                ),
            ),
        ),
    )
)
AUTHENTICATE_SERVER_RESPONSE = Choice(
    (
        "authenticateResponseOk",
        b"\xa0",
        Sequence(
            field(
                "euiccSigned1",
                "30",
                Sequence(
                    field("transactionId", "80", _TRANSACTION_ID),
                    field("serverAddress", "83", utf8()),
                    field("serverChallenge", "84", octets(16, 16)),
                    field("euiccInfo2", "bf22", EUICC_INFO2),
                    field("ctxParams1", "", _CTX_PARAMS1),
                ),
            ),
            field("euiccSignature1", "5f37", _SIGNATURE),
            field("euiccCertificate", "30", ANY),
            field("eumCertificate", "30", ANY),
        ),
    ),
    (
        "authenticateResponseError",
        b"\xa1",
        Sequence(
            field("transactionId", "80", _TRANSACTION_ID),
            field("authenticateErrorCode", "02", integer),
        ),
    ),
)
PREPARE_DOWNLOAD_RESPONSE = Choice(
    (
        "downloadResponseOk",
        b"\xa0",
        Sequence(
            field(
                "euiccSigned2",
                "30",
                Sequence(
                    field("transactionId", "80", _TRANSACTION_ID),
                    field("euiccOtpk", "5f49", octets()),
                    field("hashCc", "04", octets(32, 32), OPTIONAL),
                ),
            ),
            field("euiccSignature2", "5f37", _SIGNATURE),
        ),
    ),
    (
        "downloadResponseError",
        b"\xa1",
        Sequence(
            field("transactionId", "80", _TRANSACTION_ID),
            field("downloadErrorCode", "02", integer),
        ),
    ),
)
_NOTIFICATION_METADATA = Sequence(
    field("seqNumber", "80", integer),
    field("profileManagementOperation", "81", bit_string),
    field("notificationAddress", "0c", utf8()),
    field("iccid", "5a", octets(10, 10), OPTIONAL),
)
_PROFILE_INSTALLATION_RESULT = Sequence(
    field(
        "profileInstallationResultData",
        "bf27",
        Sequence(
            field("transactionId", "80", _TRANSACTION_ID),
            field("notificationMetadata", "bf2f", _NOTIFICATION_METADATA),
            field("smdpOid", "06", object_identifier, OPTIONAL),
            field(
                "finalResult",
                "a2",  # [2] CHOICE is explicit: its content is one TLV of the CHOICE
                Choice(
                    (
                        "successResult",
                        b"\xa0",
                        Sequence(
                            field("aid", "4f", octets(1, 16)),
                            field("simaResponse", "04", octets()),
                        ),
                    ),
                    (
                        "errorResult",
                        b"\xa1",
                        Sequence(
                            field("bppCommandId", "80", integer),
                            field("errorReason", "81", integer),
                            field("simaResponse", "82", octets(), OPTIONAL),
                        ),
                    ),
                ),
            ),
        ),
    ),
    field("euiccSignPIR", "5f37", _SIGNATURE),
)
PENDING_NOTIFICATION = Choice(
    ("profileInstallationResult", b"\xbf\x37", _PROFILE_INSTALLATION_RESULT),
    (
        "otherSignedNotification",
        b"\x30",
        Sequence(
            field("tbsOtherNotification", "bf2f", _NOTIFICATION_METADATA),
            field("euiccNotificationSignature", "5f37", _SIGNATURE),
            field("euiccCertificate", "30", ANY),
            field("eumCertificate", "30", ANY),
        ),
    ),
)

DIRECT_TYPES: dict[str, tuple[bytes | None, Any]] = {
    "EUICCInfo1": (b"\xbf\x20", EUICC_INFO1),
    "AuthenticateServerResponse": (b"\xbf\x38", AUTHENTICATE_SERVER_RESPONSE),
    "PrepareDownloadResponse": (b"\xbf\x21", PREPARE_DOWNLOAD_RESPONSE),
    "PendingNotification": (None, PENDING_NOTIFICATION),
}
"""Type name → (its own tag, or None for an untagged CHOICE; the layout)."""


def read_direct(type_name: str, data: bytes) -> Any | None:
    """The value of ``data`` as ``type_name`` when it is the plain case, else None (see the
    module docstring: None means "ask asn1tools", never "invalid")."""
    entry = DIRECT_TYPES.get(type_name)
    if entry is None or not 0 < len(data) <= MAX_DIRECT_BYTES:
        return None
    tag, kind = entry
    data = bytes(data)
    try:
        if tag is None:  # an untagged CHOICE: the alternative's TLV is the whole input
            value, after = read_choice(kind, data, 0, len(data))
        else:
            if data[: len(tag)] != tag:
                return None
            start, after = read_header(data, len(tag), len(data))
            value = read_value(kind, data, start, after)
    except (NotPlainError, IndexError):
        return None
    return value if after == len(data) else None
