"""Encode/decode helpers for the ES8+, ES9+ and ES10a/b/c messages (SGP.22 §6.5.2).

Each message is a :class:`Message` constant: ``GET_EUICC_CHALLENGE_RESPONSE.encode({...})`` and
``.decode(data)`` use asn1tools' Python representation (dicts for SEQUENCE, ``(name, value)``
for CHOICE, ``(bytes, bit_count)`` for BIT STRING, ``bytes`` for OCTET STRING, dotted ``str``
for OBJECT IDENTIFIER). Decoding checks the outer tag of §3.4 first and raises only
:class:`Asn1DecodeError`.

Signatures are verified over raw received bytes, never over a re-encoding (§0.2), so the
``*_signed_data`` helpers slice those bytes out of a message with the TLV walker.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from esim.asn1.codec import rsp_codec
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import Tlv, encode_length, encode_tlv, find_child, iter_tlvs, parse_single


@dataclass(frozen=True, slots=True)
class Message:
    """One SGP.22 message type: its ASN.1 name, outer tag and spec section."""

    type_name: str
    tag: int
    spec: str

    def encode(self, value: Any) -> bytes:
        """DER of ``value``; raises :class:`~esim.asn1.errors.Asn1EncodeError`."""
        return rsp_codec().encode(self.type_name, value)

    def decode(self, data: bytes) -> Any:
        """Decode one complete DER TLV; raises :class:`Asn1DecodeError` for anything else."""
        return rsp_codec().decode(self.type_name, data, self.tag)


# ES10b (SGP.22 §5.7) -----------------------------------------------------------------------
GET_EUICC_CHALLENGE_REQUEST = Message("GetEuiccChallengeRequest", 0xBF2E, "SGP.22 §5.7.7")
GET_EUICC_CHALLENGE_RESPONSE = Message("GetEuiccChallengeResponse", 0xBF2E, "SGP.22 §5.7.7")
GET_EUICC_INFO1_REQUEST = Message("GetEuiccInfo1Request", 0xBF20, "SGP.22 §5.7.8")
EUICC_INFO1 = Message("EUICCInfo1", 0xBF20, "SGP.22 §5.7.8")
GET_EUICC_INFO2_REQUEST = Message("GetEuiccInfo2Request", 0xBF22, "SGP.22 §5.7.8")
EUICC_INFO2 = Message("EUICCInfo2", 0xBF22, "SGP.22 §5.7.8")
SERVER_SIGNED1 = Message("ServerSigned1", 0x30, "SGP.22 §5.6.1, §5.7.13")
EUICC_SIGNED1 = Message("EuiccSigned1", 0x30, "SGP.22 §5.7.13")
AUTHENTICATE_SERVER_REQUEST = Message("AuthenticateServerRequest", 0xBF38, "SGP.22 §5.7.13")
AUTHENTICATE_SERVER_RESPONSE = Message("AuthenticateServerResponse", 0xBF38, "SGP.22 §5.7.13")
SMDP_SIGNED2 = Message("SmdpSigned2", 0x30, "SGP.22 §5.6.3, §5.7.5")
EUICC_SIGNED2 = Message("EUICCSigned2", 0x30, "SGP.22 §5.7.5")
PREPARE_DOWNLOAD_REQUEST = Message("PrepareDownloadRequest", 0xBF21, "SGP.22 §5.7.5")
PREPARE_DOWNLOAD_RESPONSE = Message("PrepareDownloadResponse", 0xBF21, "SGP.22 §5.7.5")
CANCEL_SESSION_REQUEST = Message("CancelSessionRequest", 0xBF41, "SGP.22 §5.7.14")
CANCEL_SESSION_RESPONSE = Message("CancelSessionResponse", 0xBF41, "SGP.22 §5.7.14")
EUICC_CANCEL_SESSION_SIGNED = Message("EuiccCancelSessionSigned", 0x30, "SGP.22 §5.7.14")
LIST_NOTIFICATION_REQUEST = Message("ListNotificationRequest", 0xBF28, "SGP.22 §5.7.9")
LIST_NOTIFICATION_RESPONSE = Message("ListNotificationResponse", 0xBF28, "SGP.22 §5.7.9")
RETRIEVE_NOTIFICATIONS_LIST_REQUEST = Message(
    "RetrieveNotificationsListRequest", 0xBF2B, "SGP.22 §5.7.10"
)
RETRIEVE_NOTIFICATIONS_LIST_RESPONSE = Message(
    "RetrieveNotificationsListResponse", 0xBF2B, "SGP.22 §5.7.10"
)
NOTIFICATION_SENT_REQUEST = Message("NotificationSentRequest", 0xBF30, "SGP.22 §5.7.11")
NOTIFICATION_SENT_RESPONSE = Message("NotificationSentResponse", 0xBF30, "SGP.22 §5.7.11")
NOTIFICATION_METADATA = Message("NotificationMetadata", 0xBF2F, "SGP.22 §5.7.9, §4.5")
OTHER_SIGNED_NOTIFICATION = Message("OtherSignedNotification", 0x30, "SGP.22 §5.7.10")
# ES8+ and the result of ES10b.LoadBoundProfilePackage (SGP.22 §5.5, §5.7.6) -----------------
INITIALISE_SECURE_CHANNEL_REQUEST = Message(
    "InitialiseSecureChannelRequest", 0xBF23, "SGP.22 §5.5.1"
)
CONFIGURE_ISDP_REQUEST = Message("ConfigureISDPRequest", 0xBF24, "SGP.22 §5.5.2")
STORE_METADATA_REQUEST = Message("StoreMetadataRequest", 0xBF25, "SGP.22 §5.5.3")
REPLACE_SESSION_KEYS_REQUEST = Message("ReplaceSessionKeysRequest", 0xBF26, "SGP.22 §5.5.4")
BOUND_PROFILE_PACKAGE = Message("BoundProfilePackage", 0xBF36, "SGP.22 §2.5.5, §5.7.6")
PROFILE_INSTALLATION_RESULT = Message("ProfileInstallationResult", 0xBF37, "SGP.22 §5.7.6")
PROFILE_INSTALLATION_RESULT_DATA = Message("ProfileInstallationResultData", 0xBF27, "SGP.22 §5.7.6")
# ES10c and ES10a (SGP.22 §5.7.3-§5.7.4, §5.7.15-§5.7.21) ------------------------------------
PROFILE_INFO = Message("ProfileInfo", 0xE3, "SGP.22 §5.7.15")
PROFILE_INFO_LIST_REQUEST = Message("ProfileInfoListRequest", 0xBF2D, "SGP.22 §5.7.15")
PROFILE_INFO_LIST_RESPONSE = Message("ProfileInfoListResponse", 0xBF2D, "SGP.22 §5.7.15")
ENABLE_PROFILE_REQUEST = Message("EnableProfileRequest", 0xBF31, "SGP.22 §5.7.16")
ENABLE_PROFILE_RESPONSE = Message("EnableProfileResponse", 0xBF31, "SGP.22 §5.7.16")
DISABLE_PROFILE_REQUEST = Message("DisableProfileRequest", 0xBF32, "SGP.22 §5.7.17")
DISABLE_PROFILE_RESPONSE = Message("DisableProfileResponse", 0xBF32, "SGP.22 §5.7.17")
DELETE_PROFILE_REQUEST = Message("DeleteProfileRequest", 0xBF33, "SGP.22 §5.7.18")
DELETE_PROFILE_RESPONSE = Message("DeleteProfileResponse", 0xBF33, "SGP.22 §5.7.18")
EUICC_MEMORY_RESET_REQUEST = Message("EuiccMemoryResetRequest", 0xBF34, "SGP.22 §5.7.19")
EUICC_MEMORY_RESET_RESPONSE = Message("EuiccMemoryResetResponse", 0xBF34, "SGP.22 §5.7.19")
GET_EUICC_DATA_REQUEST = Message("GetEuiccDataRequest", 0xBF3E, "SGP.22 §5.7.20")
GET_EUICC_DATA_RESPONSE = Message("GetEuiccDataResponse", 0xBF3E, "SGP.22 §5.7.20")
SET_NICKNAME_REQUEST = Message("SetNicknameRequest", 0xBF29, "SGP.22 §5.7.21")
SET_NICKNAME_RESPONSE = Message("SetNicknameResponse", 0xBF29, "SGP.22 §5.7.21")
EUICC_CONFIGURED_ADDRESSES_REQUEST = Message(
    "EuiccConfiguredAddressesRequest", 0xBF3C, "SGP.22 §5.7.3"
)
EUICC_CONFIGURED_ADDRESSES_RESPONSE = Message(
    "EuiccConfiguredAddressesResponse", 0xBF3C, "SGP.22 §5.7.3"
)
SET_DEFAULT_DP_ADDRESS_REQUEST = Message("SetDefaultDpAddressRequest", 0xBF3F, "SGP.22 §5.7.4")
SET_DEFAULT_DP_ADDRESS_RESPONSE = Message("SetDefaultDpAddressResponse", 0xBF3F, "SGP.22 §5.7.4")

ALL_MESSAGES: tuple[Message, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Message)
)
"""Every message constant above (used by the fuzz tests)."""


def decode_pending_notification(data: bytes) -> tuple[str, Any]:
    """A PendingNotification: ``("profileInstallationResult", …)`` (BF37) or
    ``("otherSignedNotification", …)`` (30), as RetrieveNotificationsList and ES9+
    HandleNotification carry it (SGP.22 §6.5.2)."""
    value: tuple[str, Any] = rsp_codec().decode("PendingNotification", data)
    return value


def encode_pending_notification(value: tuple[str, Any]) -> bytes:
    """DER of a PendingNotification CHOICE value."""
    return rsp_codec().encode("PendingNotification", value)


# -- named bits (SGP.22 NotificationEvent) ---------------------------------------------------------

NOTIFICATION_EVENTS = ("install", "enable", "disable", "delete")
"""NotificationEvent bit positions 0..3 (notificationInstall … notificationDelete)."""


def named_bits(positions: set[int] | frozenset[int]) -> tuple[bytes, int]:
    """A named-bit BIT STRING value with the given bit positions set, in DER form."""
    if not positions:
        return b"", 0
    length = max(positions) + 1
    bits = 0
    for position in positions:
        bits |= 1 << (length - 1 - position)
    size = (length + 7) // 8
    return (bits << (8 * size - length)).to_bytes(size, "big"), length


def bit_positions(value: tuple[bytes, int]) -> frozenset[int]:
    """The set bit positions of an asn1tools BIT STRING value."""
    data, length = value
    return frozenset(i for i in range(length) if data[i // 8] & (0x80 >> (i % 8)))


def notification_event(event: str) -> tuple[bytes, int]:
    """The NotificationEvent value for ``install``, ``enable``, ``disable`` or ``delete``."""
    return named_bits({NOTIFICATION_EVENTS.index(event)})


# -- raw slices for signature checks (SGP.22 §2.6) ----------------------------------------

_SPEC_SIGNED = "SGP.22 §2.6 (signed data is the exact DER received)"


def _children(data: bytes, outer_tag: int) -> list[Tlv]:
    return list(iter_tlvs(parse_single(data, outer_tag).value))


def _require(children: list[Tlv], index: int, tag: int, what: str) -> Tlv:
    if len(children) <= index or children[index].tag != tag:
        raise Asn1DecodeError(
            "signed-data.missing", f"{what} (tag {tag:X}) is not where SGP.22 puts it", _SPEC_SIGNED
        )
    return children[index]


@dataclass(frozen=True, slots=True)
class SignedPart:
    """The exact signed TLV bytes and the raw ``r ‖ s`` signature that covers them."""

    signed: bytes
    signature: bytes


def server_signed1_part(authenticate_server_request: bytes) -> SignedPart:
    """serverSigned1 and serverSignature1 from an AuthenticateServerRequest (BF38)."""
    children = _children(authenticate_server_request, 0xBF38)
    return SignedPart(
        _require(children, 0, 0x30, "serverSigned1").raw,
        _require(children, 1, 0x5F37, "serverSignature1").value,
    )


def euicc_signed1_part(authenticate_server_response: bytes) -> SignedPart:
    """euiccSigned1 and euiccSignature1 from an AuthenticateServerResponse (BF38 / A0)."""
    outer = _children(authenticate_server_response, 0xBF38)
    ok = _require(outer, 0, 0xA0, "authenticateResponseOk")
    children = list(iter_tlvs(ok.value))
    return SignedPart(
        _require(children, 0, 0x30, "euiccSigned1").raw,
        _require(children, 1, 0x5F37, "euiccSignature1").value,
    )


def smdp_signed2_part(prepare_download_request: bytes) -> SignedPart:
    """smdpSigned2 and smdpSignature2 from a PrepareDownloadRequest (BF21)."""
    children = _children(prepare_download_request, 0xBF21)
    return SignedPart(
        _require(children, 0, 0x30, "smdpSigned2").raw,
        _require(children, 1, 0x5F37, "smdpSignature2").value,
    )


def euicc_signed2_part(prepare_download_response: bytes) -> SignedPart:
    """euiccSigned2 and euiccSignature2 from a PrepareDownloadResponse (BF21 / A0)."""
    outer = _children(prepare_download_response, 0xBF21)
    ok = _require(outer, 0, 0xA0, "downloadResponseOk")
    children = list(iter_tlvs(ok.value))
    return SignedPart(
        _require(children, 0, 0x30, "euiccSigned2").raw,
        _require(children, 1, 0x5F37, "euiccSignature2").value,
    )


def profile_installation_result_part(profile_installation_result: bytes) -> SignedPart:
    """ProfileInstallationResultData (BF27) and euiccSignPIR from a BF37."""
    children = _children(profile_installation_result, 0xBF37)
    return SignedPart(
        _require(children, 0, 0xBF27, "profileInstallationResultData").raw,
        _require(children, 1, 0x5F37, "euiccSignPIR").value,
    )


def other_signed_notification_part(other_signed_notification: bytes) -> SignedPart:
    """tbsOtherNotification (BF2F) and its signature from an OtherSignedNotification (30)."""
    children = _children(other_signed_notification, 0x30)
    return SignedPart(
        _require(children, 0, 0xBF2F, "tbsOtherNotification").raw,
        _require(children, 1, 0x5F37, "euiccNotificationSignature").value,
    )


def cancel_session_part(cancel_session_response: bytes) -> SignedPart:
    """euiccCancelSessionSigned (30) and its signature from a CancelSessionResponse (BF41/A0)."""
    outer = _children(cancel_session_response, 0xBF41)
    ok = _require(outer, 0, 0xA0, "cancelSessionResponseOk")
    children = list(iter_tlvs(ok.value))
    return SignedPart(
        _require(children, 0, 0x30, "euiccCancelSessionSigned").raw,
        _require(children, 1, 0x5F37, "euiccCancelSessionSignature").value,
    )


def smdp_signature2_input(smdp_signed2: bytes, euicc_signature1: bytes) -> bytes:
    """What smdpSignature2 covers: ``smdpSigned2 ‖ 5F37 40 ‖ euiccSignature1`` (§3.6)."""
    return smdp_signed2 + encode_tlv(0x5F37, euicc_signature1)


def euicc_signature2_input(euicc_signed2: bytes, smdp_signature2: bytes) -> bytes:
    """What euiccSignature2 covers: ``euiccSigned2 ‖ 5F37 40 ‖ smdpSignature2`` (§3.6)."""
    return euicc_signed2 + encode_tlv(0x5F37, smdp_signature2)


def smdp_sign_input(initialise_secure_channel_request: bytes, euicc_otpk: bytes) -> bytes:
    """What smdpSign covers: the BF23 members before smdpSign, then ``5F49 ‖ otPK.EUICC`` (§3.6).

    Works for a complete BF23 (smdpSign present) and for one being built (smdpSign absent).
    """
    tbs = b"".join(
        child.raw
        for child in _children(initialise_secure_channel_request, 0xBF23)
        if child.tag != 0x5F37
    )
    return tbs + encode_tlv(0x5F49, euicc_otpk)


# -- Bound Profile Package assembly (SGP.22 §5.7.2) -----------------------------------


@dataclass(frozen=True, slots=True)
class BoundProfilePackageParts:
    """A BPP cut into the exact TLVs the eUICC processes, in order."""

    initialise_secure_channel: bytes
    """The complete BF23 TLV."""
    configure_isdp: tuple[bytes, ...]
    """87 TLVs of firstSequenceOf87."""
    store_metadata: tuple[bytes, ...]
    """88 TLVs of sequenceOf88."""
    replace_session_keys: tuple[bytes, ...] | None
    """87 TLVs of secondSequenceOf87, None when A2 is absent."""
    profile_elements: tuple[bytes, ...]
    """86 TLVs of sequenceOf86."""


_SPEC_BPP = "SGP.22 §2.5.5 (BPP layout)"


def _segments(container: Tlv, tag: int, name: str) -> tuple[bytes, ...]:
    segments = tuple(child.raw for child in iter_tlvs(container.value))
    for segment in segments:
        if segment[0] != tag:
            raise Asn1DecodeError(
                "bpp.segment-tag", f"{name} holds a segment that is not tag {tag:X}", _SPEC_BPP
            )
    return segments


def split_bound_profile_package(data: bytes) -> BoundProfilePackageParts:
    """Cut a BF36 into its parts (structure only; nothing is decrypted)."""
    children = _children(data, 0xBF36)
    tags = [child.tag for child in children]
    if tags not in ([0xBF23, 0xA0, 0xA1, 0xA3], [0xBF23, 0xA0, 0xA1, 0xA2, 0xA3]):
        raise Asn1DecodeError(
            "bpp.layout",
            "a BoundProfilePackage is BF23, A0, A1, optional A2 and A3, in this order; found "
            + " ".join(f"{tag:X}" for tag in tags),
            _SPEC_BPP,
        )
    by_tag = {child.tag: child for child in children}
    return BoundProfilePackageParts(
        initialise_secure_channel=by_tag[0xBF23].raw,
        configure_isdp=_segments(by_tag[0xA0], 0x87, "firstSequenceOf87"),
        store_metadata=_segments(by_tag[0xA1], 0x88, "sequenceOf88"),
        replace_session_keys=(
            _segments(by_tag[0xA2], 0x87, "secondSequenceOf87") if 0xA2 in by_tag else None
        ),
        profile_elements=_segments(by_tag[0xA3], 0x86, "sequenceOf86"),
    )


def build_bound_profile_package(parts: BoundProfilePackageParts) -> bytes:
    """Assemble a BF36 from finished TLVs (the BSP outputs are already TLVs)."""
    # One join of every header and segment: nesting encode_tlv copied a 60 KB package five times.
    pieces: list[bytes] = [parts.initialise_secure_channel]
    length = len(parts.initialise_secure_channel)
    sequences = [(0xA0, parts.configure_isdp), (0xA1, parts.store_metadata)]
    if parts.replace_session_keys is not None:
        sequences.append((0xA2, parts.replace_session_keys))
    sequences.append((0xA3, parts.profile_elements))
    for tag, segments in sequences:
        size = sum(map(len, segments))
        header = bytes([tag]) + encode_length(size)
        pieces.append(header)
        pieces.extend(segments)
        length += len(header) + size
    return b"".join((b"\xbf\x36", encode_length(length), *pieces))


def load_bpp_commands(data: bytes) -> list[bytes]:
    """The ES10b command sequence lpac sends for a BPP (SGP.22 §5.7.2).

    ``BF36 len ‖ BF23…``, then ``A0…`` whole, ``A1 len`` alone, each 88, ``A2…`` whole if present,
    ``A3 len`` alone, each 86.
    """
    outer = parse_single(data, 0xBF36)
    header_length = len(outer.raw) - len(outer.value)
    children = list(iter_tlvs(outer.value))
    split_bound_profile_package(data)  # validates the layout
    commands = [outer.raw[:header_length] + children[0].raw]
    for child in children[1:]:
        if child.tag in (0xA1, 0xA3):
            commands.append(child.raw[: len(child.raw) - len(child.value)])
            commands.extend(grandchild.raw for grandchild in iter_tlvs(child.value))
        else:
            commands.append(child.raw)
    return commands


# -- small lookups --------------------------------------------------------


def find_transaction_id(data: bytes, outer_tag: int) -> bytes | None:
    """The first ``80`` child of a message's outer TLV (handy for error replies), or None."""
    tlv = find_child(parse_single(data, outer_tag).value, 0x80)
    return None if tlv is None else tlv.value


# -- Confirmation Code (SGP.22 confirmation code) --------------------------------------------------


def hash_confirmation_code(confirmation_code: str, transaction_id: bytes) -> bytes:
    """``hashCc = SHA256(SHA256(CC as entered, ASCII) ‖ transactionId)`` (SGP.22 §3.1.3)."""
    # UTF-8 equals ASCII for every valid code and keeps odd user input from raising.
    inner = hashlib.sha256(confirmation_code.encode("utf-8")).digest()
    return hashlib.sha256(inner + transaction_id).digest()
