"""Corrupted variants of a valid X.509 certificate, each breaking one field a peer must parse.

Replacements keep every length, so the certificate is still well-formed DER and the damage
is only found by whoever reads the field: the key algorithm, the curve, the EC point, the
AuthorityKeyIdentifier extension, the SubjectKeyIdentifier extension.

Not a test module: the adversarial tests and ``tests/adversarial/fuzz.py`` import it.
"""

from __future__ import annotations

from collections.abc import Iterator

EC_PUBLIC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")
PRIME256V1_OID = bytes.fromhex("06082a8648ce3d030107")
ECDSA_SHA256 = bytes.fromhex("06082a8648ce3d040302")
AUTHORITY_KEY_ID = bytes.fromhex("0603551d23")
SUBJECT_KEY_ID = bytes.fromhex("0603551d0e")


def _replace_after(data: bytes, marker: bytes, skip: int, new: bytes) -> bytes | None:
    at = data.find(marker)
    if at < 0:
        return None
    start = at + len(marker) + skip
    return data[:start] + new + data[start + len(new) :]


def corrupted_certificates(der: bytes) -> Iterator[tuple[str, bytes]]:
    """(what is broken, certificate) for each field the certificate has."""
    candidates = [
        ("unknown-key-algorithm", _replace_after(der, EC_PUBLIC_KEY_OID[:-1], 0, b"\x7f")),
        (
            "unknown-signature-algorithm",
            _replace_after(der, ECDSA_SHA256[:-1], 0, b"\x7f"),
        ),
        ("unknown-curve", _replace_after(der, PRIME256V1_OID[:-1], 0, b"\x7f")),
        # SPKI BIT STRING: 03 42 00 04 ‖ X ‖ Y; 07 is no point encoding at all.
        ("corrupted-ec-point", _replace_after(der, bytes.fromhex("03420004"), -1, b"\x07")),
        ("corrupted-ec-point-x", _replace_after(der, bytes.fromhex("03420004"), 0, b"\xff" * 8)),
        # extnValue OCTET STRING wraps 30 16 80 14 ‖ key id: make the inner SEQUENCE lie.
        (
            "malformed-authority-key-identifier",
            _corrupt_extension(der, AUTHORITY_KEY_ID),
        ),
        ("malformed-subject-key-identifier", _corrupt_extension(der, SUBJECT_KEY_ID)),
    ]
    for name, mutant in candidates:
        if mutant is not None and mutant != der:
            yield name, mutant


def _corrupt_extension(der: bytes, oid: bytes) -> bytes | None:
    at = der.find(oid)
    if at < 0:
        return None
    cursor = at + len(oid)
    if der[cursor] == 0x01:  # critical BOOLEAN
        cursor += 3
    if der[cursor] != 0x04:
        return None
    inner = cursor + 2
    # The first byte inside extnValue is the extension's own tag: 30 (AKI) or 04 (SKI).
    return der[:inner] + b"\x02" + der[inner + 1 :]
