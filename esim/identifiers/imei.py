"""IMEI: the device's 15-digit identity (3GPP TS 23.003 §6.2) with its Luhn check digit."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._checksums import luhn_check_digit, luhn_checksum
from ._errors import IdentifierError, describe_character, first_bad_character, shown

_KIND = "IMEI"
_SPEC = "3GPP TS 23.003 §6.2.1 (Luhn check digit)"
_DIGITS = "0123456789"


def _fail(rule: str, value: str, message: str) -> IdentifierError:
    return IdentifierError(kind=_KIND, rule=rule, value=value, message=message, spec=_SPEC)


@dataclass(frozen=True)
class Imei:
    """A validated IMEI: 8-digit TAC, 6-digit serial, Luhn check digit. ``str()`` is the digits."""

    digits: str

    @classmethod
    def parse(cls, text: str) -> Imei:
        """Parse a 15-digit IMEI; spaces and hyphens between the digit groups are ignored.

        14 digits (no check digit) and 16-digit IMEISVs are rejected with their own rules.
        """
        digits = text.strip().replace(" ", "").replace("-", "")
        if not digits:
            raise _fail("imei.empty", text, "IMEI is empty; an IMEI has 15 decimal digits.")
        bad = first_bad_character(digits, _DIGITS)
        if bad is not None:
            raise _fail(
                "imei.characters",
                text,
                f"IMEI {shown(text)!r} contains {describe_character(bad[1])}; "
                "an IMEI is decimal digits only.",
            )
        if len(digits) == 14:
            raise _fail(
                "imei.missing-check-digit",
                text,
                f"IMEI {shown(text)!r} has 14 digits: the Luhn check digit is missing "
                f"(it would be {luhn_check_digit(digits)!r}).",
            )
        if len(digits) == 16:
            raise _fail(
                "imei.imeisv",
                text,
                f"{shown(text)!r} has 16 digits, which is an IMEISV (software version, no check "
                "digit), not an IMEI; an IMEI has 15 digits.",
            )
        if len(digits) != 15:
            raise _fail(
                "imei.length",
                text,
                f"IMEI {shown(text)!r} has {len(digits)} digits; an IMEI has 15 "
                "(8-digit TAC, 6-digit serial, Luhn check digit).",
            )
        if luhn_checksum(digits) != 0:
            raise _fail(
                "imei.check-digit",
                text,
                f"IMEI {digits} fails the Luhn check: its last digit is {digits[-1]!r} but the "
                f"check digit of {digits[:14]} is {luhn_check_digit(digits[:14])!r}.",
            )
        return cls(digits)

    @classmethod
    def with_check_digit(cls, body: str) -> Imei:
        """The IMEI made of a 14-digit *body* (TAC + serial) and its Luhn check digit."""
        if len(body) != 14 or first_bad_character(body, _DIGITS) is not None:
            raise _fail(
                "imei.body",
                body,
                f"IMEI body {shown(body)!r} must be 14 decimal digits (TAC + serial number).",
            )
        return cls(body + luhn_check_digit(body))

    @classmethod
    def generate(cls, tac: str = "35332811", rng: random.Random | None = None) -> Imei:
        """An IMEI with the given 8-digit TAC and a serial drawn from *rng*."""
        if len(tac) != 8 or first_bad_character(tac, _DIGITS) is not None:
            raise _fail("imei.tac", tac, f"TAC {shown(tac)!r} must be 8 decimal digits.")
        source = rng if rng is not None else random.Random()
        return cls.with_check_digit(tac + f"{source.randrange(1_000_000):06d}")

    @property
    def tac(self) -> str:
        """The Type Allocation Code: the first 8 digits, naming the device model."""
        return self.digits[:8]

    @property
    def serial(self) -> str:
        """The 6-digit serial number after the TAC."""
        return self.digits[8:14]

    def __str__(self) -> str:
        return self.digits
