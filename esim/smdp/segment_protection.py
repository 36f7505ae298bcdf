"""The SM-DP+'s BSP segment protection with one set of cipher contexts per BSP instance.

Produces byte for byte what :class:`esim.crypto.BspSession` ``protect_segments`` and
``protect_mac_only_segments`` produce (a test holds both to it), for the SM-DP+'s hot path:
a 60 KB profile is about 60 segments, and building three ``Cipher`` objects and a ``CMAC`` per
segment cost more CPU than the AES itself (SGP.22 §2.6.4.3-4, §5.5).

* Encryption and IVs: one CBC context kept open for the whole instance. A segment's IV is
  ``AES-ECB(S-ENC, counter)``; the segment goes in behind one extra block, ``counter ⊕ previous
  ciphertext block``, whose ciphertext is therefore ``AES(counter)``, the IV itself, and then
  chains the segment's first block exactly as a fresh CBC context with that IV would. That
  extra block's output is dropped: one cipher call per segment, no IV cipher, no XOR of blocks.
* C-MAC: a keyed CMAC context is copied per segment instead of being rebuilt.
"""

from __future__ import annotations

# AES, CBC, ... bound once: cryptography routes each algorithms.X or modes.X through a
# deprecation __getattr__ (~1.5 µs a time).
from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.ciphers.modes import CBC
from cryptography.hazmat.primitives.cmac import CMAC

from esim.asn1.tlv import encode_length, encode_tag
from esim.crypto import MAX_ENCRYPTED_PLAINTEXT, MAX_MAC_ONLY_PAYLOAD, SessionKeys

_BLOCK = 16
_MAC_LENGTH = 8
_ZERO_BLOCK = bytes(_BLOCK)


class SegmentProtector:
    """One BSP instance on the SM-DP+ side: counter from 1, MCV from the keys (SGP.22 §2.6.4).

    Like :class:`esim.crypto.BspSession`, the counter and MAC chaining value carry over from
    one call to the next, so ConfigureISDP, StoreMetadata and ReplaceSessionKeys share one
    instance and the profile elements get a new one built from the PPKs.
    """

    def __init__(self, keys: SessionKeys) -> None:
        self._cbc = Cipher(AES(keys.s_enc), CBC(_ZERO_BLOCK)).encryptor()
        self._last_ciphertext_block = 0  # the CBC context's chaining value, as an integer
        self._cmac = CMAC(AES(keys.s_mac))
        self._counter = 1
        self._mcv = keys.initial_mcv

    @property
    def counter(self) -> int:
        """The block counter the next segment will use."""
        return self._counter

    def encrypted_segments(
        self, tag: int, data: bytes, piece: int = MAX_ENCRYPTED_PLAINTEXT
    ) -> list[bytes]:
        """Cut ``data`` into ≤ ``piece``-byte pieces; encrypt, pad (80 00…) and MAC each."""
        if not 1 <= piece <= MAX_ENCRYPTED_PLAINTEXT + 1:
            raise ValueError(f"a piece is 1 to {MAX_ENCRYPTED_PLAINTEXT + 1} bytes, not {piece}")
        count = max(1, -(-len(data) // piece))
        tag_bytes = encode_tag(tag)

        def framing(length: int) -> tuple[bytes, bytes]:
            # (80 00… padding, segment header) of a piece of ``length`` bytes
            padding = b"\x80" + bytes(-(length + 1) % _BLOCK)
            return padding, tag_bytes + encode_length(length + len(padding) + _MAC_LENGTH)

        # Every piece but the last has the full length: one padding and header serve them all.
        padding, header = framing(piece)
        last_padding, last_header = framing(len(data) - (count - 1) * piece)
        # The loop runs once per ~1 KB segment: locals, one join per buffer and an integer for
        # the chaining block keep its Python work small next to the AES and CMAC.
        encrypt, new_mac, join = self._cbc.update, self._cmac.copy, b"".join
        chain, mcv, counter = self._last_ciphertext_block, self._mcv, self._counter
        pieces = memoryview(data)
        segments: list[bytes] = []
        last = count - 1
        for index in range(count):
            if index == last:
                padding, header = last_padding, last_header
            start = index * piece
            iv_block = (counter ^ chain).to_bytes(_BLOCK, "big")
            output = encrypt(join((iv_block, pieces[start : start + piece], padding)))
            chain = int.from_bytes(output[-_BLOCK:], "big")
            ciphertext = memoryview(output)[_BLOCK:]  # after the IV's block
            mac = new_mac()
            mac.update(join((mcv, header, ciphertext)))
            mcv = mac.finalize()
            segments.append(join((header, ciphertext, mcv[:_MAC_LENGTH])))
            counter += 1
        self._last_ciphertext_block, self._mcv, self._counter = chain, mcv, counter
        return segments

    def mac_only_segments(self, tag: int, data: bytes) -> list[bytes]:
        """Cut ``data`` into ≤ 1008-byte pieces and MAC each without encrypting (tag 88)."""
        tag_bytes = encode_tag(tag)
        return [
            self._seal(tag_bytes, data[start : start + MAX_MAC_ONLY_PAYLOAD])
            for start in range(0, max(len(data), 1), MAX_MAC_ONLY_PAYLOAD)
        ]

    def _seal(self, tag_bytes: bytes, data: bytes) -> bytes:
        header = tag_bytes + encode_length(len(data) + _MAC_LENGTH)
        cmac = self._cmac.copy()
        cmac.update(self._mcv + header + data)
        self._mcv = cmac.finalize()
        self._counter += 1
        return header + data + self._mcv[:_MAC_LENGTH]
