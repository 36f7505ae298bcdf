"""Test certificates for the sample operator's service APIs: a local CA, the server's leaf for
127.0.0.1 / localhost, and the client certificate the simulated Mobile Plans service presents
for mutual TLS.

The public page "Mobile Operator account management in Windows 10" has the service
authenticate with MTLS using a certificate Microsoft provides at onboarding. The simulator's
stand-in has the same common name (partners.datamart.windows.com) but is issued by this local
test CA, so nobody can mistake it for Microsoft's. Kept as PEM files in the data directory and
reused while valid.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["SERVICE_CLIENT_CN", "OperatorTls"]

SERVICE_CLIENT_CN = "partners.datamart.windows.com"
_ORGANIZATION = "Mobile Plans Simulator (test only)"
_FILES = ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")


@dataclass(frozen=True)
class OperatorTls:
    ca_pem: bytes
    server_pem: bytes
    server_key_pem: bytes
    client_pem: bytes
    client_key_pem: bytes
    directory: Path

    @property
    def client_certificate(self) -> Path:
        return self.directory / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.directory / "client.key"

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def server_context(self) -> ssl.SSLContext:
        """TLS for the sample server; a client certificate is asked for but checked by the
        handler, so a missing one is answered 403 as documented rather than a failed handshake.
        """
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        chain = self.directory / "server-chain.pem"
        chain.write_bytes(self.server_pem + self.ca_pem)
        context.load_cert_chain(chain, self.directory / "server.key")
        context.load_verify_locations(cadata=self.ca_pem.decode("ascii"))
        context.verify_mode = ssl.CERT_OPTIONAL
        return context

    @classmethod
    def load_or_create(cls, directory: Path, now: dt.datetime | None = None) -> OperatorTls:
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / name for name in _FILES]
        moment = now or dt.datetime.now(dt.UTC)
        if all(p.exists() for p in paths):
            pems = [p.read_bytes() for p in paths]
            server = x509.load_pem_x509_certificate(pems[1])
            if server.not_valid_after_utc - moment > dt.timedelta(days=7):
                return cls._of(pems, directory)
        pems = _generate(moment)
        for path, pem in zip(paths, pems, strict=True):
            path.write_bytes(pem)
            if path.suffix == ".key":
                path.chmod(0o600)
        return cls._of(pems, directory)

    @classmethod
    def _of(cls, pems: list[bytes], directory: Path) -> OperatorTls:
        ca, server, server_key, client, client_key = pems
        return cls(ca, server, server_key, client, client_key, directory)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _generate(now: dt.datetime) -> list[bytes]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Mobile Plans Simulator operator API test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(
        common_name: str, usage: x509.ObjectIdentifier, names: list[x509.GeneralName]
    ) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=397))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        certificate = builder.sign(ca_key, hashes.SHA256())
        return certificate.public_bytes(serialization.Encoding.PEM), _pem_key(key)

    server_pem, server_key = leaf(
        "localhost",
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
    )
    client_pem, client_key = leaf(SERVICE_CLIENT_CN, ExtendedKeyUsageOID.CLIENT_AUTH, [])
    return [
        ca.public_bytes(serialization.Encoding.PEM),
        server_pem,
        server_key,
        client_pem,
        client_key,
    ]
