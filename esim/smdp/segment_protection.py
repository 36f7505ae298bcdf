"""The SM-DP+'s BSP segment protection with one set of cipher contexts per BSP instance.

Produces byte for byte what :class:`esim.crypto.BspSession` ``protect_segments`` and
``protect_mac_only_segments`` produce (a test holds both to it), for the SM-DP+'s hot path:
a 60 KB profile is about 60 segments, and building three ``Cipher`` objects and a ``CMAC`` per
segment cost more CPU than the AES itself (SGP.22 §2.6.4.3-4, §5.5).

* IVs: ``AES-ECB(S-ENC, counter)`` from one ECB context kept open (ECB has no state).
* Encryption: one CBC context kept open for the whole instance. CBC feeds each block with the
  previous ciphertext block, so to start a segment with its own IV the segment's first block
  is XORed with ``previous ciphertext block ⊕ IV`` before it goes in: the cipher then sees
  ``first block ⊕ IV``, exactly as a fresh CBC context with that IV would.
* C-MAC: a keyed CMAC context is copied per segment instead of being rebuilt.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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
        encryption = algorithms.AES(keys.s_enc)
        self._ecb = Cipher(encryption, modes.ECB()).encryptor()
        self._cbc = Cipher(encryption, modes.CBC(_ZERO_BLOCK)).encryptor()
        self._last_ciphertext_block = _ZERO_BLOCK
        self._cmac = CMAC(algorithms.AES(keys.s_mac))
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
        counters = b"".join(
            (self._counter + index).to_bytes(_BLOCK, "big") for index in range(count)
        )
        ivs = self._ecb.update(counters)
        tag_bytes = encode_tag(tag)
        # The loop runs once per ~1 KB segment: locals, integers for the chaining block and one
        # header per segment length keep its Python work small next to the AES and CMAC.
        encrypt, new_mac = self._cbc.update, self._cmac.copy
        chain = int.from_bytes(self._last_ciphertext_block, "big")
        mcv = self._mcv
        headers: dict[int, bytes] = {}
        segments: list[bytes] = []
        for index in range(count):
            padded = data[index * piece : (index + 1) * piece] + b"\x80"
            if len(padded) % _BLOCK:
                padded += _ZERO_BLOCK[len(padded) % _BLOCK :]
            iv = int.from_bytes(ivs[index * _BLOCK : (index + 1) * _BLOCK], "big")
            first = int.from_bytes(padded[:_BLOCK], "big") ^ chain ^ iv
            ciphertext = encrypt(first.to_bytes(_BLOCK, "big") + padded[_BLOCK:])
            chain = int.from_bytes(ciphertext[-_BLOCK:], "big")
            header = headers.get(len(ciphertext))
            if header is None:
                header = headers[len(ciphertext)] = tag_bytes + encode_length(
                    len(ciphertext) + _MAC_LENGTH
                )
            mac = new_mac()
            mac.update(mcv + header + ciphertext)
            mcv = mac.finalize()
            segments.append(header + ciphertext + mcv[:_MAC_LENGTH])
        self._last_ciphertext_block = chain.to_bytes(_BLOCK, "big")
        self._mcv = mcv
        self._counter += count
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
