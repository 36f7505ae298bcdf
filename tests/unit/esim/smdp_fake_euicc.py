"""Test support for the SM-DP+ tests: an eUICC played with esim.crypto/esim.asn1, with the test
PKI, the SM-DP+ address and ES2+ secret, and the client TLS context (trust = the test CI only).

Not a test module (no ``test_`` prefix); the SM-DP+ tests and the benchmarks import it. Its
messages are written and read by the direct DER writers and readers the project's own eUICC
and LPA use (held byte for byte equal to the codec by their property tests), so a download
costs the client little besides its real signatures, key agreement and TLS. The ES9+/ES2+
client that carries them, and the servers it talks to, are in :mod:`smdp_es9_harness`.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pybase64
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from esim.asn1 import device_der_writers
from esim.asn1 import messages as m
from esim.asn1.codec import rsp_codec
from esim.asn1.device_der import decode as read_der
from esim.asn1.tlv import encode_tlv
from esim.crypto import (
    BspSession,
    SessionKeys,
    decode_public_key,
    decode_signature_tlv,
    derive_session_keys,
    encode_public_key,
    encode_signature_tlv,
    generate_one_time_key,
    shared_secret,
    sign_raw,
    verify_raw,
)
from esim.euicc import result_der
from esim.identifiers import Eid, Iccid
from esim.pki import CertificateSet, Credential, Role, TestPki
from esim.smdp import SmdpConfig, client_ssl_context
from esim.smdp.profile_package import profile_header_iccid

ADDRESS = "smdp.mobileplans.test"
EID = "89049032123451234512345678901235"
OPERATOR = "MobilePlansOperator"
ES2_SECRET = "test-es2-secret"
"""The operator's ES2+ bearer secret of every test SM-DP+ built by :func:`make_config`."""
ES2_AUTHORIZATION = {"Authorization": f"Bearer {ES2_SECRET}"}


@functools.cache
def test_certificates() -> CertificateSet:
    """One PKI per test process (generation is the slow part)."""
    return TestPki.generate(EID, [ADDRESS])


@functools.cache
def _client_context() -> ssl.SSLContext:
    return client_ssl_context(test_certificates())


@functools.lru_cache(maxsize=16)
def received_certificate(der: bytes) -> x509.Certificate:
    """A certificate the SM-DP+ sent, parsed once per distinct DER (its key is what is used)."""
    return x509.load_der_x509_certificate(der)


@functools.lru_cache(maxsize=16)
def euicc_info1_der(ci_pkid: bytes) -> bytes:
    """EUICCInfo1 naming ``ci_pkid`` for verification and signing: the same every session."""
    return m.EUICC_INFO1.encode(
        {
            "svn": bytes.fromhex("020202"),
            "euiccCiPKIdListForVerification": [ci_pkid],
            "euiccCiPKIdListForSigning": [ci_pkid],
        }
    )


@functools.lru_cache(maxsize=16)
def euicc_info2_der(ci_pkid: bytes) -> bytes:
    """EUICCInfo2 (BF22) of :data:`EUICC_INFO2` naming ``ci_pkid``: the same every session."""
    info2 = dict(EUICC_INFO2)
    info2["euiccCiPKIdListForVerification"] = [ci_pkid]
    info2["euiccCiPKIdListForSigning"] = [ci_pkid]
    return m.EUICC_INFO2.encode(info2)


def make_config(data_dir: Path, clock: Any = None, **extra: Any) -> SmdpConfig:
    kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}
    kwargs["operator_secrets"] = {OPERATOR: ES2_SECRET}
    kwargs.update(extra)
    return SmdpConfig(ADDRESS, test_certificates(), data_dir, **kwargs)


def mint_euicc(eid: str) -> Credential:
    """A new CERT.EUICC for ``eid`` signed by the test EUM (the SGP.26 EUM key is public)."""
    certs = test_certificates()
    assert certs.eum is not None
    assert certs.eum.private_key is not None
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Test"),
                    x509.NameAttribute(x509.NameOID.SERIAL_NUMBER, eid),
                    x509.NameAttribute(x509.NameOID.COMMON_NAME, "Minted eUICC"),
                ]
            )
        )
        .issuer_name(certs.eum.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(certs.eum.private_key.public_key()),
            False,
        )
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(Role.EUICC.oid, None)]), True
        )
        .sign(certs.eum.private_key, hashes.SHA256())
    )
    return Credential(cert, key)


ISDP_AID = bytes.fromhex("a0000005591010ffffffff8900001000")
SIMA_OK = bytes.fromhex("30053003800100")
DEVICE_INFO: dict[str, Any] = {"tac": bytes.fromhex("35290611"), "deviceCapabilities": {}}
EUICC_INFO2: dict[str, Any] = {
    "profileVersion": bytes.fromhex("020301"),
    "svn": bytes.fromhex("020202"),
    "euiccFirmwareVer": bytes.fromhex("010000"),
    "extCardResource": bytes.fromhex("810108820400045bf88302241 9".replace(" ", "")),
    "uiccCapability": (bytes.fromhex("067f36f3c0"), 34),
    "rspCapability": (bytes.fromhex("98"), 5),
    "euiccCiPKIdListForVerification": [],
    "euiccCiPKIdListForSigning": [],
    "ppVersion": bytes.fromhex("010000"),
    "sasAcreditationNumber": "TEST-SAS",
}


@dataclass
class Download:
    """What a fake eUICC keeps during one download."""

    transaction_id: bytes = b""
    server_address: str = ""
    smdp_oid: str = ""
    euicc_signature1: bytes = b""
    smdp_signature2: bytes = b""
    dp_pb: x509.Certificate | None = None
    metadata: bytes = b""
    cc_required: bool = False
    one_time: ec.EllipticCurvePrivateKey | None = None
    installed: dict[str, Any] = field(default_factory=dict)


_SEQUENCES: dict[str, Iterator[int]] = {}


class FakeEuicc:
    """The eUICC side of ES10b, enough to drive ES9+ with real crypto (SGP.22 §3.1.3)."""

    def __init__(self, credential: Credential | None = None) -> None:
        certs = test_certificates()
        self.certs = certs
        self.credential = credential or certs.euicc
        assert self.credential is not None
        self.challenge = b""
        self.download = Download()
        # Sent with every AuthenticateServerResponse: serialised once.
        assert certs.eum is not None
        self.chain_der = self.credential.der + certs.eum.der
        # A real eUICC never reuses a seqNumber; fakes sharing an EID share its counter.
        self._sequence = _SEQUENCES.setdefault(self.eid, itertools.count(1))
        self.seq = 0

    @classmethod
    def with_new_eid(cls) -> FakeEuicc:
        return cls(mint_euicc(Eid.generate(prefix=EID[:8]).digits))

    @property
    def eid(self) -> str:
        return self.credential.certificate.subject.get_attributes_for_oid(
            x509.NameOID.SERIAL_NUMBER
        )[0].value  # type: ignore[return-value]

    @property
    def key(self) -> ec.EllipticCurvePrivateKey:
        assert self.credential.private_key is not None
        return self.credential.private_key

    def euicc_info1(self) -> bytes:
        self.challenge = os.urandom(16)
        return euicc_info1_der(self.certs.ci_pkid)

    def authenticate_server(self, response: dict[str, Any], matching_id: str | None) -> bytes:
        signed1 = b64d(response["serverSigned1"])
        signature1 = decode_signature_tlv(b64d(response["serverSignature1"]))
        dp_auth = received_certificate(b64d(response["serverCertificate"]))
        verify_raw(dp_auth.public_key(), signed1, signature1)  # type: ignore[arg-type]
        server = read_der(m.SERVER_SIGNED1, signed1)
        assert server["euiccChallenge"] == self.challenge
        self.download = Download(
            transaction_id=server["transactionId"],
            server_address=server["serverAddress"],
            smdp_oid=self.certs.smdp_oid or "",
        )
        # EUICCSigned1 (§5.7.13) as the card writes it: transactionId 80, serverAddress 83,
        # serverChallenge 84, euiccInfo2 BF22, ctxParams1 A0.
        ctx_params1 = device_der_writers.ctx_params1(matching_id, DEVICE_INFO)
        if matching_id == "":  # an empty matchingId is sent as one (the writer leaves it out)
            ctx_params1 = rsp_codec().encode(
                "CtxParams1",
                ("ctxParamsForCommonAuthentication", {"matchingId": "", "deviceInfo": DEVICE_INFO}),
            )
        euicc_signed1 = encode_tlv(
            0x30,
            encode_tlv(0x80, server["transactionId"])
            + encode_tlv(0x83, server["serverAddress"].encode())
            + encode_tlv(0x84, server["serverChallenge"])
            + euicc_info2_der(self.certs.ci_pkid)
            + ctx_params1,
        )
        signature = sign_raw(self.key, euicc_signed1)
        self.download.euicc_signature1 = signature
        body = euicc_signed1 + encode_signature_tlv(signature) + self.chain_der
        return encode_tlv(0xBF38, encode_tlv(0xA0, body))

    def prepare_download(self, response: dict[str, Any], confirmation_code: str | None) -> bytes:
        signed2 = b64d(response["smdpSigned2"])
        signature2 = decode_signature_tlv(b64d(response["smdpSignature2"]))
        dp_pb = received_certificate(b64d(response["smdpCertificate"]))
        verify_raw(
            dp_pb.public_key(),  # type: ignore[arg-type]
            m.smdp_signature2_input(signed2, self.download.euicc_signature1),
            signature2,
        )
        decoded = read_der(m.SMDP_SIGNED2, signed2)
        assert decoded["transactionId"] == self.download.transaction_id
        self.download.smdp_signature2 = signature2
        self.download.dp_pb = dp_pb
        self.download.metadata = b64d(response["profileMetadata"])
        self.download.cc_required = decoded["ccRequiredFlag"]
        one_time = generate_one_time_key()
        self.download.one_time = one_time
        hash_cc = (
            None
            if confirmation_code is None
            else m.hash_confirmation_code(confirmation_code, self.download.transaction_id)
        )
        euicc_signed2 = device_der_writers.euicc_signed2(
            self.download.transaction_id, encode_public_key(one_time.public_key()), hash_cc
        )
        signature = sign_raw(self.key, m.euicc_signature2_input(euicc_signed2, signature2))
        return encode_tlv(0xBF21, encode_tlv(0xA0, euicc_signed2 + encode_signature_tlv(signature)))

    def load_bound_profile_package(self, bpp: bytes) -> bytes:
        """Check and decrypt the BPP; return the signed ProfileInstallationResult (BF37)."""
        parts = m.split_bound_profile_package(bpp)
        isc = m.INITIALISE_SECURE_CHANNEL_REQUEST.decode(parts.initialise_secure_channel)
        assert isc["transactionId"] == self.download.transaction_id
        assert self.download.dp_pb is not None
        assert self.download.one_time is not None
        own = encode_public_key(self.download.one_time.public_key())
        verify_raw(
            self.download.dp_pb.public_key(),  # type: ignore[arg-type]
            m.smdp_sign_input(parts.initialise_secure_channel, own),
            isc["smdpSign"],
        )
        shs = shared_secret(
            self.download.one_time, decode_public_key(isc["smdpOtpk"], self.certs.curve)
        )
        keys = derive_session_keys(
            shs, isc["controlRefTemplate"]["hostId"], bytes.fromhex(self.eid)
        )
        bsp = BspSession(keys)
        configure = b"".join(bsp.unprotect(s, 0x87) for s in parts.configure_isdp)
        assert configure[:2] == b"\xbf\x24"
        metadata = b"".join(bsp.unprotect_mac_only(s) for s in parts.store_metadata)
        assert metadata == self.download.metadata
        if parts.replace_session_keys is not None:
            request = b"".join(bsp.unprotect(s, 0x87) for s in parts.replace_session_keys)
            ppk = m.REPLACE_SESSION_KEYS_REQUEST.decode(request)
            bsp = BspSession(
                SessionKeys(ppk["ppkEnc"], ppk["ppkCmac"], ppk["initialMacChainingValue"])
            )
        for segment in parts.profile_elements:
            assert len(segment) <= 1020
        upp = b"".join(bsp.unprotect(s, 0x86) for s in parts.profile_elements)
        info = m.STORE_METADATA_REQUEST.decode(metadata)
        iccid = Iccid.from_sgp22_bytes(info["iccid"])
        assert profile_header_iccid(upp) == iccid
        self.download.installed = {"iccid": iccid.digits, "upp": upp, "metadata": info}
        return self.installation_result(iccid, success=True)

    def installation_result(self, iccid: Iccid, *, success: bool) -> bytes:
        self.seq = next(self._sequence)
        final: tuple[str, dict[str, Any]] = (
            ("successResult", {"aid": ISDP_AID, "simaResponse": SIMA_OK})
            if success
            else ("errorResult", {"bppCommandId": 5, "errorReason": 12})
        )
        metadata_value = {
            "seqNumber": self.seq,
            "profileManagementOperation": m.notification_event("install"),
            "notificationAddress": self.download.server_address,
            "iccid": iccid.to_sgp22_bytes(),
        }
        metadata = result_der.notification_metadata(metadata_value)
        data = (
            None
            if metadata is None
            else result_der.installation_result_data(
                self.download.transaction_id, metadata, self.download.smdp_oid, final
            )
        ) or m.PROFILE_INSTALLATION_RESULT_DATA.encode(
            {
                "transactionId": self.download.transaction_id,
                "notificationMetadata": metadata_value,
                "smdpOid": self.download.smdp_oid,
                "finalResult": final,
            }
        )
        return encode_tlv(0xBF37, data + encode_signature_tlv(sign_raw(self.key, data)))

    def cancel_session(self, reason: int) -> bytes:
        signed = m.EUICC_CANCEL_SESSION_SIGNED.encode(
            {
                "transactionId": self.download.transaction_id,
                "smdpOid": self.download.smdp_oid,
                "reason": reason,
            }
        )
        body = signed + encode_signature_tlv(sign_raw(self.key, signed))
        return encode_tlv(0xBF41, encode_tlv(0xA0, body))

    def other_notification(self, iccid: str, event: str) -> bytes:
        self.seq = next(self._sequence)
        metadata = m.NOTIFICATION_METADATA.encode(
            {
                "seqNumber": self.seq,
                "profileManagementOperation": m.notification_event(event),
                "notificationAddress": ADDRESS,
                "iccid": Iccid.parse(iccid).to_sgp22_bytes(),
            }
        )
        assert self.certs.eum is not None
        body = (
            metadata
            + encode_signature_tlv(sign_raw(self.key, metadata))
            + self.credential.der
            + self.certs.eum.der
        )
        return encode_tlv(0x30, body)


def b64(data: bytes) -> str:
    return pybase64.b64encode_as_string(data)  # the standard library's text, faster


def b64d(text: str) -> bytes:
    return pybase64.b64decode(text)  # as base64.b64decode (non-alphabet characters dropped)
