"""SGP.22 certificate profiles: role OIDs and read-only accessors (SGP.22 §2.6)."""

from __future__ import annotations

from enum import Enum

from cryptography import x509
from cryptography.x509.oid import NameOID


class Role(Enum):
    """id-rspRole certificate policies, 2.23.146.1.2.1.x (SGP.26)."""

    CI = "2.23.146.1.2.1.0"
    EUICC = "2.23.146.1.2.1.1"
    EUM = "2.23.146.1.2.1.2"
    DP_TLS = "2.23.146.1.2.1.3"
    DP_AUTH = "2.23.146.1.2.1.4"
    DP_PB = "2.23.146.1.2.1.5"

    @property
    def oid(self) -> x509.ObjectIdentifier:
        return x509.ObjectIdentifier(self.value)


EUM_V3_POLICY = "2.23.146.1.2.1.0.0.0"
"""Policy of SGP.26 v3 "new" EUM variants (accepted as EUM by :func:`roles_of`)."""
DEFAULT_SMDP_OID = "2.999.10"
"""The SGP.26 test SM-DP+ OID (SAN registeredID of CERT.DPauth and CERT.DPpb)."""
DEFAULT_CI_OID = "2.999.1"


def roles_of(certificate: x509.Certificate) -> frozenset[Role]:
    """The id-rspRole policies a certificate carries."""
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return frozenset()
    found: set[Role] = set()
    for policy in policies:
        dotted = policy.policy_identifier.dotted_string
        if dotted == EUM_V3_POLICY:
            found.add(Role.EUM)
        for role in Role:
            if dotted == role.value:
                found.add(role)
    return frozenset(found)


def subject_key_identifier(certificate: x509.Certificate) -> bytes | None:
    """The SubjectKeyIdentifier (a CI's SKI is its "CI PKID"), or None."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return extension.value.digest
    except x509.ExtensionNotFound:
        return None


def authority_key_identifier(certificate: x509.Certificate) -> bytes | None:
    """The keyIdentifier of the AuthorityKeyIdentifier, or None."""
    try:
        value = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return None
    return value.key_identifier


def registered_ids(certificate: x509.Certificate) -> list[str]:
    """The registeredID entries of the SubjectAltName (the SM-DP+ OID lives there)."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [oid.dotted_string for oid in san.get_values_for_type(x509.RegisteredID)]


def smdp_oid_of(certificate: x509.Certificate) -> str | None:
    """The SM-DP+ OID of a CERT.DPauth / CERT.DPpb / CERT.DPtls, or None."""
    ids = registered_ids(certificate)
    return ids[0] if ids else None


def eid_of(certificate: x509.Certificate) -> str | None:
    """The EID in the subject serialNumber of a CERT.EUICC (32 digits), or None."""
    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("ascii", "replace")


def dns_names(certificate: x509.Certificate) -> list[str]:
    """The dNSName entries of the SubjectAltName (CERT.DPtls host names)."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return list(san.get_values_for_type(x509.DNSName))
