"""The ES9+ client's base64: pybase64 first, the standard library for whatever it refuses."""

from __future__ import annotations

import base64
import binascii

import pybase64
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.lpa.errors import Es9TransportError
from esim.lpa.es9_client import _binary

ALPHABET = "ABCDEFabcdef0123456789+/= \n\t-_é"
ENCODED = st.binary(max_size=60).map(lambda data: base64.b64encode(data).decode())
TEXTS = st.one_of(
    st.text(alphabet=ALPHABET, max_size=40),
    ENCODED,
    ENCODED.map(lambda text: text + "="),
    ENCODED.map(lambda text: text[:5] + "\n" + text[5:]),
)


def standard(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_pybase64_never_accepts_what_the_standard_library_refuses(text: str) -> None:
    try:
        fast = pybase64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return
    assert fast == base64.b64decode(text, validate=True)


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_a_field_decodes_exactly_as_with_the_standard_library(text: str) -> None:
    expected = standard(text) if text else None
    if expected is None:
        with pytest.raises(Es9TransportError):
            _binary({"field": text}, "getBoundProfilePackage", "field")
    else:
        assert _binary({"field": text}, "getBoundProfilePackage", "field") == expected


def test_both_decoders_differ_where_the_fallback_matters() -> None:
    """ "7548=" (a padding sign after a whole quantum): the standard library reads it, pybase64
    refuses it, so the answer is still read as before."""
    with pytest.raises(binascii.Error):
        pybase64.b64decode("7548=", validate=True)
    assert _binary({"field": "7548="}, "f", "field") == base64.b64decode("7548=", validate=True)
