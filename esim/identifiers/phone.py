"""Line numbers: MDN and MIN (10-digit NANP numbers) and MSISDN (E.164)."""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import IdentifierError, describe_character, first_bad_character, shown

_NANP_SPEC = "ATIS NANP numbering (NPA-NXX-XXXX)"
_MIN_SPEC = "TIA IS-95/IS-41 MIN"
_E164_SPEC = "ITU-T E.164 §6"
_DIGITS = "0123456789"
# Readable phone-number punctuation: "(555) 555-0123", "555.555.0123".
_SEPARATORS = str.maketrans("", "", " -.()")


def _digits_or_fail(text: str, kind: str, spec: str, rule_prefix: str) -> str:
    digits = text.strip().translate(_SEPARATORS)
    if not digits:
        raise IdentifierError(
            kind=kind,
            rule=f"{rule_prefix}.empty",
            value=text,
            message=f"{kind} is empty.",
            spec=spec,
        )
    bad = first_bad_character(digits, _DIGITS)
    if bad is not None:
        raise IdentifierError(
            kind=kind,
            rule=f"{rule_prefix}.characters",
            value=text,
            message=f"{kind} {shown(text)!r} contains {describe_character(bad[1])}; "
            f"{'an' if kind[0] in 'AEIMN' else 'a'} {kind} is decimal digits "
            "(spaces, hyphens, dots and parentheses are ignored).",
            spec=spec,
        )
    return digits


def _ten_digits(text: str, kind: str, spec: str, rule_prefix: str, *, nanp: bool) -> str:
    digits = _digits_or_fail(text.strip().removeprefix("+"), kind, spec, rule_prefix)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # the NANP country code, as in "+1 555 555 0123"
    if len(digits) != 10:
        raise IdentifierError(
            kind=kind,
            rule=f"{rule_prefix}.length",
            value=text,
            message=f"{kind} {shown(text)!r} has {len(digits)} digits; "
            f"{'an' if kind[0] in 'AEIMN' else 'a'} {kind} has 10 digits (NPA-NXX-XXXX).",
            spec=spec,
        )
    if nanp:
        for name, part in (("area code (NPA)", digits[:3]), ("exchange code (NXX)", digits[3:6])):
            if part[0] in "01":
                raise IdentifierError(
                    kind=kind,
                    rule=f"{rule_prefix}.nanp",
                    value=text,
                    message=f"{kind} {digits} has {name} {part!r}; NANP area and exchange "
                    "codes start with a digit from 2 to 9.",
                    spec=spec,
                )
    return digits


@dataclass(frozen=True)
class Mdn:
    """A Mobile Directory Number: 10 NANP digits. ``str()`` gives them without punctuation."""

    digits: str

    @classmethod
    def parse(cls, text: str, *, nanp: bool = True) -> Mdn:
        """Parse an MDN; punctuation and a leading ``+1``/``1`` country code are ignored.

        With ``nanp=True`` the area and exchange codes must start with 2–9, as NANP requires.
        """
        return cls(_ten_digits(text, "MDN", _NANP_SPEC, "mdn", nanp=nanp))

    def __str__(self) -> str:
        return self.digits


@dataclass(frozen=True)
class Min:
    """A Mobile Identification Number: 10 digits, often the MDN's. ``str()`` is the digits."""

    digits: str

    @classmethod
    def parse(cls, text: str) -> Min:
        """Parse a 10-digit MIN; punctuation is ignored. NANP rules do not apply to a MIN."""
        return cls(_ten_digits(text, "MIN", _MIN_SPEC, "min", nanp=False))

    def __str__(self) -> str:
        return self.digits


@dataclass(frozen=True)
class Msisdn:
    """An E.164 number: country code first, no leading zero, at most 15 digits.

    ``digits`` and ``str()`` carry no ``+`` (the ThingSpace form); :attr:`e164` adds it.
    """

    digits: str

    @classmethod
    def parse(cls, text: str) -> Msisdn:
        """Parse an MSISDN with or without a leading ``+``; punctuation is ignored."""
        digits = _digits_or_fail(text.strip().removeprefix("+"), "MSISDN", _E164_SPEC, "msisdn")
        if digits.startswith("0"):
            raise IdentifierError(
                kind="MSISDN",
                rule="msisdn.leading-zero",
                value=text,
                message=f"MSISDN {shown(text)!r} starts with 0; an E.164 number starts with its "
                "country code, which never begins with 0 (drop the national trunk prefix).",
                spec=_E164_SPEC,
            )
        if not 2 <= len(digits) <= 15:
            raise IdentifierError(
                kind="MSISDN",
                rule="msisdn.length",
                value=text,
                message=f"MSISDN {shown(text)!r} has {len(digits)} digits; an E.164 number has "
                "at most 15 digits including the country code.",
                spec=_E164_SPEC,
            )
        return cls(digits)

    @property
    def e164(self) -> str:
        """The number with its ``+`` prefix."""
        return "+" + self.digits

    def __str__(self) -> str:
        return self.digits
