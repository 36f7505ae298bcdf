"""Received X.509 certificates, parsed completely before any check reads them.

``cryptography`` parses a certificate lazily: loading succeeds and the key, the signature
algorithm or an extension fails later, with ``ValueError`` or ``UnsupportedAlgorithm``, in
whichever check happens to read it first. :func:`load_received_certificate` reads every part a
peer's check uses up front, so a damaged certificate is one typed refusal at the edge that
names the broken part, never an exception in the middle of a chain check.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec

from esim.asn1.errors import Asn1DecodeError

_SPEC_X509 = "RFC 5280 §4.1, §4.2 (certificate fields and extensions)"


class ReceivedCertificateError(Asn1DecodeError):
    """A received certificate cannot be used; ``part`` says which part is broken."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(f"certificate.{part}", message, _SPEC_X509)
        self.part = part

    @property
    def unsupported_curve(self) -> bool:
        """The key is EC on a curve this implementation does not know (SGP.22 unsupportedCurve)."""
        return self.part == "unsupported-curve"


def load_received_certificate(der: Any) -> x509.Certificate:
    """The certificate in ``der`` with its key, signature algorithm and extensions all parsed."""
    try:
        certificate = x509.load_der_x509_certificate(bytes(der))
    except Exception as error:  # ValueError for bad DER, TypeError for a non-bytes value
        raise ReceivedCertificateError(
            "malformed", f"not a DER X.509 certificate: {_short(error)}"
        ) from None
    try:
        key = certificate.public_key()
    except UnsupportedAlgorithm as error:
        part = "unsupported-curve" if "Curve" in str(error) else "unsupported-key-algorithm"
        raise ReceivedCertificateError(part, f"the public key: {_short(error)}") from None
    except Exception as error:  # ValueError, TypeError, ...: corrupted points and parameters
        raise ReceivedCertificateError(
            "invalid-public-key", f"the public key does not decode: {_short(error)}"
        ) from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ReceivedCertificateError(
            "unsupported-key-algorithm", f"the key is {type(key).__name__}, not an EC key"
        )
    try:
        certificate.signature_hash_algorithm  # noqa: B018 - parsing it is the check
    except Exception as error:  # UnsupportedAlgorithm, ValueError, ...
        raise ReceivedCertificateError(
            "unsupported-signature-algorithm", f"the signature algorithm: {_short(error)}"
        ) from None
    try:
        for extension in certificate.extensions:
            extension.value  # noqa: B018 - parsing it is the check
        certificate.subject.rfc4514_string()
        certificate.issuer.rfc4514_string()
    except Exception as error:
        # Hostile names and extensions surface as ValueError, TypeError, KeyError (an unknown
        # string type), DuplicateExtension, or a UserWarning turned into an error.
        raise ReceivedCertificateError(
            "malformed-extension", f"an extension or name does not decode: {_short(error)}"
        ) from None
    return certificate


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."
