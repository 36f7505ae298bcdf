"""esim.pki: generated test PKI profiles, save/load, caching and chain checks (SGP.26)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from esim.crypto import Curve, sign_raw, verify_raw
from esim.pki import (
    DEFAULT_SMDP_OID,
    CertificateSet,
    CertificateSetError,
    ChainError,
    Role,
    TestPki,
    authority_key_identifier,
    dns_names,
    eid_of,
    find_issuing_ci,
    load_certificate_set,
    roles_of,
    smdp_oid_of,
    subject_key_identifier,
    verify_dp_chain,
    verify_euicc_chain,
)

EID = "89049032123451234512345678901235"
HOSTS = ["testsmdpplus1.example.com", "localhost"]


@pytest.fixture(scope="session")
def pki() -> CertificateSet:
    return TestPki.generate(EID, HOSTS)


@pytest.fixture(scope="session")
def other_pki() -> CertificateSet:
    return TestPki.generate("89049044900000000000000000102355", ["other.example"], "2.999.12")


def _cert(credential: object) -> x509.Certificate:
    assert credential is not None
    certificate = credential.certificate  # type: ignore[attr-defined]
    assert isinstance(certificate, x509.Certificate)
    return certificate


def test_profiles_follow_section_3_2(pki: CertificateSet) -> None:
    ci, eum, euicc = _cert(pki.ci), _cert(pki.eum), _cert(pki.euicc)
    dp_auth, dp_pb, dp_tls = _cert(pki.dp_auth), _cert(pki.dp_pb), _cert(pki.dp_tls)
    assert roles_of(ci) == {Role.CI}
    assert roles_of(eum) == {Role.EUM}
    assert roles_of(euicc) == {Role.EUICC}
    assert roles_of(dp_auth) == {Role.DP_AUTH}
    assert roles_of(dp_pb) == {Role.DP_PB}
    assert roles_of(dp_tls) == {Role.DP_TLS}
    assert eid_of(euicc) == EID == pki.eid
    assert smdp_oid_of(dp_auth) == smdp_oid_of(dp_pb) == DEFAULT_SMDP_OID == pki.smdp_oid
    assert dns_names(dp_tls) == HOSTS == pki.smdp_hosts
    assert len(pki.ci_pkid) == 20
    assert authority_key_identifier(dp_auth) == pki.ci_pkid
    assert authority_key_identifier(euicc) == subject_key_identifier(eum)
    ci_usage = ci.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ci_usage.key_cert_sign
    assert ci_usage.crl_sign
    assert dp_auth.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    policies = dp_auth.extensions.get_extension_for_class(x509.CertificatePolicies)
    assert policies.critical
    eku = dp_tls.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in eku
    assert isinstance(pki.ci.private_key, ec.EllipticCurvePrivateKey)
    assert euicc.not_valid_after_utc.year == 9999


def test_chains_verify(pki: CertificateSet) -> None:
    now = datetime.datetime.now(datetime.UTC)
    verify_euicc_chain(_cert(pki.euicc), _cert(pki.eum), _cert(pki.ci), at=now)
    for credential, role in ((pki.dp_auth, Role.DP_AUTH), (pki.dp_pb, Role.DP_PB)):
        verify_dp_chain(_cert(credential), _cert(pki.ci), role, at=now)
    verify_dp_chain(_cert(pki.dp_tls), _cert(pki.ci), Role.DP_TLS)
    assert find_issuing_ci(_cert(pki.dp_auth), [_cert(pki.ci)]) == _cert(pki.ci)


def test_foreign_ci_is_a_typed_chain_error(pki: CertificateSet, other_pki: CertificateSet) -> None:
    with pytest.raises(ChainError) as caught:
        verify_dp_chain(_cert(pki.dp_auth), _cert(other_pki.ci), Role.DP_AUTH)
    assert caught.value.rule == "chain.key-identifier-mismatch"
    with pytest.raises(ChainError):
        verify_euicc_chain(_cert(pki.euicc), _cert(other_pki.eum), _cert(pki.ci))
    assert find_issuing_ci(_cert(pki.dp_auth), [_cert(other_pki.ci)]) is None


def test_wrong_role_is_rejected(pki: CertificateSet) -> None:
    with pytest.raises(ChainError) as caught:
        verify_dp_chain(_cert(pki.dp_pb), _cert(pki.ci), Role.DP_AUTH)
    assert caught.value.rule == "chain.dp-auth-role-missing"
    with pytest.raises(ChainError):
        verify_euicc_chain(_cert(pki.dp_auth), _cert(pki.eum), _cert(pki.ci))


def test_expiry_is_checked_only_when_asked(pki: CertificateSet) -> None:
    far_future = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    verify_dp_chain(_cert(pki.dp_auth), _cert(pki.ci), Role.DP_AUTH)
    with pytest.raises(ChainError) as caught:
        verify_dp_chain(_cert(pki.dp_auth), _cert(pki.ci), Role.DP_AUTH, at=far_future)
    assert caught.value.rule == "chain.expired"


def test_keys_sign_what_the_certificates_verify(pki: CertificateSet) -> None:
    assert pki.dp_auth is not None
    assert pki.dp_auth.private_key is not None
    signature = sign_raw(pki.dp_auth.private_key, b"serverSigned1")
    public_key = _cert(pki.dp_auth).public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    verify_raw(public_key, b"serverSigned1", signature)


def test_save_and_load_round_trip(pki: CertificateSet, tmp_path: Path) -> None:
    pki.save(tmp_path)
    assert (tmp_path / "CertificateIssuer" / "CERT_CI_ECDSA_NIST.der").is_file()
    assert (tmp_path / "DPauth" / "SK_S_SM_DPauth_ECDSA_NIST.pem").is_file()
    assert (tmp_path / "DPtls" / "CERT_S_SM_DP_TLS_NIST.der").is_file()
    loaded = load_certificate_set(tmp_path)
    assert loaded.ci.der == pki.ci.der
    assert loaded.euicc is not None
    assert loaded.euicc.private_key is not None
    assert loaded.eid == EID
    assert loaded.smdp_oid == DEFAULT_SMDP_OID


def test_load_accepts_flat_pem_and_sgp26_key_files(pki: CertificateSet, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "CERT_CI_ECDSA_NIST.pem").write_bytes(
        _cert(pki.ci).public_bytes(serialization.Encoding.PEM)
    )
    assert pki.dp_pb is not None
    assert pki.dp_pb.private_key is not None
    (tmp_path / "CERT_S_SM_DPpb_ECDSA_NIST.der").write_bytes(pki.dp_pb.der)
    traditional = pki.dp_pb.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    # SGP.26 key files start with an EC PARAMETERS block.
    parameters = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    (tmp_path / "SK_S_SM_DPpb_ECDSA_NIST.pem").write_bytes(parameters + traditional)
    loaded = load_certificate_set(tmp_path)
    assert loaded.ci.private_key is None
    assert loaded.dp_pb is not None
    assert loaded.dp_pb.private_key is not None
    assert loaded.eum is None


def test_load_errors_are_typed(tmp_path: Path) -> None:
    with pytest.raises(CertificateSetError) as caught:
        load_certificate_set(tmp_path)
    assert caught.value.rule == "pki.ci-missing"
    (tmp_path / "CERT_CI_ECDSA_NIST.der").write_bytes(b"not a certificate")
    with pytest.raises(CertificateSetError):
        load_certificate_set(tmp_path)


def test_load_or_generate_caches(tmp_path: Path) -> None:
    first = TestPki.load_or_generate(tmp_path, EID, ["a.example"])
    again = TestPki.load_or_generate(tmp_path, EID, ["a.example"])
    assert again.ci.der == first.ci.der
    changed = TestPki.load_or_generate(tmp_path, EID, ["b.example"])
    assert changed.ci.der != first.ci.der


def test_generate_validates_inputs() -> None:
    with pytest.raises(CertificateSetError):
        TestPki.generate("1234", HOSTS)
    with pytest.raises(CertificateSetError):
        TestPki.generate(EID, [])


def test_brainpool_set() -> None:
    brainpool = TestPki.generate(EID, HOSTS, curve=Curve.BRAINPOOL_P256R1)
    verify_euicc_chain(_cert(brainpool.euicc), _cert(brainpool.eum), _cert(brainpool.ci))
    assert isinstance(_cert(brainpool.ci).public_key(), ec.EllipticCurvePublicKey)
