"""The Luhn and MOD 97-10 checks of `esim.identifiers` agree with python-stdnum's, and a start-up
that parses an IMEI, an EID and an ICCID never imports stdnum (an MEID does)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from esim.identifiers._checksums import luhn_check_digit, luhn_checksum, mod_97_10_is_valid

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=40)


@given(DIGITS)
def test_luhn_matches_stdnum(digits: str) -> None:
    assert luhn_checksum(digits) == luhn.checksum(digits)
    assert luhn_check_digit(digits) == luhn.calc_check_digit(digits)
    assert luhn_checksum(digits + luhn_check_digit(digits)) == 0


@given(DIGITS)
def test_mod_97_10_matches_stdnum(digits: str) -> None:
    assert mod_97_10_is_valid(digits) == mod_97_10.is_valid(digits)


def test_known_answers() -> None:
    assert luhn_check_digit("7992739871") == "3"  # the classic Luhn example
    assert luhn_checksum("79927398713") == 0
    assert mod_97_10_is_valid("89033023422130000000000199055797")  # the docs' example EID
    assert not mod_97_10_is_valid("89033023422130000000000199055796")


_PARSE_ALL = """
import sys
from esim.identifiers import Eid, Iccid, Imei, Meid
Imei.parse("001102000315468"); Eid.parse("89033023422130000000000199055797")
Iccid.parse("8988247000100003319")
print("stdnum" in sys.modules)
Meid.parse("A10000009296F2")
print("stdnum" in sys.modules)
"""


def test_stdnum_is_imported_only_for_an_meid() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PARSE_ALL], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["False", "True"]
