"""The two check-digit schemes every start-up needs: Luhn (IMEI, ICCID) and ISO/IEC 7064
MOD 97-10 (EID), on strings already checked to be ASCII decimal digits.

Written here rather than taken from python-stdnum because importing any stdnum module first
imports its package, whose helpers pull in pydoc, platform and sysconfig (15-20 ms), and every
`mobileplans-sim run` parses an IMEI, an EID and an ICCID before the portal loads. The MEID's
hexadecimal Luhn and pseudo-ESN still come from stdnum, imported when an MEID is first used.
The unit tests hold both functions equal to stdnum's.
"""

from __future__ import annotations

# A digit's contribution when it sits at an odd position from the right: doubled, digits summed.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_checksum(digits: str) -> int:
    """The Luhn sum of *digits* (check digit included) mod 10; 0 when the check digit is right."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        total += _DOUBLED[value] if position % 2 else value
    return total % 10


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit to append to *body*."""
    return str(-luhn_checksum(body + "0") % 10)


def mod_97_10_is_valid(digits: str) -> bool:
    """ISO/IEC 7064 MOD 97-10: the number, check digits included, is 1 modulo 97."""
    return int(digits) % 97 == 1
