"""The device side's directly written ES10 messages are the codec's bytes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1 import device_der_writers as write
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1EncodeError

NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 127, 128, 255, 256, -1, -128, -129, 2**63 - 1, 2**63, -(2**63), 2**64]),
)


def codec_or_error(message: m.Message, value: Any) -> bytes | type[Exception]:
    try:
        return message.encode(value)
    except Asn1EncodeError:
        return Asn1EncodeError


def written_or_error(write_it: Any, *arguments: Any) -> bytes | type[Exception]:
    try:
        return bytes(write_it(*arguments))
    except Asn1EncodeError:
        return Asn1EncodeError


@settings(max_examples=200, deadline=None)
@given(NUMBERS)
def test_the_integer_messages(number: int) -> None:
    assert write.retrieve_notifications_list_request(number) == (
        m.RETRIEVE_NOTIFICATIONS_LIST_REQUEST.encode({"searchCriteria": ("seqNumber", number)})
    )
    assert write.notification_sent_request(number) == m.NOTIFICATION_SENT_REQUEST.encode(
        {"seqNumber": number}
    )
    assert write.notification_sent_response(number) == m.NOTIFICATION_SENT_RESPONSE.encode(
        {"deleteNotificationStatus": number}
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=18), st.binary(max_size=80), st.one_of(st.none(), st.binary(max_size=33)))
def test_euicc_signed2(transaction_id: bytes, otpk: bytes, hash_cc: bytes | None) -> None:
    value = {"transactionId": transaction_id, "euiccOtpk": otpk}
    if hash_cc is not None:
        value["hashCc"] = hash_cc
    expected = codec_or_error(m.EUICC_SIGNED2, value)
    assert written_or_error(write.euicc_signed2, transaction_id, otpk, hash_cc) == expected


@pytest.mark.parametrize("transaction_id", [bytes(16), b"\x01"])
def test_the_cards_own_values_never_reach_the_codec(
    transaction_id: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    otpk = b"\x04" + bytes(64)
    expected = m.EUICC_SIGNED2.encode(
        {"transactionId": transaction_id, "euiccOtpk": otpk, "hashCc": bytes(32)}
    )
    sent = m.NOTIFICATION_SENT_REQUEST.encode({"seqNumber": 300})

    def codec_called(_message: m.Message, _value: Any) -> bytes:
        raise AssertionError("the codec was asked")

    monkeypatch.setattr(m.Message, "encode", codec_called)
    assert write.euicc_signed2(transaction_id, otpk, bytes(32)) == expected
    assert write.notification_sent_request(300) == sent
