"""Activation codes: SGP.22 §4.1 serialisations, §1.4 real codes, §1.3 rejections, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esim.activation_code import ActivationCode, ActivationCodeError

REAL_CODES = [
    "LPA:1$rsp.truphone.com$QRF-BETTERROAMING-PMRDGIR2EARDEIT5",
    "LPA:1$rsp.truphone.com$QR-G-5C-1LS-1W1Z9P7",
    "LPA:1$rsp.truphone.com$QRF-SPEEDTEST",
    "LPA:1$dp-plus-par07-01.oasis-smartsim.com$16972-65675-56112-2T7TD$1.3.6.1.2.1.53860.7.5.1.1",
    "LPA:1$huk.prod.ondemandconnectivity.com$LBHWREN8ASCLTOTF$$1",
    "LPA:1$t-mobile.idemia.io$0123456789ABCDEF0123456789ABCDEF",
    "LPA:1$testsmdpplus1.example.com$TS48V1-A-UNIQUE",
]
CANONICAL = [
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815",
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1",
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1",
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746",
    "1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746",
]


@pytest.mark.parametrize("text", REAL_CODES)
def test_real_codes_parse_and_round_trip(text: str) -> None:
    code = ActivationCode.parse(text)
    assert code.had_lpa_prefix
    assert code.format(lpa_prefix=True) == text


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_serialisations_round_trip(text: str) -> None:
    code = ActivationCode.parse(text)
    assert not code.had_lpa_prefix
    assert code.format() == text
    assert str(code) == text


def test_fields_are_read_in_order() -> None:
    code = ActivationCode.parse("1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1")
    assert code.smdp_address == "SMDP.GSMA.COM"
    assert code.matching_id == "04386-AGYFT-A74Y8-3F815"
    assert code.smdp_oid == "1.3.6.1.4.1.31746"
    assert code.confirmation_code_required
    assert code.ci_public_key_id is None
    assert code.extra_fields == ()


def test_empty_oid_with_flag_and_empty_matching_id() -> None:
    code = ActivationCode.parse("1$SMDP.GSMA.COM$$$1")
    assert (code.matching_id, code.smdp_oid, code.confirmation_code_required) == ("", None, True)


def test_prefix_is_case_insensitive_and_whitespace_is_ignored() -> None:
    code = ActivationCode.parse("  lpa:1$rsp.example.com$matching-id\n")
    assert code.had_lpa_prefix
    assert code == ActivationCode.parse("1$rsp.example.com$matching-id")


def test_v3_fields_are_kept() -> None:
    text = "1$SMDP.GSMA.COM$ABC$$$F54172BDF98A95D65CBEB88A38A1C11D800A85C3$1$future"
    code = ActivationCode.parse(text)
    assert code.ci_public_key_id == "F54172BDF98A95D65CBEB88A38A1C11D800A85C3"
    assert code.extra_fields == ("1", "future")
    assert code.format() == text


@pytest.mark.parametrize(
    ("text", "category", "rule", "words"),
    [
        ("", "format", "ac.format.empty", "empty"),
        ("LPA:", "format", "ac.format.empty", "empty"),
        ("1$SMDP.GSMA.COM", "format", "ac.format.fields", "2 '$'-separated fields"),
        ("1$SMDP.GSMA.COM$ABC$", "format", "ac.format.trailing-delimiter", "trailing"),
        ("2$SMDP.GSMA.COM$ABC", "version", "ac.version.unsupported", "'2'"),
        ("$SMDP.GSMA.COM$ABC", "version", "ac.version.empty", "empty"),
        ("LPA:LPA:1$SMDP.GSMA.COM$ABC", "version", "ac.version.double-prefix", "twice"),
        ("1$foo bar$ABC", "address", "ac.address.space", "'foo bar' contains a space"),
        ("1$$ABC", "address", "ac.address.empty", "empty"),
        ("1$https://smdp.example.com$ABC", "address", "ac.address.scheme", "scheme"),
        ("1$smdp.example.com/gsma$ABC", "address", "ac.address.path", "path"),
        ("1$smdp.example.com:8443$ABC", "address", "ac.address.port", "port"),
        ("1$127.0.0.1$ABC", "address", "ac.address.ip-literal", "IP address"),
        ("1$[::1]$ABC", "address", "ac.address.ip-literal", "IPv6"),
        ("1$smdp_1.example.com$ABC", "address", "ac.address.characters", "'_'"),
        ("1$localhost$ABC", "address", "ac.address.labels", "single label"),
        ("1$smdp..example.com$ABC", "address", "ac.address.label-empty", "empty label"),
        ("1$-smdp.example.com$ABC", "address", "ac.address.label-hyphen", "'-smdp'"),
        ("1$SMDP.GSMA.COM$ABC DEF", "token", "ac.token.characters", "a space at position 4"),
        ("1$SMDP.GSMA.COM$ABC_DEF", "token", "ac.token.characters", "'_'"),
        ("1$SMDP.GSMA.COM$ABC$123456", "oid", "ac.oid.arcs", "not a confirmation code"),
        ("1$SMDP.GSMA.COM$ABC$1.3.6.x", "oid", "ac.oid.characters", "'x'"),
        ("1$SMDP.GSMA.COM$ABC$1..3", "oid", "ac.oid.empty-arc", "empty arc"),
        ("1$SMDP.GSMA.COM$ABC$1.03.6", "oid", "ac.oid.leading-zero", "'03'"),
        ("1$SMDP.GSMA.COM$ABC$3.1", "oid", "ac.oid.first-arc", "3"),
        ("1$SMDP.GSMA.COM$ABC$1.40", "oid", "ac.oid.second-arc", "40"),
        ("1$SMDP.GSMA.COM$ABC$$0", "flag", "ac.flag.value", "'0'"),
        ("1$SMDP.GSMA.COM$ABC$$yes", "flag", "ac.flag.value", "'yes'"),
        ("1$SMDP.GSMA.COM$ABC$$1$ key", "format", "ac.format.characters", "a space"),
        ("1$SMDP.GSMA.COM$" + "A" * 240, "too-long", "ac.too-long", "at most 255"),
    ],
)
def test_rejections_say_what_is_wrong(text: str, category: str, rule: str, words: str) -> None:
    with pytest.raises(ActivationCodeError) as caught:
        ActivationCode.parse(text)
    error = caught.value
    assert (error.category, error.rule) == (category, rule)
    assert words in error.message
    assert str(error) == error.message
    assert "SGP.22" in error.spec


def test_constructor_validates_too() -> None:
    with pytest.raises(ActivationCodeError) as caught:
        ActivationCode("foo bar", "ABC")
    assert caught.value.rule == "ac.address.space"
    with pytest.raises(ActivationCodeError):
        ActivationCode("smdp.example.com", "ABC", extra_fields=("x", ""))


def test_huge_input_is_rejected_early() -> None:
    with pytest.raises(ActivationCodeError) as caught:
        ActivationCode.parse("1$" + "a." * 100_000)
    assert caught.value.category == "too-long"
    assert len(caught.value.message) < 400


labels = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True)
hosts = (
    st.lists(labels, min_size=2, max_size=4)
    .map(".".join)
    .filter(lambda host: not all(label.isdigit() for label in host.split(".")))
)
tokens = st.from_regex(r"[A-Za-z0-9-]{0,40}", fullmatch=True)
oids = st.one_of(
    st.none(),
    st.builds(
        lambda root, second, rest: ".".join([str(root), str(second), *map(str, rest)]),
        st.integers(0, 2),
        st.integers(0, 39),
        st.lists(st.integers(0, 10**9), max_size=6),
    ),
)
codes = st.builds(
    ActivationCode,
    smdp_address=hosts,
    matching_id=tokens,
    smdp_oid=oids,
    confirmation_code_required=st.booleans(),
    ci_public_key_id=st.one_of(st.none(), st.from_regex(r"[0-9A-F]{1,40}", fullmatch=True)),
)


@given(codes, st.booleans())
def test_format_then_parse_round_trips(code: ActivationCode, prefix: bool) -> None:
    parsed = ActivationCode.parse(code.format(lpa_prefix=prefix))
    assert parsed == code
    assert parsed.had_lpa_prefix == prefix


def _attempt(text: str) -> ActivationCode | ActivationCodeError:
    try:
        return ActivationCode.parse(text)
    except ActivationCodeError as error:
        return error


CATEGORIES = {"format", "version", "address", "token", "oid", "flag", "too-long"}


@given(st.text())
def test_parse_fuzz_arbitrary_text(text: str) -> None:
    result = _attempt(text)
    if isinstance(result, ActivationCodeError):
        assert result.category in CATEGORIES
        assert result.rule.startswith("ac.")
    else:
        assert ActivationCode.parse(result.format()) == result


@given(st.lists(st.text(alphabet="1$.-aZ09 :/_", max_size=12), min_size=1, max_size=8))
def test_parse_fuzz_code_shaped_text(parts: list[str]) -> None:
    result = _attempt("$".join(parts))
    if isinstance(result, ActivationCodeError):
        assert result.category in CATEGORIES
    else:
        assert ActivationCode.parse(result.format()) == result
