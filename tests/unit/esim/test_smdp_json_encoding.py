"""Answers with binary fields spliced in as base64 are the JSON the plain encoder would give."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from esim.smdp.http_json import Base64Field, _encode

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
