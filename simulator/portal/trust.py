"""Trusting a user's own local CA for one portal (``check --ca FILE``). Pure: no Qt.

The web view trusts nothing by default but the simulator's own leaf for its own host names.
A team checking a staging server signed by its private CA passes that CA's certificate; the
chain the server presented is then verified against it with the web-PKI rules (name, validity,
key usage) by ``cryptography``'s verifier, never by skipping the check.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError


class TrustFileError(ValueError):
    """A `--ca` file that cannot be used, with what is wrong in words."""


@dataclass(frozen=True)
class LocalCaTrust:
    """One or more CA certificates a user chose to trust for the portal's TLS."""

    authorities: tuple[x509.Certificate, ...]
    source: str

    @classmethod
    def load(cls, path: Path) -> LocalCaTrust:
        """The certificates of a PEM (one or more) or DER file, or :class:`TrustFileError`."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise TrustFileError(f"cannot read the CA file {path}: {error.strerror}") from None
        if len(data) > 1_000_000:
            raise TrustFileError(f"{path} is {len(data)} bytes; a CA file is at most 1 MB")
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                authorities = tuple(x509.load_pem_x509_certificates(data))
            else:
                authorities = (x509.load_der_x509_certificate(data),)
        except ValueError as error:
            raise TrustFileError(
                f"{path} holds no readable X.509 certificate (PEM or DER): {error}"
            ) from None
        return cls(authorities=authorities, source=str(path))

    def refusal(self, host: str, chain_der: Sequence[bytes], now: dt.datetime) -> str:
        """Why the chain `host` presented is not trusted through these CAs ('' when it is)."""
        if not chain_der:
            return "the server presented no certificate"
        try:
            leaf = x509.load_der_x509_certificate(chain_der[0])
            intermediates = [x509.load_der_x509_certificate(d) for d in chain_der[1:]]
        except ValueError as error:
            return f"the server's certificate is not readable: {error}"
        try:
            subject: x509.DNSName | x509.IPAddress = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            subject = x509.DNSName(host)
        verifier = (
            PolicyBuilder()
            .store(Store(list(self.authorities)))
            .time(now)
            .build_server_verifier(subject)
        )
        try:
            verifier.verify(leaf, intermediates)
        except VerificationError as error:
            return f"not trusted through {self.source}: {error}"
        return ""
