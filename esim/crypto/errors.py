"""Typed errors of the crypto layer: rule name, a message a person understands, spec reference."""

from __future__ import annotations

from enum import Enum


class CryptoError(Exception):
    """Base of every error raised by :mod:`esim.crypto`."""

    def __init__(self, rule: str, message: str, spec: str) -> None:
        super().__init__(f"{rule}: {message} ({spec})")
        self.rule = rule
        self.message = message
        self.spec = spec


class SignatureError(CryptoError):
    """A signature is malformed or does not verify over the given bytes."""


class KeyAgreementError(CryptoError):
    """A one-time public key cannot be used for ECKA (wrong size, not on the curve, wrong curve)."""


class BspFailure(Enum):
    """Which ProfileInstallationResult errorReason a BSP failure maps to (SGP.22 §5.7.6)."""

    STRUCTURE = 7  # scp03tStructureError
    SECURITY = 8  # scp03tSecurityError


class BspError(CryptoError):
    """A BSP (SCP03t) segment is malformed or fails its MAC check."""

    def __init__(self, rule: str, message: str, spec: str, failure: BspFailure) -> None:
        super().__init__(rule, message, spec)
        self.failure = failure
