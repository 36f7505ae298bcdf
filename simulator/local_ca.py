"""Local test certificate authorities: a CA, leaves it issues, and their PEM files on disk.

The simulator makes its own CAs for what it serves over HTTPS (the hosted portals, the sample
operator's service APIs). Nothing here is trusted system-wide: each caller decides which of
its own names the CA may vouch for. Pure (no Qt).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# The files' side lives apart, so reading a kept set at start-up needs no `cryptography`.
from simulator.portal.certificate_files import (
    RENEW_BEFORE,
    load_chain,
    read_valid_set,
    write_set,
)

__all__ = [
    "CA_DAYS",
    "LEAF_DAYS",
    "RENEW_BEFORE",
    "LocalCa",
    "load_chain",
    "name",
    "pem_certificate",
    "pem_private_key",
    "read_valid_set",
    "write_set",
]

CA_DAYS = 825
LEAF_DAYS = 397  # the longest a publicly trusted TLS leaf may live (CA/Browser Forum)
_BACKDATE = dt.timedelta(hours=1)  # a peer whose clock is a little behind still accepts it


def name(common_name: str, organization: str | None = None) -> x509.Name:
    """A subject or issuer name: the organization first when there is one."""
    attributes = (
        []
        if organization is None
        else [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)]
    )
    return x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def pem_private_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_certificate(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class LocalCa:
    """A self-signed CA (P-256, SHA-256) that may sign leaves only (path length 0)."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(cls, subject: x509.Name, now: dt.datetime) -> LocalCa:
        key = ec.generate_private_key(ec.SECP256R1())
        usage = x509.KeyUsage(
            digital_signature=False,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=True,
            crl_sign=True,
            encipher_only=False,
            decipher_only=False,
        )
        certificate = _certificate(
            subject,
            subject,
            key.public_key(),
            key,
            now,
            CA_DAYS,
            [(x509.BasicConstraints(ca=True, path_length=0), True), (usage, True)],
        )
        return cls(certificate, key)

    @property
    def pem(self) -> bytes:
        return pem_certificate(self.certificate)

    def issue(
        self,
        subject: x509.Name,
        usage: x509.ObjectIdentifier,
        now: dt.datetime,
        alternative_names: Sequence[x509.GeneralName] = (),
    ) -> tuple[bytes, bytes]:
        """A leaf for one extended key usage (server or client auth): (certificate, key) PEM."""
        key = ec.generate_private_key(ec.SECP256R1())
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (x509.ExtendedKeyUsage([usage]), False),
            (x509.BasicConstraints(ca=False, path_length=None), True),
        ]
        if alternative_names:
            extensions.append((x509.SubjectAlternativeName(list(alternative_names)), False))
        certificate = _certificate(
            subject,
            self.certificate.subject,
            key.public_key(),
            self.key,
            now,
            LEAF_DAYS,
            extensions,
        )
        return pem_certificate(certificate), pem_private_key(key)


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    signing_key: ec.EllipticCurvePrivateKey,
    now: dt.datetime,
    days: int,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())
