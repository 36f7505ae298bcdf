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
from cryptography.x509.oid import ExtendedKeyUsageOID

from simulator.local_ca import LocalCa, load_chain, name, read_valid_set, write_set

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
        load_chain(context, self.server_key_pem, self.server_pem + self.ca_pem, self.directory)
        context.load_verify_locations(cadata=self.ca_pem.decode("ascii"))
        context.verify_mode = ssl.CERT_OPTIONAL
        return context

    @classmethod
    def load_or_create(cls, directory: Path, now: dt.datetime | None = None) -> OperatorTls:
        """Reuse the set in `directory` while it is valid, else make a new one."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / file_name for file_name in _FILES]
        moment = now or dt.datetime.now(dt.UTC)
        pems = read_valid_set(paths, paths[1], moment)
        if pems is None:
            pems = _generate(moment)
            write_set(paths, pems)
        ca, server, server_key, client, client_key = pems
        return cls(ca, server, server_key, client, client_key, directory)


def _generate(now: dt.datetime) -> list[bytes]:
    ca = LocalCa.create(name("Mobile Plans Simulator operator API test CA", _ORGANIZATION), now)
    server_pem, server_key = ca.issue(
        name("localhost", _ORGANIZATION),
        ExtendedKeyUsageOID.SERVER_AUTH,
        now,
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
    )
    client_pem, client_key = ca.issue(
        name(SERVICE_CLIENT_CN, _ORGANIZATION), ExtendedKeyUsageOID.CLIENT_AUTH, now
    )
    return [ca.pem, server_pem, server_key, client_pem, client_key]
