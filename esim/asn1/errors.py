"""Typed errors of the ASN.1 layer: rule name, a message a person understands, spec reference."""

from __future__ import annotations


class Asn1Error(Exception):
    """Base of every error raised by :mod:`esim.asn1`."""

    def __init__(self, rule: str, message: str, spec: str) -> None:
        super().__init__(f"{rule}: {message} ({spec})")
        self.rule = rule
        self.message = message
        self.spec = spec


class Asn1DecodeError(Asn1Error):
    """Received bytes are not a valid DER encoding of the expected SGP.22 structure."""


class Asn1EncodeError(Asn1Error):
    """A value given to an encoder does not fit the SGP.22 type."""


class Asn1SelfTestError(Asn1Error):
    """The ASN.1 codec failed its start-up self-test (asn1tools issue #194) even after the fix."""
