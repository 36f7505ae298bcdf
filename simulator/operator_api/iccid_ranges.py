"""The operator's ICCID range(s) in the Mobile Plans service configuration.

Public pages "Mobile Plans service configuration" (item 6 of the minimum configuration: "the
ICCID range or ranges that you want to associate with Mobile Plans") and "Mobile Operator
account management in Windows 10" (the COSA settings "ICCID Range – Start" and "ICCID Range –
End"). The app only tells a portal about profiles in these ranges ("Mobile Plans web portal":
`iccids` lists the operator's profiles and is not sent when none match).

A range is written ``START-END`` or a single ``PREFIX``. Both ends have the same number of
digits, n; an ICCID is in the range when its first n digits lie between them, so a full-length
range and an issuer prefix are the same rule. Trailing ``F`` padding is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SAMPLE_ICCID_RANGES", "IccidRange", "IccidRangeError", "in_ranges"]

_MAX_DIGITS = 20  # ITU-T E.118: an ICCID has at most 19 digits plus the Luhn digit


class IccidRangeError(ValueError):
    """A range that cannot be used; ``rule`` names what is wrong."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class IccidRange:
    start: str
    end: str

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if not value:
                raise IccidRangeError("iccid-range.empty", f"ICCID range {name} is empty")
            if not value.isascii() or not value.isdigit():
                raise IccidRangeError(
                    "iccid-range.not-digits", f"ICCID range {name} {value!r} must be digits only"
                )
            if len(value) > _MAX_DIGITS:
                raise IccidRangeError(
                    "iccid-range.length",
                    f"ICCID range {name} {value!r} has {len(value)} digits; at most 20",
                )
        if len(self.start) != len(self.end):
            raise IccidRangeError(
                "iccid-range.unequal-lengths",
                f"ICCID range {self.start}-{self.end}: both ends need the same number of digits",
            )
        if self.start > self.end:
            raise IccidRangeError(
                "iccid-range.reversed", f"ICCID range {self.start}-{self.end} ends before it starts"
            )

    @classmethod
    def parse(cls, text: str) -> IccidRange:
        """``START-END`` or ``PREFIX`` (spaces around the dash allowed)."""
        start, dash, end = text.strip().partition("-")
        start, end = start.strip(), end.strip()
        if dash and not end:
            raise IccidRangeError("iccid-range.no-end", f"ICCID range {text!r} has no end")
        return cls(start, end if dash else start)

    def contains(self, iccid: str) -> bool:
        digits = iccid.strip().rstrip("Ff")
        if not digits.isdigit() or len(digits) < len(self.start):
            return False
        head = digits[: len(self.start)]
        return self.start <= head <= self.end

    def __str__(self) -> str:
        return self.start if self.start == self.end else f"{self.start}-{self.end}"


def in_ranges(iccids: Iterable[str], ranges: Sequence[IccidRange]) -> list[str]:
    """The ICCIDs inside at least one of ``ranges``, in their order."""
    return [i for i in iccids if any(r.contains(i) for r in ranges)]


#: The sample operator's range: the issuer prefix the bundled SM-DP+ gives new profiles.
SAMPLE_ICCID_RANGES: tuple[IccidRange, ...] = (IccidRange("8999001", "8999001"),)
