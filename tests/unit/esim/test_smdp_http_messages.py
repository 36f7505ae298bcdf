"""The SM-DP+'s HTTP head parser: any bytes give a parsed head or a FramingError naming its
rule, never another exception; well-formed heads read back what was written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.smdp.http_messages import (
    MAX_BODY_BYTES,
    FramingError,
    Headers,
    content_length,
    parse_head,
)

TOKEN = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
    min_size=1,
    max_size=20,
)
VALUE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_name_the_broken_rule(head: bytes) -> None:
    try:
        parse_head(head)
    except FramingError as error:
        refusal = error
    else:
        return
    assert refusal.rule.startswith("http.")
    assert refusal.status in (400, 431)


@given(
    method=st.sampled_from(["POST", "GET", "PUT"]),
    path=st.from_regex(r"/[a-z0-9/]{0,30}", fullmatch=True),
    version=st.sampled_from(["HTTP/1.1", "HTTP/1.0"]),
    fields=st.dictionaries(TOKEN, VALUE, max_size=8),
)
def test_a_well_formed_head_reads_back(
    method: str, path: str, version: str, fields: dict[str, str]
) -> None:
    lines = [f"{method} {path}?query=1 {version}"] + [f"{k}: {v}" for k, v in fields.items()]
    parsed_method, target, keep_alive, headers = parse_head("\r\n".join(lines).encode())
    assert (parsed_method, target, keep_alive) == (method, path, version == "HTTP/1.1")
    expected: dict[str, list[str]] = {}
    for name, value in fields.items():
        expected.setdefault(name.lower(), []).append(value)
    assert headers == {name: ", ".join(values) for name, values in expected.items()}


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        ({}, 0),
        ({"content-length": "12"}, 12),
        ({"content-length": "+12"}, "http.content-length"),
        ({"content-length": "1_000"}, "http.content-length"),
        ({"content-length": "١٢"}, "http.content-length"),  # Arabic-Indic digits: not ASCII
        ({"content-length": "9" * 13}, "http.content-length"),
        ({"content-length": str(MAX_BODY_BYTES + 1)}, "http.body-too-large"),
        ({"transfer-encoding": "chunked", "content-length": "3"}, "http.transfer-encoding"),
    ],
)
def test_the_body_length(fields: dict[str, str], outcome: int | str) -> None:
    if isinstance(outcome, int):
        assert content_length(Headers(fields)) == outcome
        return
    with pytest.raises(FramingError) as caught:
        content_length(Headers(fields))
    assert caught.value.rule == outcome
    assert caught.value.body_refused is (outcome != "http.content-length")
