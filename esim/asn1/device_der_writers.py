"""Direct DER writers for the small ES10 messages the LPA and the eUICC send on every download.

Each returns the codec's bytes for its message (a property test holds them byte for byte
equal, ``tests/unit/esim/test_device_der_writers.py``); values outside what it writes itself (an
INTEGER beyond 64 bits, a field of the wrong size) go to the codec, which then encodes or
refuses them as before.
"""

from __future__ import annotations

from esim.asn1 import messages as m
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
