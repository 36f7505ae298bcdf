"""ES10b mutual authentication: GetEUICCChallenge, GetEUICCInfo1/2, AuthenticateServer,
PrepareDownload and CancelSession (SGP.22 §5.7.5, §5.7.7, §5.7.8, §5.7.13, §5.7.14).

Signatures are checked over the exact bytes received and computed over the exact bytes sent
(§0.2); euiccSigned1 echoes the received ctxParams1 TLV byte for byte.
"""

from __future__ import annotations

import os

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from esim.asn1 import device_der, device_der_writers, messages
from esim.asn1.certificate_check import ReceivedCertificateError, load_received_certificate
from esim.asn1.tlv import encode_tlv, iter_tlvs, parse_single
from esim.crypto import (
    CryptoError,
    Curve,
    encode_public_key,
    encode_signature_tlv,
    generate_one_time_key,
    verify_raw,
)
from esim.euicc import info
from esim.euicc.context import CardContext, DownloadSession
from esim.pki import PkiError, Role, smdp_oid_of, verify_dp_chain

# AuthenticateErrorCode / DownloadErrorCode values (SGP.22 §5.7.13, §5.7.5).
INVALID_CERTIFICATE = 1
INVALID_SIGNATURE = 2
UNSUPPORTED_CURVE = 3
NO_SESSION_CONTEXT = 4
INVALID_OID = 5
EUICC_CHALLENGE_MISMATCH = 6
CI_PK_UNKNOWN = 7
INVALID_TRANSACTION_ID = 5  # DownloadErrorCode
UNDEFINED_ERROR = 127


def _check_empty_request(message: messages.Message, request: bytes) -> None:
    """Decode a request that has no arguments, unless it is their one DER form (``tag 00``)."""
    if request != message.tag.to_bytes(2, "big") + b"\x00":
        message.decode(request)


def get_euicc_challenge(ctx: CardContext, request: bytes) -> bytes:
    """GetEUICCChallenge (BF2E): 16 fresh random bytes; a new challenge starts a new session."""
    _check_empty_request(messages.GET_EUICC_CHALLENGE_REQUEST, request)
    ctx.reset_session()
    ctx.challenge = os.urandom(16)
    # GetEuiccChallengeResponse ::= [46] SEQUENCE { euiccChallenge [0] Octet16 }
    return encode_tlv(0xBF2E, encode_tlv(0x80, ctx.challenge))


def get_euicc_info1(ctx: CardContext, request: bytes) -> bytes:
    """GetEUICCInfo1 (BF20): the same bytes for the card's whole life, encoded once."""
    _check_empty_request(messages.GET_EUICC_INFO1_REQUEST, request)
    if ctx.euicc_info1 is None:
        ctx.euicc_info1 = info.euicc_info1([ctx.ci_pkid], list(ctx.server_cis))
    return ctx.euicc_info1


def euicc_info2_der(ctx: CardContext) -> bytes:
    """EUICCInfo2 for the card's current profiles and free memory, the only parts that vary:
    encoded once per such state (every AuthenticateServer embeds it)."""
    state = (ctx.store.profile_count(), ctx.free_memory())
    if ctx.euicc_info2 is None or ctx.euicc_info2[0] != state:
        der = info.euicc_info2([ctx.ci_pkid], state[0], state[1], list(ctx.server_cis))
        ctx.euicc_info2 = (state, der)
    return ctx.euicc_info2[1]


def get_euicc_info2(ctx: CardContext, request: bytes) -> bytes:
    """GetEUICCInfo2 (BF22)."""
    _check_empty_request(messages.GET_EUICC_INFO2_REQUEST, request)
    return euicc_info2_der(ctx)


def _certificate(data: bytes) -> x509.Certificate | int:
    """The received certificate, or the error code for it (unsupportedCurve or invalid)."""
    try:
        return load_received_certificate(data)
    except ReceivedCertificateError as error:
        return UNSUPPORTED_CURVE if error.unsupported_curve else INVALID_CERTIFICATE


def _curve_supported(certificate: x509.Certificate) -> bool:
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        Curve.of(key.curve)
    except CryptoError:
        return False
    return True


def _checked_dp_certificate(ctx: CardContext, der: bytes, role: Role) -> x509.Certificate | int:
    """The received CERT.DPauth / CERT.DPpb once it chains to a trusted CI with ``role``, else
    the error code for it (invalidCertificate or unsupportedCurve).

    An SM-DP+ sends the same two certificates in every session, and the verdict depends only on
    the bytes, the role and the card's trusted CIs (no dates are checked): it is remembered per
    card, so a download does not parse and verify the same certificates again.
    """
    key = (bytes(der), role)
    verdict = ctx.dp_certificate_verdicts.get(key)
    if verdict is None:
        verdict = _check_dp_certificate(ctx, key[0], role)
        ctx.remember_dp_certificate_verdict(key, verdict)
    return verdict


def _check_dp_certificate(ctx: CardContext, der: bytes, role: Role) -> x509.Certificate | int:
    certificate = _certificate(der)
    if isinstance(certificate, int):
        return certificate
    if not _curve_supported(certificate):
        return UNSUPPORTED_CURVE
    try:
        verify_dp_chain(certificate, ctx.server_ci_for(certificate), role)
    except PkiError:
        return INVALID_CERTIFICATE
    return certificate


def _verify(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        verify_raw(key, data, signature)
    except CryptoError:
        return False
    return True


def _authenticate_error(transaction_id: bytes, code: int) -> bytes:
    return messages.AUTHENTICATE_SERVER_RESPONSE.encode(
        (
            "authenticateResponseError",
            {"transactionId": transaction_id, "authenticateErrorCode": code},
        )
    )


def authenticate_server(ctx: CardContext, request: bytes) -> bytes:
    """AuthenticateServer (BF38), checks in the order of SGP.22 §3.1.3."""
    decoded = device_der.decode(messages.AUTHENTICATE_SERVER_REQUEST, request)
    signed1 = decoded["serverSigned1"]
    transaction_id: bytes = signed1["transactionId"]
    part = messages.server_signed1_part(request)
    children = list(iter_tlvs(parse_single(request, 0xBF38).value))
    raw_ctx_params1 = children[4].raw

    if decoded["euiccCiPKIdToBeUsed"] != ctx.ci_pkid:
        return _authenticate_error(transaction_id, CI_PK_UNKNOWN)
    dp_auth = _checked_dp_certificate(ctx, decoded["serverCertificate"], Role.DP_AUTH)
    if isinstance(dp_auth, int):
        return _authenticate_error(transaction_id, dp_auth)
    smdp_oid = smdp_oid_of(dp_auth)
    if smdp_oid is None:
        return _authenticate_error(transaction_id, INVALID_OID)
    if not _verify(dp_auth, part.signed, part.signature):
        return _authenticate_error(transaction_id, INVALID_SIGNATURE)
    if ctx.challenge is None or signed1["euiccChallenge"] != ctx.challenge:
        return _authenticate_error(transaction_id, EUICC_CHALLENGE_MISMATCH)

    ctx.challenge = None  # one use only
    ctx.installer = None
    euicc_signed1 = encode_tlv(
        0x30,
        encode_tlv(0x80, transaction_id)
        + encode_tlv(0x83, signed1["serverAddress"].encode("utf-8"))
        + encode_tlv(0x84, signed1["serverChallenge"])
        + euicc_info2_der(ctx)
        + raw_ctx_params1,
    )
    signature1 = ctx.sign(euicc_signed1)
    matching_id = decoded["ctxParams1"][1].get("matchingId")
    ctx.session = DownloadSession(
        transaction_id=transaction_id,
        server_address=signed1["serverAddress"],
        server_challenge=signed1["serverChallenge"],
        smdp_oid=smdp_oid,
        dp_auth=dp_auth,
        euicc_signature1=signature1,
        matching_id=matching_id,
    )
    body = (
        euicc_signed1
        + encode_signature_tlv(signature1)
        + ctx.euicc_certificate
        + ctx.eum_certificate
    )
    return encode_tlv(0xBF38, encode_tlv(0xA0, body))


def _download_error(transaction_id: bytes, code: int) -> bytes:
    return messages.PREPARE_DOWNLOAD_RESPONSE.encode(
        ("downloadResponseError", {"transactionId": transaction_id, "downloadErrorCode": code})
    )


def prepare_download(ctx: CardContext, request: bytes) -> bytes:
    """PrepareDownload (BF21), checks in the order of SGP.22 §3.1.3."""
    decoded = device_der.decode(messages.PREPARE_DOWNLOAD_REQUEST, request)
    signed2 = decoded["smdpSigned2"]
    transaction_id: bytes = signed2["transactionId"]
    session = ctx.session
    if session is None:
        return _download_error(transaction_id, NO_SESSION_CONTEXT)
    dp_pb = _checked_dp_certificate(ctx, decoded["smdpCertificate"], Role.DP_PB)
    if isinstance(dp_pb, int):
        return _download_error(transaction_id, dp_pb)
    if smdp_oid_of(dp_pb) != session.smdp_oid:
        # CERT.DPpb must belong to the SM-DP+ that authenticated with CERT.DPauth.
        return _download_error(transaction_id, INVALID_CERTIFICATE)
    part = messages.smdp_signed2_part(request)
    signed_input = messages.smdp_signature2_input(part.signed, session.euicc_signature1)
    if not _verify(dp_pb, signed_input, part.signature):
        return _download_error(transaction_id, INVALID_SIGNATURE)
    if transaction_id != session.transaction_id:
        return _download_error(transaction_id, INVALID_TRANSACTION_ID)
    hash_cc: bytes | None = decoded.get("hashCc")
    if signed2["ccRequiredFlag"] and hash_cc is None:
        # The SM-DP+ asked for a Confirmation Code and the LPA sent none [SPEC? §5.7.5].
        return _download_error(transaction_id, UNDEFINED_ERROR)

    key_bytes = dp_pb.public_key()
    assert isinstance(key_bytes, ec.EllipticCurvePublicKey)  # checked by _curve_supported
    curve = Curve.of(key_bytes.curve)
    previous: bytes | None = signed2.get("bppEuiccOtpk")
    one_time_key = None if previous is None else ctx.reusable_one_time_keys.get(previous)
    if one_time_key is None:
        one_time_key = generate_one_time_key(curve)
    otpk = encode_public_key(one_time_key.public_key())
    ctx.reusable_one_time_keys = {otpk: one_time_key}
    euicc_signed2 = device_der_writers.euicc_signed2(transaction_id, otpk, hash_cc)
    signature2 = ctx.sign(messages.euicc_signature2_input(euicc_signed2, part.signature))
    session.dp_pb = dp_pb
    session.one_time_key = one_time_key
    session.hash_cc = hash_cc
    ctx.installer = None
    return encode_tlv(0xBF21, encode_tlv(0xA0, euicc_signed2 + encode_signature_tlv(signature2)))


def cancel_session(ctx: CardContext, request: bytes) -> bytes:
    """CancelSession (BF41): sign {tid, smdpOid, reason} and end the session (§3.8)."""
    decoded = messages.CANCEL_SESSION_REQUEST.decode(request)
    session = ctx.session
    if session is None or decoded["transactionId"] != session.transaction_id:
        return messages.CANCEL_SESSION_RESPONSE.encode(("cancelSessionResponseError", 5))
    signed = messages.EUICC_CANCEL_SESSION_SIGNED.encode(
        {
            "transactionId": session.transaction_id,
            "smdpOid": session.smdp_oid,
            "reason": decoded["reason"],
        }
    )
    ctx.reset_session()
    return encode_tlv(0xBF41, encode_tlv(0xA0, signed + encode_signature_tlv(ctx.sign(signed))))


def get_rat(ctx: CardContext, request: bytes) -> bytes:
    """GetRAT (BF43, SGP.22 v2.2 §5.7.22): this card holds an empty Rules Authorisation Table."""
    return encode_tlv(0xBF43, encode_tlv(0xA0, b""))
