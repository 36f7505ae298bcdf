"""EID: the eUICC's 32-digit identifier with ISO/IEC 7064 MOD 97-10 check digits (SGP.29)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._checksums import mod_97_10_is_valid
from ._errors import IdentifierError, describe_character, first_bad_character, shown

_KIND = "EID"
_SPEC = "SGP.29 §10 (ISO/IEC 7064 MOD 97-10); SGP.22 §4.3 GetEID"
_LENGTH = 32
_DIGITS = "0123456789"
SGP26_TEST_EUM_PREFIX = "89049032"
"""The EID range of the public SGP.26 test EUM: EIDs a test CI will certify."""


def _fail(rule: str, value: str, message: str) -> IdentifierError:
    return IdentifierError(kind=_KIND, rule=rule, value=value, message=message, spec=_SPEC)


def _check_digits(first30: str) -> str:
    # SGP.29: set the check digits to 00, then cd = 98 - (N mod 97).
    return f"{98 - int(first30 + '00') % 97:02d}"


@dataclass(frozen=True)
class Eid:
    """A validated EID: 32 ASCII digits whose value mod 97 is 1. ``str(eid)`` is the digits."""

    digits: str

    @classmethod
    def parse(cls, text: str) -> Eid:
        """Parse an EID, ignoring surrounding whitespace; raises :class:`IdentifierError`."""
        digits = text.strip()
        if not digits:
            raise _fail("eid.empty", text, "EID is empty; an EID has 32 decimal digits.")
        bad = first_bad_character(digits, _DIGITS)
        if bad is not None:
            position, char = bad
            raise _fail(
                "eid.characters",
                text,
                f"EID {shown(text)!r} contains {describe_character(char)} at position {position}; "
                "an EID is 32 decimal digits (not hexadecimal).",
            )
        if len(digits) != _LENGTH:
            raise _fail(
                "eid.length",
                text,
                f"EID {shown(text)!r} has {len(digits)} digits; an EID has exactly {_LENGTH}.",
            )
        if not mod_97_10_is_valid(digits):
            raise _fail(
                "eid.check-digits",
                text,
                f"EID {digits} fails the ISO/IEC 7064 MOD 97-10 check (value mod 97 is "
                f"{int(digits) % 97}, must be 1); its check digits should be "
                f"{_check_digits(digits[:30])!r}, not {digits[30:]!r}.",
            )
        return cls(digits)

    @classmethod
    def generate(
        cls,
        prefix: str = SGP26_TEST_EUM_PREFIX,
        body: str | None = None,
        rng: random.Random | None = None,
    ) -> Eid:
        """An EID ``prefix + body + check digits``.

        ``prefix + body`` must be 30 digits; without *body* the digits after the prefix are
        drawn from *rng* (a fresh ``random.Random()`` if none), so a seeded rng is reproducible.
        """
        if body is None:
            source = rng if rng is not None else random.Random()
            body = "".join(source.choice(_DIGITS) for _ in range(30 - len(prefix)))
        first30 = prefix + body
        if len(first30) != 30 or first_bad_character(first30, _DIGITS) is not None:
            raise _fail(
                "eid.body",
                first30,
                f"EID prefix {shown(prefix)!r} and body {shown(body)!r} must together be 30 "
                "decimal digits, to which the two check digits are appended.",
            )
        return cls(first30 + _check_digits(first30))

    @property
    def issuer_prefix(self) -> str:
        """The first 8 digits, which SGP.22 matches against the EUM certificate's permitted EINs."""
        return self.digits[:8]

    def to_bcd(self) -> bytes:
        """The 16-byte packed BCD form of GetEID (tag ``5A``) and ``eidValue``."""
        return bytes.fromhex(self.digits)

    @classmethod
    def from_bcd(cls, data: bytes) -> Eid:
        """Decode the 16-byte packed BCD form."""
        if len(data) != _LENGTH // 2:
            raise _fail(
                "eid.encoded-length",
                data.hex().upper(),
                f"encoded EID {shown(data.hex().upper())} is {len(data)} bytes; "
                f"an EID is encoded in exactly {_LENGTH // 2} bytes of BCD.",
            )
        return cls.parse(data.hex().upper())

    def __str__(self) -> str:
        return self.digits
