"""The state every ES10 handler shares: credentials, the store, and the volatile session.

The RSP session (the issued euiccChallenge, the authenticated SM-DP+, the one-time key) lives
in RAM only, like on a real card: closing or reopening the card loses it (SGP.22 §3.1.3).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from esim.crypto import sign_raw
from esim.euicc.config import DEFAULT_MEMORY_BYTES, EuiccConfig
from esim.euicc.store import EuiccStore
from esim.pki import (
    CertificateSet,
    PkiError,
    Role,
    authority_key_identifier,
    subject_key_identifier,
)

if TYPE_CHECKING:
    from esim.euicc.es10b_install import ProfileInstaller

_SPEC = "SGP.22 §2.6 (eUICC credentials)"
_REMEMBERED_DP_CERTIFICATES = 32


class ConfigurationError(Exception):
    """The card cannot start with the given configuration."""

    def __init__(self, rule: str, message: str, spec: str = _SPEC) -> None:
        super().__init__(f"{rule}: {message} ({spec})")
        self.rule = rule
        self.message = message
        self.spec = spec


@dataclass
class DownloadSession:
    """What AuthenticateServer and PrepareDownload establish (SGP.22 §5.7.13, §5.7.5)."""

    transaction_id: bytes
    server_address: str
    server_challenge: bytes
    smdp_oid: str
    dp_auth: x509.Certificate
    euicc_signature1: bytes
    matching_id: str | None
    dp_pb: x509.Certificate | None = None
    one_time_key: ec.EllipticCurvePrivateKey | None = None
    hash_cc: bytes | None = None

    @property
    def prepared(self) -> bool:
        """True once PrepareDownload succeeded (a BPP may then be loaded)."""
        return self.one_time_key is not None and self.dp_pb is not None


@dataclass
class CardContext:
    """Credentials, store and volatile state of one card."""

    config: EuiccConfig
    store: EuiccStore
    euicc_certificate: bytes
    eum_certificate: bytes
    euicc_key: ec.EllipticCurvePrivateKey
    ci: x509.Certificate
    ci_pkid: bytes
    server_cis: dict[bytes, x509.Certificate] = field(default_factory=dict)
    """SKI → CI trusted for SM-DP+ certificates: the card's own CI and ``config.server_cis``."""
    challenge: bytes | None = None
    session: DownloadSession | None = None
    installer: ProfileInstaller | None = None
    reusable_one_time_keys: dict[bytes, ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    """otPK.EUICC → otSK of earlier PrepareDownloads, for bppEuiccOtpk retries (§3.5 step 6)."""
    dp_certificate_verdicts: dict[tuple[bytes, Role], x509.Certificate | int] = field(
        default_factory=dict
    )
    """(certificate DER, role) → the checked certificate or its error code (es10b_auth)."""
    euicc_info1: bytes | None = None
    """The EUICCInfo1 DER (es10b_auth)."""
    euicc_info2: tuple[tuple[int, int], bytes] | None = None
    """((installed profiles, free memory), the EUICCInfo2 DER for them) (es10b_auth)."""

    @classmethod
    def create(cls, config: EuiccConfig, store: EuiccStore) -> CardContext:
        certificates: CertificateSet = config.certificates
        if certificates.euicc is None or certificates.euicc.private_key is None:
            raise ConfigurationError(
                "euicc.no-euicc-credential", "the certificate set has no eUICC key and certificate"
            )
        if certificates.eum is None:
            raise ConfigurationError("euicc.no-eum", "the certificate set has no EUM certificate")
        try:
            ci_pkid = certificates.ci_pkid
        except PkiError as error:
            raise ConfigurationError(error.rule, error.message, error.spec) from None
        if certificates.eid is not None and certificates.eid != config.eid:
            raise ConfigurationError(
                "euicc.eid-mismatch",
                f"the eUICC certificate is for EID {certificates.eid}, not {config.eid}",
            )
        return cls(
            config=config,
            store=store,
            euicc_certificate=certificates.euicc.der,
            eum_certificate=certificates.eum.der,
            euicc_key=certificates.euicc.private_key,
            ci=certificates.ci.certificate,
            ci_pkid=ci_pkid,
            server_cis=_server_cis(ci_pkid, certificates.ci.certificate, config.server_cis),
        )

    def server_ci_for(self, certificate: x509.Certificate) -> x509.Certificate:
        """The trusted CI named by ``certificate``'s AKI (the card's own CI when none matches)."""
        return self.server_cis.get(authority_key_identifier(certificate) or b"", self.ci)

    @property
    def clock(self) -> Callable[[], float]:
        return self.config.clock or time.time

    @property
    def eid_bytes(self) -> bytes:
        return bytes.fromhex(self.config.eid)

    def sign(self, data: bytes) -> bytes:
        """SK.EUICC.ECDSA over exactly ``data``, raw ``r ‖ s``."""
        return sign_raw(self.euicc_key, data)

    def memory_limit(self) -> int:
        limit = self.config.memory_limit_bytes
        return DEFAULT_MEMORY_BYTES if limit is None else limit

    def free_memory(self) -> int:
        return max(0, self.memory_limit() - self.store.used_bytes())

    def remember_dp_certificate_verdict(
        self, key: tuple[bytes, Role], verdict: x509.Certificate | int
    ) -> None:
        """Keep the verdict, forgetting the oldest beyond a few SM-DP+s' worth."""
        verdicts = self.dp_certificate_verdicts
        if len(verdicts) >= _REMEMBERED_DP_CERTIFICATES:
            del verdicts[next(iter(verdicts))]
        verdicts[key] = verdict

    def reset_session(self) -> None:
        """Forget the RSP session (a new challenge, CancelSession, an install that ended)."""
        self.session = None
        self.installer = None


def _server_cis(
    own_pkid: bytes, own: x509.Certificate, extra: tuple[x509.Certificate, ...]
) -> dict[bytes, x509.Certificate]:
    trusted = {own_pkid: own}
    for certificate in extra:
        ski = subject_key_identifier(certificate)
        if ski is None:
            raise ConfigurationError(
                "euicc.server-ci-without-ski",
                "a trusted CI certificate has no SubjectKeyIdentifier",
            )
        trusted.setdefault(ski, certificate)
    return trusted
