"""The SM-DP+'s checks of what an eUICC signed and sent (SGP.22 §3.1.3 steps 4 and 7).

Each check raises :class:`Es9Error` with the §2.4 code osmo-smdpp (or lpac's table) uses.
Signatures are verified over the exact received bytes (§0.2).
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from esim.asn1.certificate_check import ReceivedCertificateError, load_received_certificate
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.messages import Message
from esim.crypto import CryptoError, verify_raw
from esim.identifiers import Eid, IdentifierError
from esim.pki import PkiError, Role, authority_key_identifier, eid_of, require_role
from esim.pki.verify import verify_issued_by
from esim.smdp import status
from esim.smdp.status import Es9Error, StatusCode

_SPEC_AUTH = "SGP.22 §5.6.3"
_SPEC_DER = "SGP.22 RSPDefinitions (DER payloads)"
_CACHED_CERTIFICATES = 512


def decode(message: Message, data: bytes, field: str) -> Any:
    """Decode a received ASN.1 payload; malformed DER is 1.6/2.1."""
    try:
        return message.decode(data)
    except Asn1DecodeError as error:
        raise Es9Error(
            status.INVALID_PARAMETER,
            f"der.{field}",
            f"{field} is not a valid {message.type_name}: {error.message}",
            _SPEC_DER,
        ) from None


def certificate(der: Any, code: StatusCode, what: str) -> x509.Certificate:
    """Parse a certificate received as ASN.1 ANY (asn1tools gives a bytearray), every part."""
    try:
        return load_received_certificate(der)
    except ReceivedCertificateError as error:
        raise Es9Error(
            code, f"certificate.{what}.{error.part}", f"{what}: {error.message}", error.spec
        ) from None


@functools.lru_cache(maxsize=_CACHED_CERTIFICATES)
def _parsed(der: bytes) -> x509.Certificate:
    return load_received_certificate(der)


def parsed_certificate(der: bytes) -> x509.Certificate:
    """A certificate this SM-DP+ already checked (e.g. kept with a session), parsed once."""
    return _parsed(der)


def received_certificate(der: Any, code: StatusCode, what: str) -> x509.Certificate:
    """:func:`certificate`, parsed once per distinct DER (a failure is re-checked each time).

    An eUICC sends the same CERT.EUICC and CERT.EUM on every download and notification; a
    parsed certificate is immutable, so the SM-DP+ keeps the last few hundred.
    """
    try:
        return _parsed(bytes(der))
    except ReceivedCertificateError as error:
        raise Es9Error(
            code, f"certificate.{what}.{error.part}", f"{what}: {error.message}", error.spec
        ) from None
    except TypeError:
        return certificate(der, code, what)


@functools.lru_cache(maxsize=_CACHED_CERTIFICATES)
def _verified_chain(
    euicc_der: bytes, eum_der: bytes, ci: x509.Certificate, ci_pkid: bytes
) -> tuple[x509.Certificate, str]:
    euicc = received_certificate(euicc_der, status.EUICC_CERTIFICATE_INVALID, "euicc")
    eum = received_certificate(eum_der, status.EUM_CERTIFICATE_INVALID, "eum")
    return euicc, euicc_chain(euicc, eum, ci, ci_pkid)


def verified_euicc(
    value: dict[str, Any], ci: x509.Certificate, ci_pkid: bytes
) -> tuple[x509.Certificate, str]:
    """CERT.EUICC and its EID after :func:`euicc_certificates` and :func:`euicc_chain`.

    The checks read nothing but the three certificates (no clock: validity periods are not
    checked, as osmo-smdpp does not), so a chain that passed once passes again: it is
    remembered by its DER; a refused chain is checked again on every request.
    """
    try:
        euicc_der, eum_der = bytes(value["euiccCertificate"]), bytes(value["eumCertificate"])
    except TypeError:
        euicc, eum = euicc_certificates(value)
        return euicc, euicc_chain(euicc, eum, ci, ci_pkid)
    return _verified_chain(euicc_der, eum_der, ci, ci_pkid)


def euicc_certificates(value: dict[str, Any]) -> tuple[x509.Certificate, x509.Certificate]:
    """CERT.EUICC and CERT.EUM of an AuthenticateServerResponse or OtherSignedNotification."""
    return (
        received_certificate(value["euiccCertificate"], status.EUICC_CERTIFICATE_INVALID, "euicc"),
        received_certificate(value["eumCertificate"], status.EUM_CERTIFICATE_INVALID, "eum"),
    )


def public_key(cert: x509.Certificate, code: StatusCode, what: str) -> ec.EllipticCurvePublicKey:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise Es9Error(code, f"certificate.{what}.key", f"{what} does not hold an EC key")
    return key


def signature(key: ec.EllipticCurvePublicKey, data: bytes, raw_signature: bytes, what: str) -> None:
    """Verify an eUICC signature; failure is 8.1/6.1."""
    try:
        verify_raw(key, data, raw_signature)
    except CryptoError as error:
        raise Es9Error(
            status.EUICC_SIGNATURE_INVALID,
            f"signature.{what}",
            f"{what} does not verify with the eUICC's key: {error.message}",
            _SPEC_AUTH,
        ) from None


def euicc_chain(
    euicc: x509.Certificate, eum: x509.Certificate, ci: x509.Certificate, ci_pkid: bytes
) -> str:
    """CI → EUM → eUICC and the EID range; returns the EID (§3.5 step 4.2-4.5)."""
    if authority_key_identifier(eum) != ci_pkid:
        raise Es9Error(
            status.UNKNOWN_CI_KEY,
            "chain.eum-not-from-chosen-ci",
            "the EUM certificate was not issued by the CI chosen in initiateAuthentication",
            _SPEC_AUTH,
        )
    try:
        require_role(eum, Role.EUM)
        verify_issued_by(eum, ci)
    except PkiError as error:
        raise Es9Error(
            status.EUM_CERTIFICATE_INVALID, error.rule, error.message, error.spec
        ) from None
    try:
        require_role(euicc, Role.EUICC)
        verify_issued_by(euicc, eum)
    except PkiError as error:
        raise Es9Error(
            status.EUICC_CERTIFICATE_INVALID, error.rule, error.message, error.spec
        ) from None
    try:
        eid = Eid.parse(eid_of(euicc) or "").digits
    except IdentifierError as error:
        raise Es9Error(
            status.EUICC_CERTIFICATE_INVALID,
            "certificate.euicc.eid",
            f"the eUICC certificate's serialNumber is not an EID: {error}",
            _SPEC_AUTH,
        ) from None
    permitted = permitted_eid_prefixes(eum)
    if permitted and not any(eid.startswith(prefix) for prefix in permitted):
        raise Es9Error(
            status.EID_OUTSIDE_EUM_RANGE,
            "chain.eid-outside-eum-range",
            f"EID {eid} is outside the EUM's permitted prefixes {', '.join(permitted)} "
            "(osmo-smdpp's check)",
            _SPEC_AUTH,
        )
    return eid


def permitted_eid_prefixes(eum: x509.Certificate) -> list[str]:
    """SGP.26 variant O: serialNumber entries of permitted DirectoryName constraints (§3.2)."""
    try:
        constraints = eum.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return []
    prefixes: list[str] = []
    for subtree in constraints.permitted_subtrees or []:
        if isinstance(subtree, x509.DirectoryName):
            for attribute in subtree.value.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
                value = attribute.value
                prefixes.append(value if isinstance(value, str) else value.decode("ascii"))
    return prefixes
