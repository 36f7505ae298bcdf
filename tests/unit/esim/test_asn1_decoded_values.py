"""Every decoded value is walked whole for too large INTEGERs and asn1tools' absent marker."""

from __future__ import annotations

from typing import Any

import pytest
from asn1tools.codecs import ber as asn1tools_ber

from esim.asn1.codec import _check_decoded_value
from esim.asn1.errors import Asn1DecodeError


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ({"a": [1, (b"x", 2**200)]}, "asn1.T.integer-too-large"),
        ([{"deep": {"deeper": [asn1tools_ber.TAG_MISMATCH]}}], "asn1.T.malformed"),
        (("choice", {"seq": -(2**129)}), "asn1.T.integer-too-large"),
        (asn1tools_ber.TAG_MISMATCH, "asn1.T.malformed"),
    ],
)
def test_a_bad_value_anywhere_is_refused(value: Any, rule: str) -> None:
    with pytest.raises(Asn1DecodeError) as caught:
        _check_decoded_value("T", value)
    assert caught.value.rule == rule


def test_ordinary_decoded_values_pass() -> None:
    _check_decoded_value("T", {"a": [b"x", bytearray(b"y"), "z", True, 2**128 - 1, ("c", {})]})
