"""A test PKI for SGP.22 remote SIM provisioning, and chain checks (SGP.22 §2.6).

* :mod:`.certificate_set`: CI (root), EUM, eUICC (EID in the subject serialNumber), DPauth and
  DPpb (SM-DP+ OID as SAN registeredID), DPtls (serverAuth, SAN = host names), generated with
  ``cryptography`` on NIST P-256 or brainpoolP256r1 following the SGP.26 profiles; saved and
  loaded in the SGP.26 / pySim file layout so the GSMA test certificates plug in.
* :mod:`.profiles`: id-rspRole policy OIDs and accessors (CI PKID, EID, SM-DP+ OID).
* :mod:`.verify`: AKI → SKI chain checks with role policies, as SGP.22 peers do them.

All failures are :class:`PkiError` subclasses with ``rule``, ``message`` and ``spec``.
"""

from esim.pki.certificate_set import (
    CertificateSet,
    Credential,
    TestPki,
    load_certificate_set,
)
from esim.pki.errors import CertificateSetError, ChainError, PkiError
from esim.pki.profiles import (
    DEFAULT_SMDP_OID,
    Role,
    authority_key_identifier,
    dns_names,
    eid_of,
    registered_ids,
    roles_of,
    smdp_oid_of,
    subject_key_identifier,
)
from esim.pki.verify import (
    find_issuing_ci,
    require_role,
    verify_dp_chain,
    verify_euicc_chain,
    verify_issued_by,
)

__all__ = [
    "DEFAULT_SMDP_OID",
    "CertificateSet",
    "CertificateSetError",
    "ChainError",
    "Credential",
    "PkiError",
    "Role",
    "TestPki",
    "authority_key_identifier",
    "dns_names",
    "eid_of",
    "find_issuing_ci",
    "load_certificate_set",
    "registered_ids",
    "require_role",
    "roles_of",
    "smdp_oid_of",
    "subject_key_identifier",
    "verify_dp_chain",
    "verify_euicc_chain",
    "verify_issued_by",
]
