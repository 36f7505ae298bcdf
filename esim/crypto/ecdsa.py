"""ECDSA with SHA-256 and the raw ``r ‖ s`` signature format of SGP.22 (tag 5F37).

SGP.22 signatures are BSI TR-03111 plain signatures: r and s, each left-padded to the curve
size, concatenated (64 bytes for P-256 and brainpoolP256r1), not DER ``ECDSA-Sig-Value``
(SGP.22). They are always computed and checked over the exact bytes as sent or
received: never re-encode a decoded structure before verifying (pySim OS#6473, §0.2).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from esim.crypto.errors import SignatureError

SIGNATURE_TAG = b"\x5f\x37"
_SPEC = "SGP.22 §2.6.5 (ECDSA, raw r‖s in tag 5F37)"


def _coordinate_size(curve: ec.EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def sign_raw(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA-SHA256 over ``data``; the signature as raw ``r ‖ s`` (64 bytes on 256-bit curves)."""
    der = private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    return der_to_raw(der, _coordinate_size(private_key.curve))


def verify_raw(public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> None:
    """Check a raw ``r ‖ s`` signature over exactly ``data``; raise :class:`SignatureError`."""
    size = _coordinate_size(public_key.curve)
    der = raw_to_der(signature, size)
    try:
        public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise SignatureError(
            "ecdsa.invalid-signature",
            "the signature does not verify over the given bytes with this public key",
            _SPEC,
        ) from None


def is_valid_signature(
    public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes
) -> bool:
    """True when :func:`verify_raw` would accept the signature."""
    try:
        verify_raw(public_key, data, signature)
    except SignatureError:
        return False
    return True


def raw_to_der(signature: bytes, coordinate_size: int = 32) -> bytes:
    """Convert raw ``r ‖ s`` into DER ``ECDSA-Sig-Value`` (what ``cryptography`` expects)."""
    if len(signature) != 2 * coordinate_size:
        raise SignatureError(
            "ecdsa.raw-length",
            f"a raw signature must be {2 * coordinate_size} bytes, got {len(signature)}",
            _SPEC,
        )
    r = int.from_bytes(signature[:coordinate_size], "big")
    s = int.from_bytes(signature[coordinate_size:], "big")
    if r == 0 or s == 0:
        raise SignatureError("ecdsa.zero-component", "r and s must both be non-zero", _SPEC)
    return encode_dss_signature(r, s)


def der_to_raw(der: bytes, coordinate_size: int = 32) -> bytes:
    """Convert DER ``ECDSA-Sig-Value`` into raw ``r ‖ s`` with zero-padded halves."""
    try:
        r, s = decode_dss_signature(der)
    except ValueError:
        raise SignatureError(
            "ecdsa.der-malformed", "the bytes are not a DER ECDSA-Sig-Value", _SPEC
        ) from None
    limit = 1 << (8 * coordinate_size)
    if not (0 < r < limit and 0 < s < limit):
        raise SignatureError(
            "ecdsa.der-out-of-range", f"r or s does not fit in {coordinate_size} bytes", _SPEC
        )
    return r.to_bytes(coordinate_size, "big") + s.to_bytes(coordinate_size, "big")


def encode_signature_tlv(signature: bytes) -> bytes:
    """``5F37 ‖ len ‖ r‖s``, the form every SGP.22 signature travels in (``5F 37 40 …``)."""
    if not 0 < len(signature) < 0x80:
        raise SignatureError(
            "ecdsa.raw-length", "a raw signature must be 1..127 bytes to fit tag 5F37", _SPEC
        )
    return SIGNATURE_TAG + bytes([len(signature)]) + signature


def decode_signature_tlv(tlv: bytes) -> bytes:
    """The raw ``r ‖ s`` inside a complete ``5F37`` TLV."""
    if len(tlv) < 3 or tlv[:2] != SIGNATURE_TAG:
        raise SignatureError("ecdsa.tlv-tag", "a signature TLV must start with tag 5F37", _SPEC)
    if tlv[2] >= 0x80 or tlv[2] != len(tlv) - 3:
        raise SignatureError(
            "ecdsa.tlv-length", "the 5F37 length does not match the bytes that follow", _SPEC
        )
    return tlv[3:]
