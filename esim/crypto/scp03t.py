"""BSP, the SCP03t-derived Bound Profile Protection of SGP.22 §2.6.4 / §5.5 (SGP.22 §2.6).

One :class:`BspSession` is one BSP instance: keys from the KDF (or the PPKs of a
ReplaceSessionKeys), a block counter that starts at 1, and the MAC chaining value.

* Encrypt: ``IV = AES-ECB(S-ENC, counter as 16 bytes big-endian)``, AES-128-CBC, padding
  ``80 00…`` always added.
* MAC: ``full = AES-CMAC(S-MAC, MCV ‖ tag ‖ len(data + 8) ‖ data)``; ``C-MAC = full[:8]``;
  the new MCV is ``full``. MAC-only segments (tag 88) MAC the plaintext.
* The counter advances once per segment, MAC-only segments included.
* A segment TLV is at most 1020 bytes, hence ≤ 1007 plaintext bytes per encrypted segment and
  ≤ 1008 per MAC-only segment.

The SM-DP+ side uses ``protect*``; the eUICC side uses ``unprotect*`` on its own instance built
from the same keys. One instance serves one direction only: both directions share the chaining
state.
"""

from __future__ import annotations

import hmac

# AES, CBC, ... bound once: cryptography routes each algorithms.X or modes.X through a
# deprecation __getattr__ (~1.5 µs a time).
from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.ciphers.modes import CBC, ECB
from cryptography.hazmat.primitives.cmac import CMAC

from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_length, encode_tag, parse_single
from esim.crypto.errors import BspError, BspFailure
from esim.crypto.kdf import SessionKeys

_SPEC = "SGP.22 §2.6.4.3-4 / §5.5 (BSP)"

MAX_SEGMENT_LENGTH = 1020
"""Largest TLV a segment may be: tag, 3-byte length, data and the 8-byte C-MAC."""
MAX_ENCRYPTED_PLAINTEXT = 1007
"""1007 bytes pad to 1008 of ciphertext: 1 + 3 + 1008 + 8 = 1020."""
PYSIM_ENCRYPTED_PLAINTEXT = 1008
"""pySim/osmo-smdpp's piece size: pads to 1024 bytes, a 1036-byte segment (above SGP.22)."""
MAX_MAC_ONLY_PAYLOAD = 1008
"""MAC-only data is not padded: 1 + 3 + 1008 + 8 = 1020."""
MAC_LENGTH = 8
_BLOCK = 16

TAG_ENCRYPTED_COMMAND = 0x87
"""ConfigureISDP and ReplaceSessionKeys segments (first/second sequenceOf87)."""
TAG_MAC_ONLY = 0x88
"""StoreMetadata segments (sequenceOf88)."""
TAG_PROFILE_ELEMENTS = 0x86
"""Profile element segments (sequenceOf86)."""


def _pad(data: bytes) -> bytes:
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % _BLOCK)


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80") or len(data) - len(stripped) >= _BLOCK:
        raise BspError(
            "bsp.padding",
            "the decrypted segment does not end with the 80 00… padding",
            _SPEC,
            BspFailure.STRUCTURE,
        )
    return stripped[:-1]


class BspSession:
    """One BSP instance (keys, counter, MAC chaining value); see the module docstring."""

    def __init__(self, keys: SessionKeys, *, max_segment_length: int = MAX_SEGMENT_LENGTH) -> None:
        """``max_segment_length`` is the largest segment ``unprotect*`` accepts.

        pySim's BSP splits at 1008 plaintext bytes, i.e. 1036-byte TLVs (SGP.22); an
        eUICC that wants to accept osmo-smdpp's packages may raise the limit to 1036.
        """
        self._keys = keys
        self._counter = 1
        self._mcv = keys.initial_mcv
        self._max_segment_length = max_segment_length
        # One keyed AES context per key for the whole instance: building a cipher context costs
        # ~10 µs, several times the AES work on a 1 KB segment. ECB contexts hold no chaining
        # state between update() calls, so they are reused; the CMAC is copied from a keyed one.
        self._iv_encryptor = Cipher(AES(keys.s_enc), ECB()).encryptor()
        self._block_decryptor = Cipher(AES(keys.s_enc), ECB()).decryptor()
        self._keyed_cmac = CMAC(AES(keys.s_mac))

    @property
    def max_segment_length(self) -> int:
        """The largest segment TLV ``unprotect*`` accepts."""
        return self._max_segment_length

    @property
    def counter(self) -> int:
        """The block counter the next segment will use."""
        return self._counter

    @property
    def mac_chaining_value(self) -> bytes:
        """The current 16-byte MAC chaining value."""
        return self._mcv

    # -- primitives -------------------------------------------------------------------------

    def _iv(self) -> bytes:
        return self._iv_encryptor.update(self._counter.to_bytes(_BLOCK, "big"))

    def _encrypt(self, plaintext: bytes) -> bytes:
        encryptor = Cipher(AES(self._keys.s_enc), CBC(self._iv())).encryptor()
        return encryptor.update(_pad(plaintext)) + encryptor.finalize()

    def _decrypt(self, ciphertext: bytes) -> bytes:
        """AES-CBC decryption as ECB decryption of every block XOR the block before it (the IV
        for the first): the same plaintext as a CBC context, without building one per segment."""
        decrypted = self._block_decryptor.update(ciphertext)
        chained = self._iv() + ciphertext[:-_BLOCK]
        plaintext = int.from_bytes(decrypted, "big") ^ int.from_bytes(chained, "big")
        return _unpad(plaintext.to_bytes(len(ciphertext), "big"))

    def _full_mac(self, tag: int, data: bytes) -> bytes:
        cmac = self._keyed_cmac.copy()
        cmac.update(self._mcv + encode_tag(tag) + encode_length(len(data) + MAC_LENGTH) + data)
        return cmac.finalize()

    def _seal(self, tag: int, data: bytes) -> bytes:
        full = self._full_mac(tag, data)
        self._mcv = full
        self._counter += 1
        return encode_tag(tag) + encode_length(len(data) + MAC_LENGTH) + data + full[:MAC_LENGTH]

    # -- SM-DP+ side ------------------------------------------------------------------------

    def protect(self, tag: int, plaintext: bytes, *, limit: int = MAX_ENCRYPTED_PLAINTEXT) -> bytes:
        """Encrypt and MAC one segment (≤ ``limit`` bytes of plaintext) into a ``tag`` TLV.

        ``limit`` above 1007 (up to :data:`PYSIM_ENCRYPTED_PLAINTEXT`) plays a peer that
        exceeds SGP.22's 1020-byte segments, as osmo-smdpp does.
        """
        if len(plaintext) > min(limit, PYSIM_ENCRYPTED_PLAINTEXT):
            raise BspError(
                "bsp.segment-too-long",
                f"{len(plaintext)} bytes exceed the {limit} bytes an encrypted segment can carry",
                _SPEC,
                BspFailure.STRUCTURE,
            )
        return self._seal(tag, self._encrypt(plaintext))

    def protect_mac_only(self, tag: int, payload: bytes) -> bytes:
        """MAC one segment (≤ 1008 bytes) without encrypting it."""
        if len(payload) > MAX_MAC_ONLY_PAYLOAD:
            raise BspError(
                "bsp.segment-too-long",
                f"{len(payload)} bytes exceed the {MAX_MAC_ONLY_PAYLOAD} bytes "
                "a MAC-only segment can carry",
                _SPEC,
                BspFailure.STRUCTURE,
            )
        return self._seal(tag, payload)

    def protect_segments(
        self, tag: int, data: bytes, piece: int = MAX_ENCRYPTED_PLAINTEXT
    ) -> list[bytes]:
        """Cut ``data`` at byte boundaries into ≤ ``piece``-byte pieces and protect each."""
        return [
            self.protect(tag, data[i : i + piece], limit=piece)
            for i in range(0, max(len(data), 1), piece)
        ]

    def protect_mac_only_segments(self, tag: int, data: bytes) -> list[bytes]:
        """Cut ``data`` into ≤ 1008-byte pieces and MAC each (StoreMetadata, tag 88)."""
        return [
            self.protect_mac_only(tag, data[i : i + MAX_MAC_ONLY_PAYLOAD])
            for i in range(0, max(len(data), 1), MAX_MAC_ONLY_PAYLOAD)
        ]

    # -- eUICC side -------------------------------------------------------------------------

    def _open(self, segment: bytes, expected_tag: int) -> tuple[bytes, bytes]:
        """Check structure and C-MAC; return the protected data and its full MAC (the next MCV).
        The state advances only in :meth:`_commit`, once the whole segment was accepted."""
        if len(segment) > self._max_segment_length:
            raise BspError(
                "bsp.segment-too-long",
                f"a {len(segment)}-byte segment exceeds the {self._max_segment_length}-byte limit",
                _SPEC,
                BspFailure.STRUCTURE,
            )
        try:
            tlv = parse_single(segment, expected_tag)
        except Asn1DecodeError as error:
            raise BspError(
                "bsp.segment-structure",
                f"the segment is not one well-formed {expected_tag:02X} TLV: {error.message}",
                _SPEC,
                BspFailure.STRUCTURE,
            ) from None
        if len(tlv.value) < MAC_LENGTH:
            raise BspError(
                "bsp.segment-structure",
                "the segment is shorter than its 8-byte C-MAC",
                _SPEC,
                BspFailure.STRUCTURE,
            )
        data, received_mac = tlv.value[:-MAC_LENGTH], tlv.value[-MAC_LENGTH:]
        full = self._full_mac(expected_tag, data)
        if not hmac.compare_digest(full[:MAC_LENGTH], received_mac):
            raise BspError(
                "bsp.mac-mismatch",
                "the segment's C-MAC does not verify (wrong keys, reordering or tampering)",
                _SPEC,
                BspFailure.SECURITY,
            )
        return data, full

    def _commit(self, full_mac: bytes) -> None:
        self._mcv = full_mac
        self._counter += 1

    def unprotect(self, segment: bytes, expected_tag: int) -> bytes:
        """Verify the C-MAC of an encrypted segment TLV and return its plaintext."""
        data, full_mac = self._open(segment, expected_tag)
        if not data or len(data) % _BLOCK:
            raise BspError(
                "bsp.ciphertext-length",
                f"the ciphertext is {len(data)} bytes, not a positive multiple of 16",
                _SPEC,
                BspFailure.STRUCTURE,
            )
        plaintext = self._decrypt(data)
        self._commit(full_mac)
        return plaintext

    def unprotect_mac_only(self, segment: bytes, expected_tag: int = TAG_MAC_ONLY) -> bytes:
        """Verify the C-MAC of a MAC-only segment TLV and return its payload."""
        data, full_mac = self._open(segment, expected_tag)
        self._commit(full_mac)
        return data
