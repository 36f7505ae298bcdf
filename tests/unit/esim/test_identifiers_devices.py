"""IMEI, MEID, ESN, MDN, MIN, MSISDN: vectors from ThingSpace device identifiers doc."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esim.identifiers import Esn, IdentifierError, Imei, Mdn, Meid, Min, Msisdn


@pytest.mark.parametrize("text", ["001102000315468", "490154203237518", "35-332811-000000-5"])
def test_imei_parses(text: str) -> None:
    imei = Imei.parse(text)
    assert len(imei.digits) == 15
    assert imei.digits == text.replace("-", "")


def test_imei_parts_and_check_digit() -> None:
    imei = Imei.with_check_digit("49015420323751")
    assert imei.digits == "490154203237518"
    assert (imei.tac, imei.serial) == ("49015420", "323751")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "imei.empty"),
        ("490154203237517", "imei.check-digit"),
        ("49015420323751", "imei.missing-check-digit"),
        ("4901542032375112", "imei.imeisv"),
        ("4901542032", "imei.length"),
        ("49015420323751A", "imei.characters"),
    ],
)
def test_imei_rejections(text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        Imei.parse(text)
    assert (caught.value.kind, caught.value.rule) == ("IMEI", rule)


def test_imei_generate_is_valid_and_reproducible() -> None:
    imei = Imei.generate(rng=random.Random(1))
    assert imei.tac == "35332811"
    assert Imei.parse(str(imei)) == imei
    assert Imei.generate(rng=random.Random(1)) == imei
    with pytest.raises(IdentifierError):
        Imei.generate(tac="123")


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.randoms())
def test_imei_generate_then_parse(tac: str, rng: random.Random) -> None:
    imei = Imei.generate(tac, rng=rng)
    assert Imei.parse(imei.digits) == imei


def test_meid_hex_to_decimal_and_back() -> None:
    meid = Meid.parse("A10000009296F2")
    assert meid.to_decimal() == "270113177609606898"
    assert Meid.from_decimal("270113177609606898") == meid
    assert str(Meid.parse("a1 000000 9296f2")) == "A10000009296F2"


def test_meid_check_digits() -> None:
    assert Meid.parse("AF0123450ABCDE").check_digit == "C"
    assert Meid.parse("AF0123450ABCDEC") == Meid.parse("AF0123450ABCDE")
    assert Meid.parse("293608736500703710").to_decimal(with_check_digit=True).endswith("0")
    assert Meid.parse("2936087365007037100") == Meid.parse("293608736500703710")


def test_pseudo_esn_hashes_binary_bytes() -> None:
    pesn = Meid.parse("A0000000002329").pseudo_esn()
    assert pesn == Esn.parse("8051F1AB")
    assert pesn.is_pseudo


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "meid.empty"),
        ("AF0123450ABCDEA", "meid.check-digit"),
        ("2936087365007037101", "meid.check-digit"),
        ("AF0123450ABCD", "meid.length"),
        ("AF0123450ABCDG", "meid.characters"),
        ("A9360873650070371F", "meid.characters"),
        ("999999999900000000", "meid.decimal-range"),
    ],
)
def test_meid_rejections(text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        Meid.parse(text)
    assert (caught.value.kind, caught.value.rule) == ("MEID", rule)


@given(st.integers(min_value=0, max_value=2**56 - 1))
def test_meid_decimal_round_trip(value: int) -> None:
    meid = Meid(f"{value:014X}")
    assert Meid.from_decimal(meid.to_decimal()) == meid
    assert Meid.parse(meid.digits + meid.check_digit) == meid


def test_esn_hex_decimal_known_answer() -> None:
    esn = Esn.parse("8051f1ab")
    assert (esn.to_hex(), esn.to_decimal()) == ("8051F1AB", "12805370283")
    assert Esn.parse("12805370283") == esn
    assert not Esn.parse("12345678").is_pseudo


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "esn.empty"),
        ("8051F1AG", "esn.characters"),
        ("1280537028X", "esn.characters"),
        ("25616777215", "esn.decimal-range"),
        ("25516777216", "esn.decimal-range"),
        ("8051F1A", "esn.length"),
    ],
)
def test_esn_rejections(text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        Esn.parse(text)
    assert (caught.value.kind, caught.value.rule) == ("ESN", rule)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_esn_round_trip(value: int) -> None:
    esn = Esn(f"{value:08X}")
    assert Esn.parse(esn.to_decimal()) == esn


def test_mdn_min_msisdn_parse() -> None:
    assert str(Mdn.parse("5555550123")) == "5555550123"
    assert str(Mdn.parse("(555) 555-0123")) == "5555550123"
    assert str(Mdn.parse("+1 555 555 0123")) == "5555550123"
    assert str(Min.parse("0123456789")) == "0123456789"
    assert Mdn.parse("1234567890", nanp=False).digits == "1234567890"
    msisdn = Msisdn.parse("+1 555-555-0123")
    assert (str(msisdn), msisdn.e164) == ("15555550123", "+15555550123")


@pytest.mark.parametrize(
    ("parse", "text", "rule"),
    [
        (Mdn.parse, "555555012", "mdn.length"),
        (Mdn.parse, "1235550123", "mdn.nanp"),
        (Mdn.parse, "5550550123", "mdn.nanp"),
        (Mdn.parse, "555555O123", "mdn.characters"),
        (Mdn.parse, "", "mdn.empty"),
        (Min.parse, "12345", "min.length"),
        (Msisdn.parse, "0555550123", "msisdn.leading-zero"),
        (Msisdn.parse, "1234567890123456", "msisdn.length"),
        (Msisdn.parse, "+", "msisdn.empty"),
        (Msisdn.parse, "+44 20 7946 0958 ext", "msisdn.characters"),
    ],
)
def test_phone_rejections(parse: Callable[[str], object], text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse(text)
    assert caught.value.rule == rule
    assert caught.value.message


@pytest.mark.parametrize(
    "parse", [Imei.parse, Meid.parse, Esn.parse, Mdn.parse, Min.parse, Msisdn.parse]
)
@given(text=st.text())
def test_every_device_parser_raises_only_identifier_error(
    parse: Callable[[str], object], text: str
) -> None:
    try:
        value = parse(text)
    except IdentifierError as error:
        failure: IdentifierError | None = error
    else:
        failure = None
        assert parse(str(value)) == value
    if failure is not None:
        assert failure.message
        assert failure.spec
