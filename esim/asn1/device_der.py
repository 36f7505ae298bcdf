"""Direct DER readers for the messages the LPA and the eUICC decode on every download.

asn1tools decodes a StoreMetadataRequest or a ProfileInstallationResult in 30-70 µs, most of it
generic machinery (its type tree, constraint checker, the bytes pre-check, the value walk); a
download decodes about fifteen such messages on the device side. :func:`decode` reads exactly
the structures below with a strict DER reader written for them, producing asn1tools' own
Python value, and hands anything it does not fully recognise to the codec
(:meth:`esim.asn1.messages.Message.decode`): an unknown or extension member, a long-form tag
or length it does not expect, a constraint near its edge, invalid UTF-8, a BOOLEAN that is
neither 00 nor FF. It never refuses anything itself, so every error, rule and message is the
codec's. Property tests hold the two equal: for valid and mutated input, the reader either
declines or returns exactly what the codec returns (``tests/unit/esim/test_device_der.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from esim.asn1 import messages as m
from esim.asn1.der_check import check_der_structure
from esim.asn1.errors import Asn1DecodeError

MAX_DIRECT_BYTES = 16 * 1024
"""Longer messages go to the codec (none of the structures below comes near it)."""
_MAX_INTEGER_BITS = 128  # as esim.asn1.codec.MAX_INTEGER_BITS


class _DeclinedError(Exception):
    """The reader does not take this input; the codec decides."""


_DECLINE = _DeclinedError()

Reader = Callable[[bytes, int, int, int], Any]
"""(message, TLV start, value start, value end) → asn1tools' value; raises _DeclinedError."""


def _header(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``offset``: tags of one or two octets,
    definite minimal lengths below 64 KiB, within ``end``; anything else declines."""
    if offset >= end:
        raise _DECLINE
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:
        if offset >= end:
            raise _DECLINE
        second = data[offset]
        if second < 0x1F or second & 0x80:
            raise _DECLINE
        tag = (tag << 8) | second
        offset += 1
    if offset >= end:
        raise _DECLINE
    length = data[offset]
    offset += 1
    if length >= 0x80:
        if length == 0x81 and offset < end:
            length = data[offset]
            offset += 1
            if length < 0x80:
                raise _DECLINE
        elif length == 0x82 and offset + 2 <= end:
            length = (data[offset] << 8) | data[offset + 1]
            offset += 2
            if length < 0x100:
                raise _DECLINE
        else:
            raise _DECLINE
    stop = offset + length
    if stop > end:
        raise _DECLINE
    return tag, offset, stop


# -- primitive readers -------------------------------------------------------------------------


def octets(low: int = 0, high: int | None = None) -> Reader:
    def read(data: bytes, _tlv: int, start: int, stop: int) -> bytes:
        if not low <= stop - start <= (stop - start if high is None else high):
            raise _DECLINE
        return data[start:stop]

    return read


def utf8(low: int = 0, high: int | None = None) -> Reader:
    def read(data: bytes, _tlv: int, start: int, stop: int) -> str:
        try:
            text = data[start:stop].decode("utf-8")
        except UnicodeDecodeError:
            raise _DECLINE from None
        if not low <= len(text) <= (len(text) if high is None else high):
            raise _DECLINE
        return text

    return read


def _integer(data: bytes, _tlv: int, start: int, stop: int) -> int:
    if stop - start > 1 and (
        (data[start] == 0x00 and data[start + 1] < 0x80)
        or (data[start] == 0xFF and data[start + 1] >= 0x80)
    ):
        raise _DECLINE  # not minimal
    if start == stop or stop - start > 17:
        raise _DECLINE
    value = int.from_bytes(data[start:stop], "big", signed=True)
    if value.bit_length() > _MAX_INTEGER_BITS:
        raise _DECLINE
    return value


def _boolean(data: bytes, _tlv: int, start: int, stop: int) -> bool:
    if stop - start != 1 or data[start] not in (0x00, 0xFF):
        raise _DECLINE
    return data[start] == 0xFF


def _bit_string(data: bytes, _tlv: int, start: int, stop: int) -> tuple[bytes, int]:
    if start == stop:
        raise _DECLINE
    unused = data[start]
    if unused > 7 or (unused and stop - start == 1):
        raise _DECLINE
    if unused and data[stop - 1] & ((1 << unused) - 1):
        raise _DECLINE  # DER: unused bits are zero
    return data[start + 1 : stop], (stop - start - 1) * 8 - unused


def _object_identifier(data: bytes, _tlv: int, start: int, stop: int) -> str:
    """Dotted arcs (X.690 §8.19); a first subidentifier of 80 or more is 2.(n - 80)."""
    if start == stop or data[stop - 1] & 0x80 or stop - start > 64:
        raise _DECLINE
    arcs: list[int] = []
    value = 0
    fresh = True
    for byte in data[start:stop]:
        if fresh and byte == 0x80:
            raise _DECLINE  # a subidentifier with a leading 80 is not minimal
        value = (value << 7) | (byte & 0x7F)
        fresh = not byte & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


def _any(data: bytes, tlv: int, _start: int, stop: int) -> bytearray:
    return bytearray(data[tlv:stop])  # asn1tools gives an ANY as a bytearray


# -- constructed readers -----------------------------------------------------------------------

_ABSENT = object()


def sequence(*members: tuple[int, str, Reader, Any]) -> Reader:
    """Members in order: (tag, name, reader, ``None`` mandatory | ``_ABSENT`` optional | a
    DEFAULT value, given when the member is absent as asn1tools gives it)."""

    def read(data: bytes, _tlv: int, start: int, stop: int) -> dict[str, Any]:
        value: dict[str, Any] = {}
        offset = start
        defaults: list[tuple[str, Any]] = []
        for tag, name, reader, absent in members:
            if offset < stop:
                child_tag, child_start, child_stop = _header(data, offset, stop)
                if child_tag == tag:
                    value[name] = reader(data, offset, child_start, child_stop)
                    offset = child_stop
                    continue
            if absent is None:
                raise _DECLINE
            if absent is not _ABSENT:
                defaults.append((name, absent))
        if offset != stop:
            raise _DECLINE  # an extension addition or a member out of order
        value.update(defaults)  # asn1tools adds the DEFAULT values after the members read
        return value

    return read


def sequence_of(item_tag: int, reader: Reader) -> Reader:
    def read(data: bytes, _tlv: int, start: int, stop: int) -> list[Any]:
        items = []
        offset = start
        while offset < stop:
            tag, child_start, child_stop = _header(data, offset, stop)
            if tag != item_tag:
                raise _DECLINE
            items.append(reader(data, offset, child_start, child_stop))
            offset = child_stop
        return items

    return read


def explicit_choice(*alternatives: tuple[int, str, Reader]) -> Reader:
    """An explicitly tagged CHOICE: exactly one alternative inside the outer tag."""
    table = {tag: (name, reader) for tag, name, reader in alternatives}

    def read(data: bytes, _tlv: int, start: int, stop: int) -> tuple[str, Any]:
        tag, child_start, child_stop = _header(data, start, stop)
        if child_stop != stop or tag not in table:
            raise _DECLINE
        name, reader = table[tag]
        return name, reader(data, start, child_start, child_stop)

    return read


# -- the messages (tags as in esim/asn1/rsp.asn, AUTOMATIC TAGS) -----------------------------

_OPTIONAL = _ABSENT
_ICCID = octets(10, 10)
_TRANSACTION_ID = octets(1, 16)
_OCTET16 = octets(16, 16)

_NOTIFICATION_CONFIGURATION = sequence(
    (0x80, "profileManagementOperation", _bit_string, None),
    (0x81, "notificationAddress", utf8(), None),
)
_STORE_METADATA_REQUEST = sequence(
    (0x5A, "iccid", _ICCID, None),
    (0x91, "serviceProviderName", utf8(0, 32), None),
    (0x92, "profileName", utf8(0, 64), None),
    (0x93, "iconType", _integer, _OPTIONAL),
    (0x94, "icon", octets(0, 1024), _OPTIONAL),
    (0x95, "profileClass", _integer, "operational"),
    (
        0xB6,
        "notificationConfigurationInfo",
        sequence_of(0x30, _NOTIFICATION_CONFIGURATION),
        _OPTIONAL,
    ),
    (
        0xB7,
        "profileOwner",
        sequence(
            (0x80, "mccMnc", octets(3, 3), None),
            (0x81, "gid1", octets(), _OPTIONAL),
            (0x82, "gid2", octets(), _OPTIONAL),
        ),
        _OPTIONAL,
    ),
    (0x99, "profilePolicyRules", _bit_string, _OPTIONAL),
)
_NOTIFICATION_METADATA = sequence(
    (0x80, "seqNumber", _integer, None),
    (0x81, "profileManagementOperation", _bit_string, None),
    (0x0C, "notificationAddress", utf8(), None),
    (0x5A, "iccid", _ICCID, _OPTIONAL),
)
_PROFILE_INSTALLATION_RESULT_DATA = sequence(
    (0x80, "transactionId", _TRANSACTION_ID, None),
    (0xBF2F, "notificationMetadata", _NOTIFICATION_METADATA, None),
    (0x06, "smdpOid", _object_identifier, _OPTIONAL),
    (
        0xA2,
        "finalResult",
        explicit_choice(
            (
                0xA0,
                "successResult",
                sequence(
                    (0x4F, "aid", octets(1, 16), None),
                    (0x04, "simaResponse", octets(), None),
                ),
            ),
            (
                0xA1,
                "errorResult",
                sequence(
                    (0x80, "bppCommandId", _integer, None),
                    (0x81, "errorReason", _integer, None),
                    (0x82, "simaResponse", octets(), _OPTIONAL),
                ),
            ),
        ),
        None,
    ),
)
_SMDP_SIGNED2 = sequence(
    (0x80, "transactionId", _TRANSACTION_ID, None),
    (0x01, "ccRequiredFlag", _boolean, None),
    (0x5F49, "bppEuiccOtpk", octets(), _OPTIONAL),
)

_SEQ_NUMBER = sequence((0x80, "seqNumber", _integer, None))

_MESSAGES: dict[str, tuple[Reader, bool]] = {
    # type name → (reader of the outer TLV's value, whether it holds an ANY: the pre-check
    # then walks the whole message, as the codec's would, inside the certificates too)
    m.STORE_METADATA_REQUEST.type_name: (_STORE_METADATA_REQUEST, False),
    m.NOTIFICATION_METADATA.type_name: (_NOTIFICATION_METADATA, False),
    m.PROFILE_INSTALLATION_RESULT.type_name: (
        sequence(
            (0xBF27, "profileInstallationResultData", _PROFILE_INSTALLATION_RESULT_DATA, None),
            (0x5F37, "euiccSignPIR", octets(), None),
        ),
        False,
    ),
    m.SERVER_SIGNED1.type_name: (
        sequence(
            (0x80, "transactionId", _TRANSACTION_ID, None),
            (0x81, "euiccChallenge", _OCTET16, None),
            (0x83, "serverAddress", utf8(), None),
            (0x84, "serverChallenge", _OCTET16, None),
        ),
        False,
    ),
    m.SMDP_SIGNED2.type_name: (_SMDP_SIGNED2, False),
    m.GET_EUICC_CHALLENGE_RESPONSE.type_name: (
        sequence((0x80, "euiccChallenge", _OCTET16, None)),
        False,
    ),
    m.INITIALISE_SECURE_CHANNEL_REQUEST.type_name: (
        sequence(
            (0x82, "remoteOpId", _integer, None),
            (0x80, "transactionId", _TRANSACTION_ID, None),
            (
                0xA6,
                "controlRefTemplate",
                sequence(
                    (0x80, "keyType", octets(1, 1), None),
                    (0x81, "keyLen", octets(1, 1), None),
                    (0x84, "hostId", octets(1, 16), None),
                ),
                None,
            ),
            (0x5F49, "smdpOtpk", octets(), None),
            (0x5F37, "smdpSign", octets(), None),
        ),
        False,
    ),
    m.REPLACE_SESSION_KEYS_REQUEST.type_name: (
        sequence(
            (0x80, "initialMacChainingValue", _OCTET16, None),
            (0x81, "ppkEnc", _OCTET16, None),
            (0x82, "ppkCmac", _OCTET16, None),
        ),
        False,
    ),
    m.PREPARE_DOWNLOAD_RESPONSE.type_name: (
        explicit_choice(
            (
                0xA0,
                "downloadResponseOk",
                sequence(
                    (
                        0x30,
                        "euiccSigned2",
                        sequence(
                            (0x80, "transactionId", _TRANSACTION_ID, None),
                            (0x5F49, "euiccOtpk", octets(), None),
                            (0x04, "hashCc", octets(32, 32), _OPTIONAL),
                        ),
                        None,
                    ),
                    (0x5F37, "euiccSignature2", octets(), None),
                ),
            ),
            (
                0xA1,
                "downloadResponseError",
                sequence(
                    (0x80, "transactionId", _TRANSACTION_ID, None),
                    (0x02, "downloadErrorCode", _integer, None),
                ),
            ),
        ),
        False,
    ),
    m.RETRIEVE_NOTIFICATIONS_LIST_REQUEST.type_name: (
        sequence(
            (
                0xA0,
                "searchCriteria",
                explicit_choice(
                    (0x80, "seqNumber", _integer),
                    (0x81, "profileManagementOperation", _bit_string),
                ),
                _OPTIONAL,
            )
        ),
        False,
    ),
    m.NOTIFICATION_SENT_REQUEST.type_name: (_SEQ_NUMBER, False),
    m.NOTIFICATION_SENT_RESPONSE.type_name: (
        sequence((0x80, "deleteNotificationStatus", _integer, None)),
        False,
    ),
    m.CONFIGURE_ISDP_REQUEST.type_name: (
        sequence(
            (
                0xB8,
                "dpProprietaryData",
                sequence((0x80, "dpOid", _object_identifier, None)),
                _OPTIONAL,
            )
        ),
        False,
    ),
    m.PREPARE_DOWNLOAD_REQUEST.type_name: (
        sequence(
            (0x30, "smdpSigned2", _SMDP_SIGNED2, None),
            (0x5F37, "smdpSignature2", octets(), None),
            (0x04, "hashCc", octets(32, 32), _OPTIONAL),
            (0x30, "smdpCertificate", _any, None),
        ),
        True,
    ),
}


def read_direct(message: m.Message, data: bytes) -> Any | None:
    """``message``'s value of ``data`` as the codec would give it, or None when this reader
    leaves ``data`` to the codec (an unknown type, or anything it does not fully recognise)."""
    entry = _MESSAGES.get(message.type_name)
    if entry is None or len(data) > MAX_DIRECT_BYTES:
        return None
    reader, holds_any = entry
    if type(data) is not bytes:
        data = bytes(data)  # the values are bytes, as the codec's are
    try:
        tag, start, stop = _header(data, 0, len(data))
        if tag != message.tag or stop != len(data) or not data[0] & 0x20:
            return None
        value = reader(data, 0, start, stop)
    except _DeclinedError:
        return None
    if holds_any:
        try:
            check_der_structure(data)
        except Asn1DecodeError:
            return None
    return value


def decode(message: m.Message, data: bytes) -> Any:
    """``message.decode(data)``, through the direct reader when it takes ``data``."""
    value = read_direct(message, data)
    return message.decode(data) if value is None else value
