"""The DER the eUICC writes at the end of every download, built directly.

A download ends with a NotificationMetadata (BF2F) and the ProfileInstallationResultData
(BF27) that the card signs; asn1tools takes 50-60 µs for each. These writers concatenate the
same TLVs (tags from ``esim/asn1/rsp.asn``) for the values the card produces, and return None
for anything else (a value out of a constraint, a type they do not expect), so the caller then
uses the codec, whose bytes or errors are the reference. A property test holds them byte for
byte equal to the codec over random values (``tests/unit/esim/test_euicc_result_der.py``).
"""

from __future__ import annotations

import functools
from typing import Any

from esim.asn1 import messages
from esim.asn1.tlv import encode_length

_MAX_INTEGER_BITS = 64  # the card's seqNumbers and result codes; larger ones go to the codec


def _tlv(tag: bytes, value: bytes) -> bytes:
    return tag + encode_length(len(value)) + value


def _integer(value: object) -> bytes | None:
    if type(value) is not int or value.bit_length() > _MAX_INTEGER_BITS:
        return None
    size = (value + 1 if value < 0 else value).bit_length() // 8 + 1
    return value.to_bytes(size, "big", signed=True)


@functools.lru_cache(maxsize=16)
def _event_tlv(event: tuple[bytes, int]) -> bytes:
    """The ``81`` TLV of a NotificationEvent, as the codec writes it (named bits: DER drops
    trailing zero bits), taken from the codec's own encoding once per distinct event."""
    encoded = messages.NOTIFICATION_METADATA.encode(
        {"seqNumber": 0, "profileManagementOperation": event, "notificationAddress": ""}
    )
    # BF2F <len> 80 01 00 | 81 <len> ... | 0C 00
    start = 3 + 3
    return encoded[start:-2]


def _object_identifier(dotted: object) -> bytes | None:
    if type(dotted) is not str:
        return None
    parts = dotted.split(".")
    if len(parts) < 2 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    arcs = [int(part) for part in parts]
    if arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40):
        return None
    content = bytearray()
    for number in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        groups = [number & 0x7F]
        number >>= 7
        while number:
            groups.append(0x80 | (number & 0x7F))
            number >>= 7
        content += bytes(reversed(groups))
    return bytes(content)


def notification_metadata(value: dict[str, Any]) -> bytes | None:
    """A NotificationMetadata (BF2F) in the codec's form, or None to leave it to the codec."""
    if not set(value) <= {
        "seqNumber",
        "profileManagementOperation",
        "notificationAddress",
        "iccid",
    }:
        return None
    seq_number = _integer(value.get("seqNumber"))
    event = value.get("profileManagementOperation")
    address = value.get("notificationAddress")
    iccid = value.get("iccid")
    if (
        seq_number is None
        or type(event) is not tuple
        or len(event) != 2
        or type(event[0]) is not bytes
        or type(event[1]) is not int
        or not 0 <= event[1] <= 8 * len(event[0])
        or len(event[0]) > 4
        or type(address) is not str
        or not (iccid is None or (type(iccid) is bytes and len(iccid) == 10))
    ):
        return None
    try:
        address_bytes = address.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    body = _tlv(b"\x80", seq_number) + _event_tlv(event) + _tlv(b"\x0c", address_bytes)
    if iccid is not None:
        body += _tlv(b"\x5a", iccid)
    return _tlv(b"\xbf\x2f", body)


def installation_result_data(
    transaction_id: bytes,
    metadata: bytes,
    smdp_oid: str | None,
    final_result: tuple[str, dict[str, Any]],
) -> bytes | None:
    """A ProfileInstallationResultData (BF27) around the DER of its NotificationMetadata, or
    None to leave it to the codec."""
    if type(transaction_id) is not bytes or not 1 <= len(transaction_id) <= 16:
        return None
    oid = _object_identifier(smdp_oid)  # the card always has the SM-DP+'s OID
    if oid is None:
        return None
    body = _tlv(b"\x80", transaction_id) + metadata + _tlv(b"\x06", oid)
    name, result = final_result
    if name == "successResult" and set(result) == {"aid", "simaResponse"}:
        aid, sima = result["aid"], result["simaResponse"]
        if type(aid) is not bytes or not 1 <= len(aid) <= 16 or type(sima) is not bytes:
            return None
        choice = _tlv(b"\xa0", _tlv(b"\x4f", aid) + _tlv(b"\x04", sima))
    elif name == "errorResult" and {"bppCommandId", "errorReason"} <= set(result) <= {
        "bppCommandId",
        "errorReason",
        "simaResponse",
    }:
        command, reason = _integer(result["bppCommandId"]), _integer(result["errorReason"])
        sima = result.get("simaResponse")
        if command is None or reason is None or not (sima is None or type(sima) is bytes):
            return None
        inner = _tlv(b"\x80", command) + _tlv(b"\x81", reason)
        if sima is not None:
            inner += _tlv(b"\x82", sima)
        choice = _tlv(b"\xa1", inner)
    else:
        return None
    return _tlv(b"\xbf\x27", body + _tlv(b"\xa2", choice))
