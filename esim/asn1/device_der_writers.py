"""Direct DER writers for the small ES10 messages the LPA and the eUICC send on every download.

Each returns the codec's bytes for its message (a property test holds them byte for byte
equal, ``tests/unit/esim/test_device_der_writers.py``); values outside what it writes itself (an
INTEGER beyond 64 bits, a field of the wrong size) go to the codec, which then encodes or
refuses them as before.
"""

from __future__ import annotations

from typing import Any

from esim.asn1 import messages as m
from esim.asn1.codec import rsp_codec
from esim.asn1.device_der import DEVICE_CAPABILITY_NAMES
from esim.asn1.tlv import encode_length

_MAX_INTEGER_BITS = 64


def _tlv(tag: bytes, value: bytes) -> bytes:
    return tag + encode_length(len(value)) + value


def _integer(value: int) -> bytes | None:
    if type(value) is not int or value.bit_length() > _MAX_INTEGER_BITS:
        return None
    return value.to_bytes(
        (value + 1 if value < 0 else value).bit_length() // 8 + 1, "big", signed=True
    )


def retrieve_notifications_list_request(seq_number: int) -> bytes:
    """RetrieveNotificationsListRequest (BF2B) searching by seqNumber (SGP.22 §5.7.10)."""
    number = _integer(seq_number)
    if number is None:
        return m.RETRIEVE_NOTIFICATIONS_LIST_REQUEST.encode(
            {"searchCriteria": ("seqNumber", seq_number)}
        )
    return _tlv(b"\xbf\x2b", _tlv(b"\xa0", _tlv(b"\x80", number)))


def notification_sent_request(seq_number: int) -> bytes:
    """NotificationSentRequest (BF30), RemoveNotificationFromList's command (§5.7.11)."""
    number = _integer(seq_number)
    if number is None:
        return m.NOTIFICATION_SENT_REQUEST.encode({"seqNumber": seq_number})
    return _tlv(b"\xbf\x30", _tlv(b"\x80", number))


def notification_sent_response(status: int) -> bytes:
    """NotificationSentResponse (BF30) with deleteNotificationStatus (§5.7.11)."""
    number = _integer(status)
    if number is None:
        return m.NOTIFICATION_SENT_RESPONSE.encode({"deleteNotificationStatus": status})
    return _tlv(b"\xbf\x30", _tlv(b"\x80", number))


def euicc_signed2(transaction_id: bytes, euicc_otpk: bytes, hash_cc: bytes | None) -> bytes:
    """EUICCSigned2 (30): transactionId 80, euiccOtpk 5F49, hashCc 04 (§5.7.5)."""
    if (
        type(transaction_id) is not bytes
        or type(euicc_otpk) is not bytes
        or not 1 <= len(transaction_id) <= 16
        or not (hash_cc is None or (type(hash_cc) is bytes and len(hash_cc) == 32))
    ):
        value = {"transactionId": transaction_id, "euiccOtpk": euicc_otpk}
        if hash_cc is not None:
            value["hashCc"] = hash_cc
        return m.EUICC_SIGNED2.encode(value)
    body = _tlv(b"\x80", transaction_id) + _tlv(b"\x5f\x49", euicc_otpk)
    if hash_cc is not None:
        body += _tlv(b"\x04", hash_cc)
    return _tlv(b"\x30", body)


_CAPABILITY_TAGS = {
    name: bytes([0x80 + number]) for number, name in enumerate(DEVICE_CAPABILITY_NAMES)
}
"""DeviceCapabilities members in schema order, AUTOMATIC TAGS (80, 81, ...)."""


def ctx_params1(matching_id: str | None, device_info: dict[str, Any]) -> bytes:
    """CtxParams1 (A0, ctxParamsForCommonAuthentication): matchingId 80, deviceInfo A1 with
    tac 80, deviceCapabilities A1, imei 82 (SGP.22 §5.7.13)."""
    direct = _ctx_params1(matching_id, device_info)
    if direct is not None:
        return direct
    context: dict[str, Any] = {"deviceInfo": device_info}
    if matching_id:
        context["matchingId"] = matching_id
    return rsp_codec().encode("CtxParams1", ("ctxParamsForCommonAuthentication", context))


def _ctx_params1(matching_id: str | None, device_info: dict[str, Any]) -> bytes | None:
    tac, capabilities, imei = (
        device_info.get("tac"),
        device_info.get("deviceCapabilities"),
        device_info.get("imei"),
    )
    if (
        not set(device_info) <= {"tac", "deviceCapabilities", "imei"}
        or type(tac) is not bytes
        or len(tac) != 4
        or type(capabilities) is not dict
        or not set(capabilities) <= set(_CAPABILITY_TAGS)
        or not (imei is None or (type(imei) is bytes and len(imei) == 8))
    ):
        return None
    members = b""
    for name, tag in _CAPABILITY_TAGS.items():  # in schema order, whatever the dict's order
        version = capabilities.get(name)
        if version is None:
            continue
        if type(version) is not bytes or len(version) != 3:
            return None
        members += tag + b"\x03" + version
    info = _tlv(b"\x80", tac) + _tlv(b"\xa1", members)
    if imei is not None:
        info += _tlv(b"\x82", imei)
    body = b""
    if matching_id:
        if type(matching_id) is not str:
            return None
        try:
            body = _tlv(b"\x80", matching_id.encode("utf-8"))
        except UnicodeEncodeError:
            return None
    return _tlv(b"\xa0", body + _tlv(b"\xa1", info))
