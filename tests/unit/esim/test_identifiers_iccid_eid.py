"""ICCID and EID: known answers from ITU-T E.118 and Mobile Plans web portal doc; round-trips."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esim.identifiers import Eid, Iccid, IdentifierError

T = TypeVar("T")


def _attempt(parse: Callable[[T], object], value: T) -> object:
    """The parsed value or the IdentifierError; any other exception escapes and fails the test."""
    try:
        return parse(value)
    except IdentifierError as error:
        return error


@pytest.mark.parametrize(
    "text",
    [
        "8988247000100003319",  # Mobile Plans web portal doc query-parameter example
        "8944476500008772514",
        "89852351224030086192",
        "89103000000489435368",
        "89000123456789012341",
        "8949449999999990031",
    ],
)
def test_real_iccids_parse(text: str) -> None:
    assert str(Iccid.parse(text)) == text


def test_iccid_trailing_f_and_whitespace_are_stripped() -> None:
    assert Iccid.parse("  8988247000100003319F\n").digits == "8988247000100003319"
    assert Iccid.parse("8988247000100003319ff").digits == "8988247000100003319"


def test_iccid_sgp22_encoding_known_answer() -> None:
    iccid = Iccid.parse("89000123456789012341")
    assert iccid.to_sgp22_bytes().hex().upper() == "98001032547698103214"
    assert Iccid.from_sgp22_bytes(bytes.fromhex("98001032547698103214")) == iccid


def test_iccid_sgp22_encoding_of_19_digits_pads_with_f() -> None:
    encoded = Iccid.parse("8988247000100003319").to_sgp22_bytes()
    assert len(encoded) == 10
    assert encoded[-1] == 0xF9  # last digit 9 and the F pad, nibble-swapped


def test_iccid_profile_header_bcd_known_answer() -> None:
    # TS48V1-A-UNIQUE.der ProfileHeader.iccid
    iccid = Iccid.from_bcd(bytes.fromhex("8949449999999990023F"))
    assert iccid.digits == "8949449999999990023"
    assert iccid.to_bcd().hex().upper() == "8949449999999990023F"


def test_iccid_with_check_digit() -> None:
    assert Iccid.with_check_digit("898824700010000331").digits == "8988247000100003319"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "iccid.empty"),
        ("   ", "iccid.empty"),
        ("FFFF", "iccid.empty"),
        ("8988247000100003318", "iccid.check-digit"),
        ("898824700010000331", "iccid.check-digit"),
        ("89882470001000", "iccid.length"),
        ("898824700010000331912", "iccid.length"),
        ("8988-2470-0010-0003-319", "iccid.characters"),
        ("8988247000100003319F1", "iccid.characters"),
        ("89882470001000033١9", "iccid.characters"),  # Arabic-Indic digit
        ("988247000100003555", "iccid.prefix"),  # the docs' typo
    ],
)
def test_iccid_rejections_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        Iccid.parse(text)
    error = caught.value
    assert error.rule == rule
    assert error.kind == "ICCID"
    assert "E.118" in error.spec
    assert str(error) == error.message
    assert isinstance(error, ValueError)


def test_iccid_luhn_can_be_skipped() -> None:
    assert Iccid.parse("8988247000100003318", check_luhn=False).digits == "8988247000100003318"


def test_iccid_encoded_length_and_nibbles_are_checked() -> None:
    with pytest.raises(IdentifierError) as caught:
        Iccid.from_sgp22_bytes(b"\x98\x00")
    assert caught.value.rule == "iccid.encoded-length"
    with pytest.raises(IdentifierError) as caught:
        Iccid.from_bcd(bytes.fromhex("89494499999999900A3F"))
    assert caught.value.rule == "iccid.nibbles"


def test_error_value_is_truncated() -> None:
    with pytest.raises(IdentifierError) as caught:
        Iccid.parse("x" * 1000)
    assert len(caught.value.value) <= 65
    assert len(caught.value.message) < 300


iccid_bodies = st.integers(min_value=17, max_value=19).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n - 2, max_size=n - 2).map(lambda s: "89" + s)
)


@given(iccid_bodies)
def test_iccid_byte_encodings_round_trip(body: str) -> None:
    iccid = Iccid.with_check_digit(body)
    assert Iccid.parse(str(iccid)) == iccid
    assert Iccid.from_sgp22_bytes(iccid.to_sgp22_bytes()) == iccid
    assert Iccid.from_bcd(iccid.to_bcd()) == iccid
    assert len(iccid.to_sgp22_bytes()) == 10


@given(st.text())
def test_iccid_parse_fuzz(text: str) -> None:
    result = _attempt(Iccid.parse, text)
    if isinstance(result, IdentifierError):
        assert result.rule.startswith("iccid.")
    else:
        assert Iccid.parse(str(result)) == result


@given(st.binary(max_size=12))
def test_iccid_bytes_fuzz(data: bytes) -> None:
    for decode in (Iccid.from_sgp22_bytes, Iccid.from_bcd):
        result = _attempt(decode, data)
        assert isinstance(result, Iccid | IdentifierError)


@pytest.mark.parametrize(
    "text",
    [
        "89033023422130000000000199055797",
        "89049032123451234512345678901235",
        "89049044900000000000000000102355",
        "89049032000000000000279973200019",
        "89034011560010000000000000000121",
    ],
)
def test_real_eids_parse(text: str) -> None:
    eid = Eid.parse(text)
    assert str(eid) == text
    assert Eid.from_bcd(eid.to_bcd()) == eid
    assert len(eid.to_bcd()) == 16


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "eid.empty"),
        # v-euicc's default EID fails mod 97 (SGP.22 §3.1)
        ("89049032000000000000000000000123", "eid.check-digits"),
        ("89049032123451234512345678901335", "eid.check-digits"),
        ("8904903212345123451234567890123", "eid.length"),
        ("89049032A2345123451234567890123F", "eid.characters"),
    ],
)
def test_eid_rejections(text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        Eid.parse(text)
    assert caught.value.rule == rule
    assert caught.value.kind == "EID"
    assert "SGP.29" in caught.value.spec


def test_eid_check_digit_message_gives_the_right_digits() -> None:
    with pytest.raises(IdentifierError) as caught:
        Eid.parse("89049032000000000000000000000123")
    assert repr(str(Eid.generate(body="0" * 19 + "001"))[30:]) in caught.value.message


def test_eid_generate_defaults_to_the_sgp26_test_range() -> None:
    eid = Eid.generate(rng=random.Random(7))
    assert eid.digits.startswith("89049032")
    assert eid.issuer_prefix == "89049032"
    assert Eid.generate(rng=random.Random(7)) == eid


def test_eid_generate_rejects_wrong_lengths() -> None:
    with pytest.raises(IdentifierError) as caught:
        Eid.generate(body="123")
    assert caught.value.rule == "eid.body"


@given(
    st.text(alphabet="0123456789", min_size=22, max_size=22),
    st.sampled_from(["89049032", "89033023"]),
)
def test_eid_generate_then_parse(body: str, prefix: str) -> None:
    eid = Eid.generate(prefix=prefix, body=body)
    assert Eid.parse(eid.digits) == eid
    assert int(eid.digits) % 97 == 1


@given(st.text())
def test_eid_parse_fuzz(text: str) -> None:
    result = _attempt(Eid.parse, text)
    if isinstance(result, IdentifierError):
        assert result.rule.startswith("eid.")
    else:
        assert Eid.parse(str(result)) == result
