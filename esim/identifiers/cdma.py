"""CDMA device identifiers: MEID (56 bits) and ESN (32 bits), with their conversions."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from ._errors import (
    IdentifierError,
    describe_character,
    first_bad_character,
    is_ascii_digits,
    shown,
)

_MEID_SPEC = "3GPP2 S.R0048 (MEID)"
_ESN_SPEC = "TIA/EIA-95 ESN"
_HEX = "0123456789ABCDEFabcdef"
_PSEUDO_ESN_MANUFACTURER = 0x80  # the reserved manufacturer code of every pseudo-ESN


def _stdnum_meid() -> ModuleType:
    """python-stdnum's MEID module, imported on first use: its package's import pulls in pydoc,
    platform and sysconfig (15-20 ms), which a run that never sees an MEID should not pay."""
    from stdnum import meid

    return meid


def _meid_fail(rule: str, value: str, message: str) -> IdentifierError:
    return IdentifierError(kind="MEID", rule=rule, value=value, message=message, spec=_MEID_SPEC)


def _esn_fail(rule: str, value: str, message: str) -> IdentifierError:
    return IdentifierError(kind="ESN", rule=rule, value=value, message=message, spec=_ESN_SPEC)


@dataclass(frozen=True)
class Meid:
    """A validated MEID. ``digits`` is the 14-character upper-case hex form, without check digit.

    ``str(meid)`` is that hex form; :meth:`to_decimal` gives the 18-digit decimal form.
    """

    digits: str

    @classmethod
    def parse(cls, text: str) -> Meid:
        """Parse 14 hex characters (15 with check digit) or 18 decimal digits (19 with check digit).

        Spaces and hyphens are ignored. A check digit, when present, must be right: hex Luhn for
        the hex form, decimal Luhn for the decimal form and for all-decimal (IMEI-range) hex forms.
        """
        compact = text.strip().replace(" ", "").replace("-", "")
        if not compact:
            raise _meid_fail("meid.empty", text, "MEID is empty; an MEID has 14 hex characters.")
        bad = first_bad_character(compact, _HEX)
        if bad is not None:
            raise _meid_fail(
                "meid.characters",
                text,
                f"MEID {shown(text)!r} contains {describe_character(bad[1])} at position "
                f"{bad[0]}; an MEID is 14 hex characters or 18 decimal digits.",
            )
        if len(compact) not in (14, 15, 18, 19):
            raise _meid_fail(
                "meid.length",
                text,
                f"MEID {shown(text)!r} has {len(compact)} characters; an MEID has 14 hex "
                "characters or 18 decimal digits, each optionally followed by a check digit.",
            )
        if len(compact) >= 18 and not is_ascii_digits(compact):
            raise _meid_fail(
                "meid.characters",
                text,
                f"MEID {shown(text)!r} has {len(compact)} characters, the length of the decimal "
                "form, but contains hex letters; the 18-digit form is decimal only.",
            )
        from stdnum.exceptions import (
            InvalidChecksum,
            InvalidComponent,
            InvalidFormat,
            InvalidLength,
            ValidationError,
        )

        stdnum_meid = _stdnum_meid()
        # stdnum only ever sees clean ASCII here, so its exceptions map one-to-one to our rules.
        try:
            hex_form = stdnum_meid.validate(compact, strip_check_digit=True)
        except InvalidChecksum:
            body = compact[:-1]
            expected = stdnum_meid.calc_check_digit(body.upper())
            raise _meid_fail(
                "meid.check-digit",
                text,
                f"MEID {shown(text)!r} has check digit {compact[-1]!r}, but the check digit of "
                f"{body.upper()} is {expected!r}.",
            ) from None
        except InvalidComponent:
            raise _meid_fail(
                "meid.decimal-range",
                text,
                f"decimal MEID {shown(text)!r} is out of range: its first 10 digits must be at "
                "most 4294967295 (32 bits) and its last 8 at most 16777215 (24 bits).",
            ) from None
        except (InvalidFormat, InvalidLength, ValidationError) as error:
            raise _meid_fail(
                "meid.format",
                text,
                f"MEID {shown(text)!r} is not a valid MEID ({error}).",
            ) from None
        return cls(hex_form.upper())

    @classmethod
    def from_decimal(cls, text: str) -> Meid:
        """Parse the 18-digit decimal form (19 with check digit)."""
        compact = text.strip().replace(" ", "").replace("-", "")
        if len(compact) not in (18, 19) or not is_ascii_digits(compact):
            raise _meid_fail(
                "meid.decimal-form",
                text,
                f"decimal MEID {shown(text)!r} must be 18 decimal digits (19 with check digit).",
            )
        return cls.parse(compact)

    @property
    def check_digit(self) -> str:
        """The Luhn check digit of the hex form (decimal Luhn when the hex form is all digits)."""
        return str(_stdnum_meid().calc_check_digit(self.digits))

    def to_decimal(self, *, with_check_digit: bool = False) -> str:
        """The 18-digit decimal form: the first 32 bits as 10 digits, the last 24 as 8."""
        decimal = f"{int(self.digits[:8], 16):010d}{int(self.digits[8:], 16):08d}"
        if with_check_digit:
            decimal += str(_stdnum_meid().calc_check_digit(decimal))
        return decimal

    def to_bytes(self) -> bytes:
        """The 7 binary bytes of the MEID."""
        return bytes.fromhex(self.digits)

    def pseudo_esn(self) -> Esn:
        """The pseudo-ESN: ``80`` followed by the last 24 bits of SHA-1 over the 7 binary bytes."""
        return Esn(str(_stdnum_meid().to_pseudo_esn(self.digits)).upper())

    def __str__(self) -> str:
        return self.digits


@dataclass(frozen=True)
class Esn:
    """A validated ESN. ``digits`` is the 8-character upper-case hex form; ``str()`` gives it."""

    digits: str

    @classmethod
    def parse(cls, text: str) -> Esn:
        """Parse 8 hex characters, or 11 decimal digits (3-digit manufacturer + 8-digit serial).

        The length decides the form: an 8-digit all-decimal value is read as hex.
        """
        compact = text.strip()
        if not compact:
            raise _esn_fail(
                "esn.empty", text, "ESN is empty; an ESN has 8 hex or 11 decimal digits."
            )
        if len(compact) == 8:
            bad = first_bad_character(compact, _HEX)
            if bad is not None:
                raise _esn_fail(
                    "esn.characters",
                    text,
                    f"ESN {shown(text)!r} contains {describe_character(bad[1])} at position "
                    f"{bad[0]}; the 8-character ESN form is hexadecimal.",
                )
            return cls(compact.upper())
        if len(compact) == 11:
            if not is_ascii_digits(compact):
                raise _esn_fail(
                    "esn.characters",
                    text,
                    f"ESN {shown(text)!r} has 11 characters, the decimal form, but is not all "
                    "decimal digits.",
                )
            manufacturer, serial = int(compact[:3]), int(compact[3:])
            if manufacturer > 0xFF or serial > 0xFFFFFF:
                raise _esn_fail(
                    "esn.decimal-range",
                    text,
                    f"decimal ESN {compact} is out of range: the manufacturer code (first 3 "
                    "digits) must be at most 255 and the serial (last 8) at most 16777215.",
                )
            return cls(f"{manufacturer:02X}{serial:06X}")
        raise _esn_fail(
            "esn.length",
            text,
            f"ESN {shown(text)!r} has {len(compact)} characters; an ESN has 8 hex characters "
            "or 11 decimal digits.",
        )

    def to_hex(self) -> str:
        """The 8-character upper-case hex form."""
        return self.digits

    def to_decimal(self) -> str:
        """The 11-digit decimal form: manufacturer code as 3 digits, serial as 8."""
        return f"{int(self.digits[:2], 16):03d}{int(self.digits[2:], 16):08d}"

    @property
    def is_pseudo(self) -> bool:
        """True for a pseudo-ESN (manufacturer code 0x80), derived from an MEID."""
        return int(self.digits[:2], 16) == _PSEUDO_ESN_MANUFACTURER

    def __str__(self) -> str:
        return self.digits
