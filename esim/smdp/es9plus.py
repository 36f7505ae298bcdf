"""ES9+ (LPA ↔ SM-DP+): the five functions of SGP.22 §5.6 / §6.5.2 (SGP.22 §6).

``POST /gsma/rsp2/es9plus/{initiateAuthentication, authenticateClient, getBoundProfilePackage,
handleNotification, cancelSession}``, JSON binding of :mod:`esim.smdp.http_json`. A refusal in
authenticateClient or getBoundProfilePackage ends the session and gives a held claim back.
handleNotification is :class:`esim.smdp.es9_notifications.NotificationHandler`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from esim.asn1 import der_builders as der
from esim.asn1 import messages as m
from esim.asn1.tlv import encode_tlv
from esim.crypto import CryptoError, encode_signature_tlv, sign_raw
from esim.pki import subject_key_identifier
from esim.smdp import status
from esim.smdp import verification as check
from esim.smdp.behaviours import Step, cut_short
from esim.smdp.es9_notifications import NotificationHandler, ProgressListener
from esim.smdp.expiry import release_stale_orders
from esim.smdp.http_json import Base64Field, Body, b64, binary_field, json_route, text_field
from esim.smdp.http_json import transaction_id_field as tid_field
from esim.smdp.http_server import HttpRequest, Route
from esim.smdp.orders import Order, OrderState
from esim.smdp.profile_package import (
    BindingInput,
    ProfileSpec,
    bind_profile_package,
    store_metadata,
    unprotected_profile_package,
)
from esim.smdp.sessions import RspSessions, Session, SessionState, SessionTable
from esim.smdp.shared_sessions import SharedSessionTable
from esim.smdp.status import Es9Error

if TYPE_CHECKING:
    from esim.smdp.server import SmdpConfig
    from esim.smdp.store import OrderStore

ES9_PREFIX = "/gsma/rsp2/es9plus/"
_SPEC = "SGP.22 §5.6"
_CANCEL_REASONS = {
    0: "endUserRejection",
    1: "postponed",
    2: "timeout",
    3: "pprNotAllowed",
    4: "metadataMismatch",
    5: "loadBppExecutionError",
    127: "undefinedReason",
}


@lru_cache(maxsize=64)
def _upp(spec: ProfileSpec) -> bytes:
    return unprotected_profile_package(spec)


@lru_cache(maxsize=64)
def _metadata(spec: ProfileSpec, address: str) -> bytes:
    return store_metadata(spec, address)


def _refuse(code: status.StatusCode, rule: str, message: str) -> Es9Error:
    return Es9Error(code, rule, message, _SPEC)


class Es9Plus:
    """The ES9+ functions over one store, session table and certificate set."""

    def __init__(self, config: SmdpConfig, store: OrderStore, progress: ProgressListener) -> None:
        certificates = config.certificates
        if certificates.dp_auth is None or certificates.dp_pb is None:
            raise ValueError("the SM-DP+ needs DPauth and DPpb credentials with private keys")
        if certificates.dp_auth.private_key is None or certificates.dp_pb.private_key is None:
            raise ValueError("the DPauth and DPpb credentials need their private keys")
        self._config = config
        self._store = store
        self._progress = progress
        self._dp_auth_key = certificates.dp_auth.private_key
        self._dp_pb_key = certificates.dp_pb.private_key
        self._ci = certificates.ci.certificate
        # Sent in every initiateAuthentication and authenticateClient answer: encoded once.
        self._dp_auth_b64 = b64(certificates.dp_auth.der)
        self._dp_pb_b64 = b64(certificates.dp_pb.der)
        self._ci_pkid = certificates.ci_pkid
        # CIs for eUICC chains, by SKI: ours first, then the configured others (§3.5 step 2)
        self._euicc_cis = {self._ci_pkid: self._ci}
        for extra in config.euicc_cis:
            self._euicc_cis.setdefault(subject_key_identifier(extra) or b"", extra)
        self.sessions: RspSessions = (
            SharedSessionTable(store, config.clock, config.session_ttl_seconds, self._expired)
            if config.shared_sessions
            else SessionTable(config.clock, config.session_ttl_seconds, self._expired)
        )
        self.notifications = NotificationHandler(
            config, store, self.sessions, progress, self._euicc_cis, self._apply_behaviour
        )

    def add_routes(self, routes: dict[str, Route]) -> None:
        for name, handler in (
            ("initiateAuthentication", self.initiate_authentication),
            ("authenticateClient", self.authenticate_client),
            ("getBoundProfilePackage", self.get_bound_profile_package),
            ("handleNotification", self.notifications.handle_notification),
            ("cancelSession", self.cancel_session),
        ):
            routes[ES9_PREFIX + name] = json_route(handler)

    # -- session bookkeeping --------------------------------------------------------------

    def _expired(self, session: Session) -> None:
        if session.claim_held and session.state is not SessionState.BPP_DELIVERED:
            self._store.give_back(session.transaction_hex, "session expired")
        # A delivered BPP whose installation result never came: see esim.smdp.expiry.
        release_stale_orders(self._store, self._config.session_ttl_seconds)

    def _abort(self, session: Session, error: Es9Error, step: Step) -> None:
        # The session stays (failed) until CancelSession or expiry: after a failed
        # AuthenticateClient or GetBoundProfilePackage the LPA cancels the session on the eUICC
        # and then ES9+.CancelSession (SGP.22 §3.0.1 error handling, §5.6.5), which needs it.
        self.sessions.advance(session, SessionState.FAILED)
        order = self._store.get(session.matching_id) if session.matching_id else None
        if session.claim_held:
            session.claim_held = False
            order = self._store.give_back(session.transaction_hex, error.rule) or order
        self._store.emit(
            "refused",
            order,
            function=str(step),
            subject_code=error.code.subject,
            reason_code=error.code.reason,
            rule=error.rule,
        )
        if order is not None:
            self._progress(order, 1 if step is Step.AUTHENTICATE_CLIENT else 3, error)

    async def _apply_behaviour(self, order: Order, step: Step) -> None:
        if order.behaviour.latency_seconds:
            await asyncio.sleep(order.behaviour.latency_seconds)
        if order.behaviour.fail_at == step:
            raise _refuse(
                order.behaviour.failure,
                "behaviour.injected-failure",
                f"the order's behaviour makes {step} fail",
            )

    # -- initiateAuthentication (§3.5 step 2) ---------------------------------------------

    async def initiate_authentication(self, body: Body, _: HttpRequest) -> Body:
        address = text_field(body, "smdpAddress") or ""
        challenge = binary_field(body, "euiccChallenge")
        info1 = check.decode(m.EUICC_INFO1, binary_field(body, "euiccInfo1"), "euiccInfo1")
        if address.lower() != self._config.address.lower():
            raise _refuse(status.INVALID_SMDP_ADDRESS, "smdp-address", f"{address!r} is not us")
        if len(challenge) != 16:
            raise _refuse(status.INVALID_PARAMETER, "euicc-challenge", "must be 16 bytes")
        if info1["svn"][0] != 2:
            raise _refuse(status.SVN_NOT_SUPPORTED, "svn", "only SGP.22 v2.x is supported")
        if self._ci_pkid not in info1["euiccCiPKIdListForVerification"]:
            raise _refuse(status.NO_VERIFICATION_PKID, "ci.verification", "our CI is not listed")
        signing = [pkid for pkid in self._euicc_cis if pkid in info1["euiccCiPKIdListForSigning"]]
        if not signing:
            raise _refuse(status.NO_SIGNING_PKID, "ci.signing", "our CI is not listed")
        behaviour = self._store.released_failure(Step.INITIATE_AUTHENTICATION)
        if behaviour is not None:
            raise _refuse(behaviour.failure, "behaviour.injected-failure", "initiateAuth fails")
        session = self.sessions.create(challenge, signing[0])
        signed1 = der.server_signed1(
            session.transaction_id, challenge, self._config.address, session.server_challenge
        )
        return {
            "transactionId": session.transaction_hex,
            "serverSigned1": b64(signed1),
            "serverSignature1": b64(encode_signature_tlv(sign_raw(self._dp_auth_key, signed1))),
            "euiccCiPKIdToBeUsed": b64(encode_tlv(0x04, session.ci_pkid)),
            "serverCertificate": self._dp_auth_b64,
        }

    # -- authenticateClient (§3.5 step 4) -------------------------------------------------

    async def authenticate_client(self, body: Body, _: HttpRequest) -> Body:
        session = self.sessions.get(tid_field(body), SessionState.INITIATED)
        try:
            return await self._authenticate_client(session, body)
        except Es9Error as error:
            self._abort(session, error, Step.AUTHENTICATE_CLIENT)
            raise

    async def _authenticate_client(self, session: Session, body: Body) -> Body:
        raw = binary_field(body, "authenticateServerResponse")
        choice, value = check.decode(m.AUTHENTICATE_SERVER_RESPONSE, raw, "authServerResponse")
        if choice != "authenticateResponseOk":
            raise _refuse(
                status.INVALID_PARAMETER,
                "euicc.authenticate-error",
                f"the eUICC refused AuthenticateServer: {value.get('authenticateErrorCode')}",
            )
        euicc, eid = check.verified_euicc(value, self._euicc_cis[session.ci_pkid], session.ci_pkid)
        key = check.public_key(euicc, status.EUICC_CERTIFICATE_INVALID, "euicc")
        part = m.euicc_signed1_part(raw)
        check.signature(key, part.signed, part.signature, "euiccSignature1")
        signed1 = value["euiccSigned1"]
        if signed1["transactionId"] != session.transaction_id:
            raise _refuse(status.UNKNOWN_TRANSACTION, "tid.signed", "signed tid differs")
        if signed1["serverChallenge"] != session.server_challenge:
            raise _refuse(status.EUICC_SIGNATURE_INVALID, "server-challenge", "wrong challenge")
        if signed1["serverAddress"].lower() != self._config.address.lower():
            raise _refuse(status.INVALID_SMDP_ADDRESS, "smdp-address.signed", "not our address")
        matching_id = signed1["ctxParams1"][1].get("matchingId")
        session.eid, session.euicc_certificate = eid, euicc
        self.sessions.expire()
        release_stale_orders(self._store, self._config.session_ttl_seconds)
        certificate = bytes(value["euiccCertificate"])
        # A released order with nothing that could refuse or delay it is found and claimed in
        # one statement; anything else goes the long way, which decides as it always did.
        claimed = (
            self._store.claim_released(matching_id, eid, session.transaction_hex, certificate)
            if matching_id
            else None
        )
        if claimed is None:
            claimed = await self._find_and_claim(session, matching_id, eid, certificate)
        order = claimed
        session.matching_id = order.matching_id
        session.claim_held = True
        metadata = _metadata(order.spec, self._config.address)
        signed2 = der.smdp_signed2(session.transaction_id, order.confirmation_code_required)
        signature2 = sign_raw(self._dp_pb_key, m.smdp_signature2_input(signed2, part.signature))
        session.euicc_signature1, session.smdp_signature2 = part.signature, signature2
        session.profile_metadata = metadata
        self.sessions.advance(session, SessionState.AUTHENTICATED)
        self._progress(order, 1, None)
        return {
            "transactionId": session.transaction_hex,
            "profileMetadata": b64(metadata),
            "smdpSigned2": b64(signed2),
            "smdpSignature2": b64(encode_signature_tlv(signature2)),
            "smdpCertificate": self._dp_pb_b64,
        }

    async def _find_and_claim(
        self, session: Session, matching_id: str | None, eid: str, certificate: bytes
    ) -> Order:
        order = self._store.find_for_download(matching_id, eid)
        if order is None:
            raise _refuse(
                status.MATCHING_ID_REFUSED,
                "order.matching-id-unknown",
                f"no order has matching ID {matching_id!r}"
                if matching_id
                else f"no released order is bound to EID {eid}",
            )
        session.matching_id = order.matching_id
        await self._apply_behaviour(order, Step.AUTHENTICATE_CLIENT)
        return self._store.claim(order, eid, session.transaction_hex, certificate)

    # -- getBoundProfilePackage (§3.5 step 7) ---------------------------------------------

    async def get_bound_profile_package(self, body: Body, _: HttpRequest) -> Body:
        session = self.sessions.get(tid_field(body))
        if session.state is SessionState.BPP_DELIVERED:
            raise _refuse(status.BPP_NOT_AVAILABLE, "bpp.delivered", "this session has its BPP")
        if session.state is not SessionState.AUTHENTICATED:
            raise _refuse(status.UNKNOWN_TRANSACTION, "session.wrong-state", "not authenticated")
        try:
            return await self._get_bound_profile_package(session, body)
        except Es9Error as error:
            self._abort(session, error, Step.GET_BOUND_PROFILE_PACKAGE)
            raise

    async def _get_bound_profile_package(self, session: Session, body: Body) -> Body:
        raw = binary_field(body, "prepareDownloadResponse")
        choice, value = check.decode(m.PREPARE_DOWNLOAD_RESPONSE, raw, "prepareDownloadResponse")
        if choice != "downloadResponseOk":
            raise _refuse(
                status.INVALID_PARAMETER,
                "euicc.download-error",
                f"the eUICC refused PrepareDownload: {value.get('downloadErrorCode')}",
            )
        assert session.euicc_certificate is not None
        assert session.eid is not None
        key = check.public_key(session.euicc_certificate, status.EUICC_CERTIFICATE_INVALID, "e")
        part = m.euicc_signed2_part(raw)
        signed_data = m.euicc_signature2_input(part.signed, session.smdp_signature2)
        check.signature(key, signed_data, part.signature, "euiccSignature2")
        signed2 = value["euiccSigned2"]
        if signed2["transactionId"] != session.transaction_id:
            raise _refuse(status.UNKNOWN_TRANSACTION, "tid.signed", "signed tid differs")
        order = self._store.get_by_transaction(session.transaction_hex)
        if order is None or order.state is not OrderState.DOWNLOADING:
            raise _refuse(status.BPP_NOT_AVAILABLE, "order.gone", "the order left downloading")
        await self._apply_behaviour(order, Step.GET_BOUND_PROFILE_PACKAGE)
        self._check_confirmation_code(session, order, signed2.get("hashCc"))
        binding = BindingInput(
            session.transaction_id,
            session.eid,
            signed2["euiccOtpk"],
            session.profile_metadata,
            cut_short(_upp(order.spec)) if order.behaviour.corrupt_package else _upp(order.spec),
        )
        try:
            bpp = bind_profile_package(
                binding,
                self._dp_pb_key,
                self._config.certificates.curve,
                replace_session_keys=self._config.replace_session_keys,
            )
        except CryptoError as error:
            raise _refuse(status.INVALID_PARAMETER, error.rule, error.message) from None
        delivered = self._store.transition(
            order, {OrderState.DOWNLOADING}, OrderState.DOWNLOADED, "downloaded"
        )
        if delivered is None:
            raise _refuse(status.BPP_NOT_AVAILABLE, "order.gone", "the order left downloading")
        self.sessions.advance(session, SessionState.BPP_DELIVERED)
        self._progress(delivered, 3, None)
        return {"transactionId": session.transaction_hex, "boundProfilePackage": Base64Field(bpp)}

    def _check_confirmation_code(self, session: Session, order: Order, hash_cc: Any) -> None:
        if not order.confirmation_code_required:  # read with the order: no cc_hash, no code
            return
        digest = self._store.confirmation_code_digest(order.order_id)
        if digest is None:
            return
        if hash_cc is None:
            raise _refuse(status.CONFIRMATION_CODE_MISSING, "cc.missing", "hashCc is missing")
        expected = hashlib.sha256(digest + session.transaction_id).digest()
        if hmac.compare_digest(expected, bytes(hash_cc)):
            return
        session.claim_held = False
        changed = self._store.record_wrong_confirmation_code(order)
        if changed.state is OrderState.FAILED:
            raise _refuse(status.CONFIRMATION_CODE_RETRIES_EXCEEDED, "cc.retries", "no tries left")
        raise _refuse(status.CONFIRMATION_CODE_REFUSED, "cc.wrong", "wrong confirmation code")

    # -- cancelSession (§3.8) -------------------------------------------------------------

    async def cancel_session(self, body: Body, _: HttpRequest) -> Body:
        session = self.sessions.get(tid_field(body))
        raw = binary_field(body, "cancelSessionResponse")
        choice, value = check.decode(m.CANCEL_SESSION_RESPONSE, raw, "cancelSessionResponse")
        if choice != "cancelSessionResponseOk":
            raise _refuse(status.INVALID_PARAMETER, "euicc.cancel-error", f"eUICC error {value}")
        if session.euicc_certificate is not None:
            key = check.public_key(session.euicc_certificate, status.EUICC_CERTIFICATE_INVALID, "e")
            part = m.cancel_session_part(raw)
            check.signature(key, part.signed, part.signature, "euiccCancelSessionSignature")
        signed = value["euiccCancelSessionSigned"]
        if signed["transactionId"] != session.transaction_id:
            raise _refuse(status.UNKNOWN_TRANSACTION, "tid.signed", "signed tid differs")
        if signed["smdpOid"] != self._config.certificates.smdp_oid:
            raise _refuse(status.INVALID_SMDP_OID, "smdp-oid", f"{signed['smdpOid']} is not ours")
        reason = _CANCEL_REASONS.get(signed["reason"], str(signed["reason"]))
        self.sessions.end(session)
        if session.claim_held and session.state is not SessionState.BPP_DELIVERED:
            session.claim_held = False
            if reason in ("postponed", "timeout"):
                self._store.give_back(session.transaction_hex, f"cancelSession {reason}")
            else:
                self._store.fail(session.transaction_hex, f"cancelSession {reason}")
        elif session.claim_held:
            self._store.fail(session.transaction_hex, f"cancelSession {reason}")
        return {}
