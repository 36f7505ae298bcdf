"""The simulator's own local certificate authority for the portals it hosts over HTTPS.

Portals are served at port-less host names under `.mobileplans.test` (RFC 2606 reserves
`.test`, so no real host is ever shadowed). The web view trusts this CA's leaf for those
host names only (see `simulator.bridge.page`), never system-wide.
"""

from __future__ import annotations

import datetime as dt
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOSTED_DOMAIN = "mobileplans.test"
_CA_FILE = "portal-ca.pem"
_LEAF_FILE = "portal-leaf.pem"
_KEY_FILE = "portal-leaf.key"


def _write_atomically(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class PortalTls:
    """A CA certificate, a leaf for `*.mobileplans.test`, and the leaf's key, as PEM bytes."""

    ca_pem: bytes
    leaf_pem: bytes
    leaf_key_pem: bytes

    @property
    def leaf_der(self) -> bytes:
        return x509.load_pem_x509_certificate(self.leaf_pem).public_bytes(
            serialization.Encoding.DER
        )

    def server_context(self, directory: Path) -> ssl.SSLContext:
        # Files of this process only (another `run` or `demo` may start on the same
        # directory at the same moment); ssl reads the chain and key from files, once.
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=directory, prefix=".server-", suffix=".pem")
        pem = Path(name)
        try:
            with os.fdopen(handle, "wb") as stream:  # mkstemp: readable by this user only
                stream.write(self.leaf_key_pem + self.leaf_pem + self.ca_pem)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(pem)
        finally:
            pem.unlink(missing_ok=True)
        return context

    @classmethod
    def load_or_create(cls, directory: Path, now: dt.datetime | None = None) -> PortalTls:
        """Reuse the set in `directory` while it is valid, else make a new one."""
        directory.mkdir(parents=True, exist_ok=True)
        files = [directory / _CA_FILE, directory / _LEAF_FILE, directory / _KEY_FILE]
        moment = now or dt.datetime.now(dt.UTC)
        if all(f.is_file() for f in files):
            tls = cls(*(f.read_bytes() for f in files))
            try:
                leaf = x509.load_pem_x509_certificate(tls.leaf_pem)
            except ValueError:
                leaf = None  # damaged or foreign: the set is ours to make again
            if leaf is not None and leaf.not_valid_after_utc - moment > dt.timedelta(days=7):
                return tls
        tls = cls.generate(moment)
        for f, data in zip(files, (tls.ca_pem, tls.leaf_pem, tls.leaf_key_pem), strict=True):
            _write_atomically(f, data)  # a concurrent start reads the old file or the new one
        return tls

    @classmethod
    def generate(cls, now: dt.datetime) -> PortalTls:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mobile Plans Simulator"),
                x509.NameAttribute(NameOID.COMMON_NAME, "Mobile Plans Simulator local portal CA"),
            ]
        )
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
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTED_DOMAIN)]))
            .issuer_name(ca_name)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=397))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName(HOSTED_DOMAIN), x509.DNSName(f"*.{HOSTED_DOMAIN}")]
                ),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        return cls(
            ca_pem=ca.public_bytes(pem),
            leaf_pem=leaf.public_bytes(pem),
            leaf_key_pem=leaf_key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )


def is_hosted_name(host: str) -> bool:
    """True for the names the simulator serves itself (and so may vouch for)."""
    host = host.lower().rstrip(".")
    return host == HOSTED_DOMAIN or host.endswith("." + HOSTED_DOMAIN)
