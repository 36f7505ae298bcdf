"""Envelope text from the page: lone surrogates become U+FFFD, nothing else changes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from simulator.bridge.envelope import REPLACEMENT_CHARACTER, parse_call, parse_envelope
from simulator.contract.values import JsObject

DOC = "0123456789abcdef0123456789abcdef"


def _envelope(value: str, key: str = "planName") -> str:
    argument = {"t": "object", "v": [[key, {"t": "string", "v": value}]]}
    return json.dumps(
        {
            "kind": "call",
            "seq": 2,
            "doc": DOC,
            "token": "t",
            "href": "https://x/",
            "object": "MobilePlans",
            "member": "notifyCancelledPurchase",
            "args": [argument],
            "operationId": None,
        }
    )


def test_lone_surrogates_in_values_and_keys_become_replacement_characters() -> None:
    call = parse_call(parse_envelope(_envelope("a\ud800b\udfff", key="k\udc00")))
    argument = call.args[0]
    assert isinstance(argument, JsObject)
    ((key, value),) = argument.entries
    assert key == f"k{REPLACEMENT_CHARACTER}"
    assert value == f"a{REPLACEMENT_CHARACTER}b{REPLACEMENT_CHARACTER}"
    f"{key}{value}".encode()  # writable as UTF-8


def test_a_proper_pair_is_kept() -> None:
    call = parse_call(parse_envelope(_envelope("\ud83d\ude00")))
    assert call.args[0] == JsObject((("planName", "\U0001f600"),))


@given(st.text(st.characters(exclude_categories=())))  # surrogates included
def test_every_decoded_string_is_valid_unicode(text: str) -> None:
    call = parse_call(parse_envelope(_envelope(text)))
    argument = call.args[0]
    assert isinstance(argument, JsObject)
    for key, value in argument.entries:
        f"{key}{value}".encode()
