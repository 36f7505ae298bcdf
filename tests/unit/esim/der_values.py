"""Hypothesis strategies of asn1tools values of the SGP.22 messages the direct DER readers take,
shared by the SM-DP+ side's tests (``test_asn1_direct_der.py``) and the device side's
(``test_device_der.py``). Each strategy draws values the codec encodes; the tests choose the
INTEGER range (the SM-DP+ side's reaches past the codec's 128 bits, to hold the full path's
error) and the certificates (real ones, or any well-formed SEQUENCE for an ANY).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from esim.asn1.tlv import encode_tlv

OCTET16 = st.binary(min_size=16, max_size=16)
TID = st.binary(min_size=1, max_size=16)
ICCID = st.binary(min_size=10, max_size=10)
VERSION = st.binary(min_size=3, max_size=3)
SKIS = st.lists(st.binary(max_size=24), max_size=3)
SIGNATURE = st.binary(max_size=70)
SMALL_INT = st.integers(min_value=-(2**70), max_value=2**70)
BITS = st.binary(max_size=3).flatmap(
    lambda data: st.tuples(st.just(data), st.integers(min_value=0, max_value=8 * len(data)))
)
OID = (
    st.sampled_from([0, 1, 2])
    .flatmap(
        # under 0 and 1 the second arc is at most 39; under 2 it may be more (2.999, our SM-DP+)
        lambda first: st.tuples(
            st.just(first),
            st.integers(min_value=0, max_value=39 if first < 2 else 2000),
            st.lists(st.integers(min_value=0, max_value=2**40), max_size=8),
        )
    )
    .map(lambda arcs: ".".join(str(arc) for arc in (arcs[0], arcs[1], *arcs[2])))
)
CERTIFICATE = st.binary(max_size=300).map(lambda body: encode_tlv(0x30, encode_tlv(0x04, body)))
"""Any well-formed SEQUENCE: a certificate is opaque DER to the schema (ANY)."""

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


def _ok_or_error(ok: str, ok_value: Any, error: str, code: str, integer: Any) -> Any:
    return st.one_of(
        st.tuples(st.just(ok), ok_value),
        st.tuples(st.just(error), st.fixed_dictionaries({"transactionId": TID, code: integer})),
    )


def authenticate_server_response(
    certificates: st.SearchStrategy[tuple[bytes, bytes]],
    integer: st.SearchStrategy[int] = SMALL_INT,
) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """AuthenticateServerResponse values; ``certificates`` draws (CERT.EUICC, CERT.EUM)."""
    ok = st.tuples(
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
                "euiccSignature1": SIGNATURE,
            }
        ),
        certificates,
    ).map(lambda pair: {**pair[0], "euiccCertificate": pair[1][0], "eumCertificate": pair[1][1]})
    return _ok_or_error(
        "authenticateResponseOk",
        ok,
        "authenticateResponseError",
        "authenticateErrorCode",
        integer,
    )


def prepare_download_response(
    integer: st.SearchStrategy[int] = SMALL_INT,
) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    ok = st.fixed_dictionaries(
        {
            "euiccSigned2": st.fixed_dictionaries(
                {"transactionId": TID, "euiccOtpk": SIGNATURE},
                optional={"hashCc": st.binary(min_size=32, max_size=32)},
            ),
            "euiccSignature2": SIGNATURE,
        }
    )
    return _ok_or_error(
        "downloadResponseOk", ok, "downloadResponseError", "downloadErrorCode", integer
    )


def notification_metadata(
    integer: st.SearchStrategy[int] = SMALL_INT,
    operation: st.SearchStrategy[tuple[bytes, int]] = BITS,
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "seqNumber": integer,
            "profileManagementOperation": operation,
            "notificationAddress": st.text(max_size=40),
        },
        optional={"iccid": ICCID},
    )


def profile_installation_result_data(
    metadata: st.SearchStrategy[dict[str, Any]], integer: st.SearchStrategy[int] = SMALL_INT
) -> st.SearchStrategy[dict[str, Any]]:
    """ProfileInstallationResultData values around ``metadata`` (NotificationMetadata)."""
    return st.fixed_dictionaries(
        {
            "transactionId": TID,
            "notificationMetadata": metadata,
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
                        {"bppCommandId": integer, "errorReason": integer},
                        optional={"simaResponse": st.binary(max_size=40)},
                    ),
                ),
            ),
        },
        optional={"smdpOid": OID},
    )
