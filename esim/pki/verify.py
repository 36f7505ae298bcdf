"""Chain checks the way SGP.22 peers do them (SGP.26).

Walk AKI → SKI to the CI and verify each signature with the issuer's key, plus the id-rspRole
policy of every certificate. osmo-smdpp checks neither expiry nor CRLs; pass ``at`` to check
validity periods too. The WebPKI verifier of ``cryptography`` is deliberately not used: RSP
certificates do not follow the WebPKI profile.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from esim.pki.errors import ChainError
from esim.pki.profiles import Role, authority_key_identifier, roles_of, subject_key_identifier

_SPEC = "SGP.22 §4.5.2 (certificate chains)"


def _describe(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string() or "(empty subject)"


def require_role(certificate: x509.Certificate, role: Role) -> None:
    """Raise :class:`ChainError` unless ``certificate`` carries the id-rspRole ``role`` policy."""
    if role not in roles_of(certificate):
        raise ChainError(
            f"chain.{role.name.lower().replace('_', '-')}-role-missing",
            f"{_describe(certificate)} lacks the {role.name} policy {role.value}",
            _SPEC,
        )


def verify_issued_by(
    certificate: x509.Certificate, issuer: x509.Certificate, at: datetime | None = None
) -> None:
    """Check one link: AKI = issuer SKI, issuer name, signature, and optionally validity."""
    aki = authority_key_identifier(certificate)
    ski = subject_key_identifier(issuer)
    if aki is not None and ski is not None and aki != ski:
        raise ChainError(
            "chain.key-identifier-mismatch",
            f"{_describe(certificate)} names issuer key {aki.hex()}, "
            f"but {_describe(issuer)} has key {ski.hex()}",
            _SPEC,
        )
    try:
        certificate.verify_directly_issued_by(issuer)
    except ValueError as error:
        raise ChainError(
            "chain.issuer-mismatch", f"{_describe(certificate)}: {error}", _SPEC
        ) from None
    except InvalidSignature:
        raise ChainError(
            "chain.bad-signature",
            f"the signature of {_describe(certificate)} does not verify with "
            f"the key of {_describe(issuer)}",
            _SPEC,
        ) from None
    except TypeError as error:
        raise ChainError("chain.unsupported-key", f"{_describe(issuer)}: {error}", _SPEC) from None
    if at is not None and not (
        certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc
    ):
        raise ChainError(
            "chain.expired",
            f"{_describe(certificate)} is valid from {certificate.not_valid_before_utc} "
            f"to {certificate.not_valid_after_utc}, not at {at}",
            _SPEC,
        )


def verify_euicc_chain(
    euicc: x509.Certificate,
    eum: x509.Certificate,
    ci: x509.Certificate,
    at: datetime | None = None,
) -> None:
    """CI → EUM → eUICC, with the eUICC, EUM and CI roles (SM-DP+ side, §3.5 step 4)."""
    require_role(ci, Role.CI)
    require_role(eum, Role.EUM)
    require_role(euicc, Role.EUICC)
    verify_issued_by(eum, ci, at)
    verify_issued_by(euicc, eum, at)


def verify_dp_chain(
    certificate: x509.Certificate,
    ci: x509.Certificate,
    role: Role,
    at: datetime | None = None,
) -> None:
    """CI → CERT.DPauth / DPpb / DPtls, with ``role`` (eUICC side, §3.5 steps 3 and 6)."""
    if role not in (Role.DP_AUTH, Role.DP_PB, Role.DP_TLS):
        raise ChainError("chain.not-a-dp-role", f"{role.name} is not an SM-DP+ role", _SPEC)
    require_role(ci, Role.CI)
    require_role(certificate, role)
    verify_issued_by(certificate, ci, at)


def find_issuing_ci(
    certificate: x509.Certificate, candidates: list[x509.Certificate]
) -> x509.Certificate | None:
    """The CI among ``candidates`` whose SKI equals the certificate's AKI, or None."""
    aki = authority_key_identifier(certificate)
    for candidate in candidates:
        if aki is not None and subject_key_identifier(candidate) == aki:
            return candidate
    return None
