"""ICCID: the SIM profile's number (ITU-T E.118) and its two byte encodings."""

from __future__ import annotations

from dataclasses import dataclass

from ._checksums import luhn_check_digit, luhn_checksum
from ._errors import IdentifierError, describe_character, first_bad_character, shown

_KIND = "ICCID"
_SPEC = "ITU-T E.118; SGP.22 §2.4 Iccid"
_MIN_DIGITS = 18
_MAX_DIGITS = 20
_ENCODED_LENGTH = 10  # SGP.22 Iccid ::= [APPLICATION 26] OCTET STRING (SIZE(10))
_DIGITS = "0123456789"


def _fail(rule: str, value: str, message: str) -> IdentifierError:
    return IdentifierError(kind=_KIND, rule=rule, value=value, message=message, spec=_SPEC)


@dataclass(frozen=True)
class Iccid:
    """A validated ICCID: 18 to 20 ASCII digits starting with the telecom MII ``89``.

    ``digits`` holds no ``F`` padding; ``str(iccid)`` is the digits.
    """

    digits: str

    @classmethod
    def parse(cls, text: str, *, check_luhn: bool = True) -> Iccid:
        """Parse an ICCID as people and apps write it.

        Surrounding whitespace and trailing ``F``/``f`` padding are removed (the Mobile Plans app
        strips them too). Raises :class:`IdentifierError` naming the broken rule. With
        ``check_luhn=False`` a wrong check digit is accepted, for data sets that mangle it.
        """
        raw = text
        digits = text.strip().rstrip("Ff")
        if not digits:
            raise _fail("iccid.empty", raw, "ICCID is empty; E.118 ICCIDs have 18 to 20 digits.")
        bad = first_bad_character(digits, _DIGITS)
        if bad is not None:
            position, char = bad
            raise _fail(
                "iccid.characters",
                raw,
                f"ICCID {shown(raw)!r} contains {describe_character(char)} at position "
                f"{position}; an ICCID is decimal digits only (trailing 'F' padding is allowed).",
            )
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
            raise _fail(
                "iccid.length",
                raw,
                f"ICCID {shown(raw)!r} has {len(digits)} digits; an ICCID has "
                f"{_MIN_DIGITS} to {_MAX_DIGITS} digits including the Luhn check digit.",
            )
        if not digits.startswith("89"):
            raise _fail(
                "iccid.prefix",
                raw,
                f"ICCID {shown(raw)!r} starts with {digits[:2]!r}; E.118 ICCIDs start with the "
                "telecommunications industry identifier '89'.",
            )
        if check_luhn and luhn_checksum(digits) != 0:
            expected = luhn_check_digit(digits[:-1])
            raise _fail(
                "iccid.check-digit",
                raw,
                f"ICCID {shown(raw)!r} fails the Luhn check: its last digit is {digits[-1]!r} "
                f"but the Luhn check digit of {digits[:-1]} is {expected!r}.",
            )
        return cls(digits)

    @classmethod
    def with_check_digit(cls, body: str) -> Iccid:
        """The ICCID made of *body* (17 to 19 digits, no check digit) and its Luhn check digit."""
        stripped = body.strip()
        bad = first_bad_character(stripped, _DIGITS)
        if not stripped or bad is not None or not 17 <= len(stripped) <= 19:
            raise _fail(
                "iccid.body",
                body,
                f"ICCID body {shown(body)!r} must be 17 to 19 decimal digits "
                "(the ICCID without its check digit).",
            )
        return cls.parse(stripped + luhn_check_digit(stripped))

    def to_sgp22_bytes(self) -> bytes:
        """The 10-byte EF.ICCID form of SGP.22 (tag ``5A``): F-padded, each byte nibble-swapped."""
        padded = self.digits.ljust(2 * _ENCODED_LENGTH, "F")
        return bytes.fromhex("".join(padded[i + 1] + padded[i] for i in range(0, len(padded), 2)))

    @classmethod
    def from_sgp22_bytes(cls, data: bytes, *, check_luhn: bool = True) -> Iccid:
        """Decode the 10-byte nibble-swapped form (ProfileInfo, NotificationMetadata, ...)."""
        hex_text = _checked_length(data).hex().upper()
        swapped = "".join(hex_text[i + 1] + hex_text[i] for i in range(0, len(hex_text), 2))
        return cls._from_nibbles(swapped, check_luhn=check_luhn)

    def to_bcd(self) -> bytes:
        """Plain packed BCD, F-padded to 10 bytes: the SAIP ProfileHeader ``iccid`` encoding."""
        return bytes.fromhex(self.digits.ljust(2 * _ENCODED_LENGTH, "F"))

    @classmethod
    def from_bcd(cls, data: bytes, *, check_luhn: bool = True) -> Iccid:
        """Decode the plain BCD form of :meth:`to_bcd`."""
        return cls._from_nibbles(_checked_length(data).hex().upper(), check_luhn=check_luhn)

    @classmethod
    def _from_nibbles(cls, nibbles: str, *, check_luhn: bool) -> Iccid:
        digits = nibbles.rstrip("F")
        if first_bad_character(digits, _DIGITS) is not None:
            raise _fail(
                "iccid.nibbles",
                nibbles,
                f"encoded ICCID {nibbles} holds a non-decimal nibble before its 'F' padding.",
            )
        return cls.parse(digits, check_luhn=check_luhn)

    def __str__(self) -> str:
        return self.digits


def _checked_length(data: bytes) -> bytes:
    if len(data) != _ENCODED_LENGTH:
        raise _fail(
            "iccid.encoded-length",
            data.hex().upper(),
            f"encoded ICCID {shown(data.hex().upper())} is {len(data)} bytes; "
            f"SGP.22 and SAIP encode an ICCID in exactly {_ENCODED_LENGTH} bytes.",
        )
    return bytes(data)
