"""Cryptographic primitives of SGP.22 v2.2+ remote SIM provisioning, on ``cryptography`` alone.

* :mod:`.ecdsa`: ECDSA-SHA256 with raw ``r ‖ s`` signatures in tag 5F37 (SGP.22 §2.6.5),
  always over the exact bytes received.
* :mod:`.ecka`: one-time ECKA key pairs, 5F49 point encoding, ShS (SGP.22 §2.6.4; §3.6).
* :mod:`.kdf`: X9.63 KDF of the BSP session keys S-ENC, S-MAC, initial MCV (Annex G; §3.6).
* :mod:`.scp03t`: the BSP segment protection: encryption, C-MAC chaining, 1020-byte segments,
  both wrapping (SM-DP+) and unwrapping (eUICC), and new instances for ReplaceSessionKeys
  (SGP.22 §2.6.4, §5.5).

All failures are :class:`CryptoError` subclasses with ``rule``, ``message`` and ``spec``.
"""

from esim.crypto.ecdsa import (
    SIGNATURE_TAG,
    decode_signature_tlv,
    der_to_raw,
    encode_signature_tlv,
    is_valid_signature,
    raw_to_der,
    sign_raw,
    verify_raw,
)
from esim.crypto.ecka import (
    Curve,
    decode_public_key,
    encode_public_key,
    generate_one_time_key,
    private_key_from_scalar,
    shared_secret,
)
from esim.crypto.errors import (
    BspError,
    BspFailure,
    CryptoError,
    KeyAgreementError,
    SignatureError,
)
from esim.crypto.kdf import (
    KEY_LENGTH_AES128,
    KEY_TYPE_AES,
    SessionKeys,
    derive_session_keys,
    eid_to_bytes,
    shared_info,
)
from esim.crypto.scp03t import (
    MAX_ENCRYPTED_PLAINTEXT,
    MAX_MAC_ONLY_PAYLOAD,
    MAX_SEGMENT_LENGTH,
    TAG_ENCRYPTED_COMMAND,
    TAG_MAC_ONLY,
    TAG_PROFILE_ELEMENTS,
    BspSession,
)

__all__ = [
    "KEY_LENGTH_AES128",
    "KEY_TYPE_AES",
    "MAX_ENCRYPTED_PLAINTEXT",
    "MAX_MAC_ONLY_PAYLOAD",
    "MAX_SEGMENT_LENGTH",
    "SIGNATURE_TAG",
    "TAG_ENCRYPTED_COMMAND",
    "TAG_MAC_ONLY",
    "TAG_PROFILE_ELEMENTS",
    "BspError",
    "BspFailure",
    "BspSession",
    "CryptoError",
    "Curve",
    "KeyAgreementError",
    "SessionKeys",
    "SignatureError",
    "decode_public_key",
    "decode_signature_tlv",
    "der_to_raw",
    "derive_session_keys",
    "eid_to_bytes",
    "encode_public_key",
    "encode_signature_tlv",
    "generate_one_time_key",
    "is_valid_signature",
    "private_key_from_scalar",
    "raw_to_der",
    "shared_info",
    "shared_secret",
    "sign_raw",
    "verify_raw",
]
