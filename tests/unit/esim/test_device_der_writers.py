"""The device side's directly written ES10 messages are the codec's bytes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1 import device_der_writers as write
from esim.asn1 import messages as m
from esim.asn1.codec import rsp_codec
from esim.asn1.device_der import DEVICE_CAPABILITY_NAMES
from esim.asn1.errors import Asn1EncodeError
from esim.lpa.es10 import DeviceInfo

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


CAPABILITY = st.sampled_from(DEVICE_CAPABILITY_NAMES)
DEVICE_INFO = st.fixed_dictionaries(
    {
        "tac": st.binary(min_size=3, max_size=5),
        "deviceCapabilities": st.dictionaries(
            st.one_of(CAPABILITY, st.just("futureRelease")),
            st.binary(min_size=2, max_size=4),
            max_size=5,
        ),
    },
    optional={"imei": st.binary(min_size=7, max_size=9)},
)


def codec_ctx_params1(matching_id: str | None, device_info: dict[str, Any]) -> bytes | type:
    context: dict[str, Any] = {"deviceInfo": device_info}
    if matching_id:
        context["matchingId"] = matching_id
    try:
        return rsp_codec().encode("CtxParams1", ("ctxParamsForCommonAuthentication", context))
    except Asn1EncodeError:
        return Asn1EncodeError


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=30)), DEVICE_INFO)
def test_ctx_params1(matching_id: str | None, device_info: dict[str, Any]) -> None:
    expected = codec_ctx_params1(matching_id, device_info)
    assert written_or_error(write.ctx_params1, matching_id, device_info) == expected


def test_the_lpas_own_device_info_never_reaches_the_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    info = DeviceInfo(imei="356938035643809", capabilities={"lpaSvn": b"\x02\x02\x00"}).to_asn1()
    expected = codec_ctx_params1("MATCHING-ID", info)

    def codec_called(*_arguments: Any) -> bytes:
        raise AssertionError("the codec was asked")

    monkeypatch.setattr(type(rsp_codec()), "encode", codec_called)
    assert write.ctx_params1("MATCHING-ID", info) == expected
