"""Typed errors of the PKI layer: rule name, a message a person understands, spec reference."""

from __future__ import annotations


class PkiError(Exception):
    """Base of every error raised by :mod:`esim.pki`."""

    def __init__(self, rule: str, message: str, spec: str) -> None:
        super().__init__(f"{rule}: {message} ({spec})")
        self.rule = rule
        self.message = message
        self.spec = spec


class CertificateSetError(PkiError):
    """A certificate set directory is incomplete or holds unreadable files."""


class ChainError(PkiError):
    """A certificate does not chain to the CI, or does not have the role it is used for."""
