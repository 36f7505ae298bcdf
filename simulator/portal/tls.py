"""The simulator's own local certificate authority for the portals it hosts over HTTPS.

Portals are served at port-less host names under `.mobileplans.test` (RFC 2606 reserves
`.test`, so no real host is ever shadowed). The web view trusts this CA's leaf for those
host names only (see `simulator.bridge.page`), never system-wide.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

from simulator.portal.certificate_files import (
    certificate_der,
    load_chain,
    read_valid_set,
    write_set,
)

HOSTED_DOMAIN = "mobileplans.test"
_CA_FILE = "portal-ca.pem"
_LEAF_FILE = "portal-leaf.pem"
_KEY_FILE = "portal-leaf.key"


@dataclass(frozen=True)
class PortalTls:
    """A CA certificate, a leaf for `*.mobileplans.test`, and the leaf's key, as PEM bytes."""

    ca_pem: bytes
    leaf_pem: bytes
    leaf_key_pem: bytes

    @property
    def leaf_der(self) -> bytes:
        return certificate_der(self.leaf_pem)

    def server_context(self, directory: Path) -> ssl.SSLContext:
        # create_default_context's settings without its system CA store: the front asks for no
        # client certificate, so those CAs would verify nothing, and loading them costs about
        # 20 ms of every start-up.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE
        context.options |= ssl.OP_SINGLE_DH_USE | ssl.OP_SINGLE_ECDH_USE
        load_chain(context, self.leaf_key_pem, self.leaf_pem + self.ca_pem, directory)
        return context

    @classmethod
    def load_or_create(cls, directory: Path, now: dt.datetime | None = None) -> PortalTls:
        """Reuse the set in `directory` while it is valid, else make a new one."""
        directory.mkdir(parents=True, exist_ok=True)
        files = [directory / _CA_FILE, directory / _LEAF_FILE, directory / _KEY_FILE]
        moment = now or dt.datetime.now(dt.UTC)
        if (kept := read_valid_set(files, files[1], moment)) is not None:
            return cls(*kept)
        tls = cls.generate(moment)
        write_set(files, (tls.ca_pem, tls.leaf_pem, tls.leaf_key_pem))
        return tls

    @classmethod
    def generate(cls, now: dt.datetime) -> PortalTls:
        # Only the first run (or a renewal) makes certificates: `cryptography` is imported then.
        from cryptography import x509
        from cryptography.x509.oid import ExtendedKeyUsageOID

        from simulator.local_ca import LocalCa, name

        ca = LocalCa.create(
            name("Mobile Plans Simulator local portal CA", "Mobile Plans Simulator"), now
        )
        leaf_pem, leaf_key_pem = ca.issue(
            name(HOSTED_DOMAIN),
            ExtendedKeyUsageOID.SERVER_AUTH,
            now,
            [x509.DNSName(HOSTED_DOMAIN), x509.DNSName(f"*.{HOSTED_DOMAIN}")],
        )
        return cls(ca_pem=ca.pem, leaf_pem=leaf_pem, leaf_key_pem=leaf_key_pem)


def is_hosted_name(host: str) -> bool:
    """True for the names the simulator serves itself (and so may vouch for)."""
    host = host.lower().rstrip(".")
    return host == HOSTED_DOMAIN or host.endswith("." + HOSTED_DOMAIN)
