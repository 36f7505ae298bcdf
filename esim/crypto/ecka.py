"""One-time ECKA key pairs and the ECDH shared secret of the BPP key agreement.

The eUICC and the SM-DP+ each make a one-time key pair on the curve of CERT.DPpb, exchange the
public keys as uncompressed points ``04 ‖ X ‖ Y`` under tag 5F49, and agree on ShS, the
X coordinate of the ECDH product (SGP.22 §2.6.4 / §3.1.3 "ECKA").
"""

from __future__ import annotations

from enum import Enum

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from esim.crypto.errors import KeyAgreementError

_SPEC = "SGP.22 §2.6.4 (ECKA one-time keys, 5F49)"


class Curve(Enum):
    """The curves SGP.22 v2 mandates (FRP256V1 is optional and supported by no anchor, §3.1)."""

    NIST_P256 = "secp256r1"
    BRAINPOOL_P256R1 = "brainpoolP256r1"

    def ec_curve(self) -> ec.EllipticCurve:
        """The ``cryptography`` curve object."""
        if self is Curve.NIST_P256:
            return ec.SECP256R1()
        return ec.BrainpoolP256R1()

    @classmethod
    def of(cls, curve: ec.EllipticCurve) -> Curve:
        """The :class:`Curve` of a ``cryptography`` curve; raise if SGP.22 does not use it."""
        for member in cls:
            if member.value == curve.name:
                return member
        raise KeyAgreementError(
            "ecka.unsupported-curve",
            f"curve {curve.name} is not one SGP.22 uses (NIST P-256, brainpoolP256r1)",
            _SPEC,
        )


UNCOMPRESSED_POINT_LENGTH = 65


def generate_one_time_key(curve: Curve = Curve.NIST_P256) -> ec.EllipticCurvePrivateKey:
    """A fresh one-time key pair (otSK/otPK) on ``curve``."""
    return ec.generate_private_key(curve.ec_curve())


def encode_public_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The public key as sent under 5F49: an uncompressed point, 65 bytes on 256-bit curves."""
    return public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def decode_public_key(point: bytes, curve: Curve) -> ec.EllipticCurvePublicKey:
    """Parse a received uncompressed point; raise :class:`KeyAgreementError` if unusable."""
    if len(point) != UNCOMPRESSED_POINT_LENGTH or point[0] != 0x04:
        raise KeyAgreementError(
            "ecka.point-format",
            f"a one-time public key must be 65 bytes starting with 04, got {len(point)} bytes",
            _SPEC,
        )
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(curve.ec_curve(), point)
    except ValueError:
        raise KeyAgreementError(
            "ecka.point-not-on-curve", f"the point is not on {curve.value}", _SPEC
        ) from None


def shared_secret(
    private_key: ec.EllipticCurvePrivateKey, peer_public_key: ec.EllipticCurvePublicKey
) -> bytes:
    """ShS: the X coordinate of ``private_key × peer_public_key`` (32 bytes on 256-bit curves)."""
    if private_key.curve.name != peer_public_key.curve.name:
        raise KeyAgreementError(
            "ecka.curve-mismatch",
            f"own key is on {private_key.curve.name}, the peer's on {peer_public_key.curve.name}",
            _SPEC,
        )
    return private_key.exchange(ec.ECDH(), peer_public_key)


def private_key_from_scalar(scalar: bytes, curve: Curve) -> ec.EllipticCurvePrivateKey:
    """Rebuild a private key from its big-endian scalar (for known-answer tests and replays)."""
    try:
        return ec.derive_private_key(int.from_bytes(scalar, "big"), curve.ec_curve())
    except ValueError:
        raise KeyAgreementError(
            "ecka.scalar-out-of-range", "the scalar is not a valid private key", _SPEC
        ) from None
