"""The local test CAs (hosted portals, the sample operator's APIs): one builder, real chains."""

from __future__ import annotations

import datetime as dt
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from simulator.local_ca import (
    LocalCa,
    load_chain,
    name,
    pem_private_key,
    read_valid_set,
    write_set,
)
from simulator.operator_api.tls import SERVICE_CLIENT_CN, OperatorTls
from simulator.portal.tls import PortalTls

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _verified_by(leaf_pem: bytes, ca_pem: bytes) -> x509.Certificate:
    ca = x509.load_pem_x509_certificate(ca_pem)
    leaf = x509.load_pem_x509_certificate(leaf_pem)
    leaf.verify_directly_issued_by(ca)
    return leaf


def test_a_leaf_is_issued_for_one_usage_by_a_ca_that_signs_leaves_only() -> None:
    ca = LocalCa.create(name("Test CA", "Test org"), NOW)
    constraints = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert (constraints.value.ca, constraints.value.path_length) == (True, 0)
    assert ca.certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    leaf_pem, key_pem = ca.issue(
        name("host.example"), ExtendedKeyUsageOID.SERVER_AUTH, NOW, [x509.DNSName("host.example")]
    )
    leaf = _verified_by(leaf_pem, ca.pem)
    assert leaf.subject.rfc4514_string() == "CN=host.example"
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert leaf.not_valid_before_utc < NOW < leaf.not_valid_after_utc
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    client_pem, _ = ca.issue(name("client", "Test org"), ExtendedKeyUsageOID.CLIENT_AUTH, NOW)
    client = _verified_by(client_pem, ca.pem)
    with pytest.raises(x509.ExtensionNotFound):  # no names asked for: no empty extension
        client.extensions.get_extension_for_class(x509.SubjectAlternativeName)


def test_a_set_is_reused_while_valid_and_made_again_when_damaged_or_expiring(
    tmp_path: Path,
) -> None:
    files = [tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"]
    assert read_valid_set(files, files[1], NOW) is None  # nothing there yet
    ca = LocalCa.create(name("Test CA"), NOW)
    leaf, key = ca.issue(name("leaf"), ExtendedKeyUsageOID.SERVER_AUTH, NOW)
    write_set(files, [ca.pem, leaf, key])
    assert read_valid_set(files, files[1], NOW) == [ca.pem, leaf, key]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(tmp_path.iterdir()) == set(files)  # no temporary file left
    nearly_expired = NOW + dt.timedelta(days=397 - 7)
    assert read_valid_set(files, files[1], nearly_expired) is None
    files[1].write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")
    assert read_valid_set(files, files[1], NOW) is None
    files[1].write_bytes(leaf)
    files[2].unlink()
    assert read_valid_set(files, files[1], NOW) is None


def test_load_chain_leaves_no_key_behind(tmp_path: Path) -> None:
    ca = LocalCa.create(name("Test CA"), NOW)
    leaf, key = ca.issue(name("leaf"), ExtendedKeyUsageOID.SERVER_AUTH, NOW)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    load_chain(context, key, leaf + ca.pem, tmp_path / "scratch")
    assert list((tmp_path / "scratch").iterdir()) == []
    other = pem_private_key(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ssl.SSLError):  # a key that is not the leaf's is refused, not ignored
        load_chain(context, other, leaf, tmp_path / "scratch")
    assert list((tmp_path / "scratch").iterdir()) == []


def test_the_portal_and_operator_sets_are_built_by_the_shared_ca(tmp_path: Path) -> None:
    portal = PortalTls.load_or_create(tmp_path / "portal", NOW)
    leaf = _verified_by(portal.leaf_pem, portal.ca_pem)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["mobileplans.test", "*.mobileplans.test"]
    assert PortalTls.load_or_create(tmp_path / "portal", NOW) == portal

    operator = OperatorTls.load_or_create(tmp_path / "operator", NOW)
    server = _verified_by(operator.server_pem, operator.ca_pem)
    client = _verified_by(operator.client_pem, operator.ca_pem)
    assert client.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == (
        SERVICE_CLIENT_CN
    )
    assert "Mobile Plans Simulator (test only)" in client.issuer.rfc4514_string()
    server_names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert server_names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert OperatorTls.load_or_create(tmp_path / "operator", NOW) == operator
    (tmp_path / "operator" / "server.pem").write_text("damaged")
    assert OperatorTls.load_or_create(tmp_path / "operator", NOW).server_pem != operator.server_pem
    operator.server_context()  # key and chain load; nothing is left in the directory for it
    assert sorted(p.name for p in (tmp_path / "operator").iterdir()) == sorted(
        ["ca.pem", "server.pem", "server.key", "client.pem", "client.key"]
    )


def test_the_portal_fronts_context_is_the_default_servers_without_the_system_cas(
    tmp_path: Path,
) -> None:
    context = PortalTls.generate(dt.datetime.now(dt.UTC)).server_context(tmp_path)
    default = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    assert context.options == default.options
    assert context.minimum_version == default.minimum_version
    assert context.verify_mode == default.verify_mode == ssl.CERT_NONE
    assert context.get_ciphers() == default.get_ciphers()
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing loaded that would verify nobody
