"""Answers with binary fields spliced in as base64 are the JSON the plain encoder would give;
binary request fields read the same with or without whitespace."""

from __future__ import annotations

import base64
import binascii
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.smdp.http_json import Base64Field, _encode, b64, binary_field
from esim.smdp.status import Es9Error

NAMES = st.text(min_size=1, max_size=8)
PLAIN = st.one_of(st.integers(), st.text(max_size=20), st.dictionaries(NAMES, st.booleans()))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(NAMES, st.one_of(PLAIN, st.binary(max_size=300)), max_size=6))
def test_spliced_answers_decode_to_the_same_object(fields: dict[str, object]) -> None:
    body = {
        name: Base64Field(value) if isinstance(value, bytes) else value
        for name, value in fields.items()
    }
    expected = {
        name: base64.b64encode(value).decode() if isinstance(value, bytes) else value
        for name, value in fields.items()
    }
    assert json.loads(_encode(body)) == expected


def test_a_bound_profile_package_answer_keeps_its_field_order() -> None:
    body = {"header": {"functionExecutionStatus": {"status": "Executed-Success"}}}
    body |= {"transactionId": "AB", "boundProfilePackage": Base64Field(b"\xbf\x36\x00")}
    assert _encode(body) == (
        b'{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},'
        b'"transactionId":"AB","boundProfilePackage":"vzYA"}'
    )


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=60),
    breaks=st.lists(st.tuples(st.integers(0, 100), st.sampled_from([" ", "\n", "\r\n", "\t"]))),
    junk=st.sampled_from(["", "=", "é", "*", "A"]),
)
def test_binary_fields_read_with_or_without_whitespace(
    data: bytes, breaks: list[tuple[int, str]], junk: str
) -> None:
    """Whitespace inside base64 is tolerated; anything else that is not base64 is refused."""
    text = base64.b64encode(data).decode()
    for position, space in breaks:
        at = position % (len(text) + 1)
        text = text[:at] + space + text[at:]
    text += junk
    assert_decoded_as_the_standard_library_does(text)
    if not junk:
        assert binary_field({"field": text}, "field") == data


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=100), st.binary(min_size=1000, max_size=70_000)))
def test_binary_answer_fields_are_the_standard_librarys_base64(data: bytes) -> None:
    """Answers encode base64 with pybase64, byte for byte what the standard library writes."""
    assert Base64Field(data).encoded == base64.b64encode(data)
    assert b64(data) == base64.b64encode(data).decode("ascii")


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.text(alphabet="ABCabc012+/= \n-_é\x00", max_size=40),
        st.binary(max_size=200).map(lambda data: base64.b64encode(data).decode()),
    )
)
def test_binary_fields_decode_exactly_as_the_standard_library(text: str) -> None:
    """Any text at all: the same bytes as ``base64.b64decode(validate=True)`` after removing
    whitespace, or the same refusal."""
    assert_decoded_as_the_standard_library_does(text)


def assert_decoded_as_the_standard_library_does(text: str) -> None:
    """The same bytes as ``base64.b64decode(validate=True)`` after removing whitespace, or
    the same refusal."""
    try:
        expected: bytes | None = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        expected = None
    if expected is None:
        with pytest.raises(Es9Error) as raised:
            binary_field({"field": text}, "field")
        assert raised.value.rule == "field.field.base64"
    else:
        assert binary_field({"field": text}, "field") == expected
