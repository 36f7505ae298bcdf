"""X9.63 key derivation of the BSP session keys (SGP.22 Annex G, v3 §2.6.4.2).

``KDF = X9.63-KDF(SHA-256, ShS, 48 bytes, SharedInfo)`` with
``SharedInfo = keyType ‖ keyLength ‖ len(hostId) ‖ hostId ‖ len(EID) ‖ EID`` (EID as 16 bytes
plain BCD). The 48 output bytes are, in order: the initial MAC chaining value, S-ENC (the
KEK/ENC key of SCP03t) and S-MAC. This order was verified against a third-party SM-DP+ trace.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF

from esim.crypto.errors import CryptoError

_SPEC = "SGP.22 Annex G / §2.6.4.2 (KDF)"

KEY_TYPE_AES = 0x88
"""keyType in the InitialiseSecureChannel CRT (tag 80): AES (GlobalPlatform key type 88)."""
KEY_LENGTH_AES128 = 0x10
"""keyLen in the CRT (tag 81): 16 bytes, AES-128."""


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """The three BSP values: S-ENC, S-MAC and the initial MAC chaining value (16 bytes each)."""

    s_enc: bytes
    s_mac: bytes
    initial_mcv: bytes

    def __post_init__(self) -> None:
        for name in ("s_enc", "s_mac", "initial_mcv"):
            if len(getattr(self, name)) != 16:
                raise CryptoError("kdf.key-length", f"{name} must be 16 bytes for AES-128", _SPEC)


def _length_prefixed(value: bytes, what: str) -> bytes:
    if len(value) > 0xFF:
        raise CryptoError("kdf.shared-info", f"{what} is longer than 255 bytes", _SPEC)
    return bytes([len(value)]) + value


def shared_info(
    host_id: bytes,
    eid: bytes,
    key_type: int = KEY_TYPE_AES,
    key_length: int = KEY_LENGTH_AES128,
) -> bytes:
    """The X9.63 SharedInfo SGP.22 defines for the BSP keys."""
    if len(eid) != 16:
        raise CryptoError(
            "kdf.eid-length", f"the EID must be 16 bytes of plain BCD, got {len(eid)}", _SPEC
        )
    if not (0 <= key_type <= 0xFF and 0 <= key_length <= 0xFF):
        raise CryptoError("kdf.crt-values", "keyType and keyLen are one byte each", _SPEC)
    return (
        bytes([key_type, key_length])
        + _length_prefixed(host_id, "hostId")
        + _length_prefixed(eid, "EID")
    )


def eid_to_bytes(eid: str) -> bytes:
    """A 32-digit EID as the 16 bytes of plain packed BCD the KDF and GetEID use (§4.2)."""
    if len(eid) != 32 or not eid.isdigit() or not eid.isascii():
        raise CryptoError("kdf.eid-format", "an EID is 32 decimal digits", _SPEC)
    return bytes.fromhex(eid)


def derive_session_keys(
    shared_secret: bytes,
    host_id: bytes,
    eid: bytes,
    key_type: int = KEY_TYPE_AES,
    key_length: int = KEY_LENGTH_AES128,
) -> SessionKeys:
    """Derive S-ENC, S-MAC and the initial MCV from ShS (both sides run exactly this)."""
    if key_type != KEY_TYPE_AES or key_length != KEY_LENGTH_AES128:
        # SGP.22 v2 only defines AES-128 (CRT 80 01 88, 81 01 10); anything else is
        # unsupportedCrtValues on the eUICC.
        raise CryptoError(
            "kdf.unsupported-crt",
            f"only keyType 88 with keyLen 10 is defined, got {key_type:02X}/{key_length:02X}",
            _SPEC,
        )
    material = X963KDF(
        algorithm=hashes.SHA256(),
        length=3 * key_length,
        sharedinfo=shared_info(host_id, eid, key_type, key_length),
    ).derive(shared_secret)
    return SessionKeys(
        s_enc=material[16:32],
        s_mac=material[32:48],
        initial_mcv=material[0:16],
    )
