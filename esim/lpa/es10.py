"""Typed ES10a/b/c calls (SGP.22 §5.7), built with :mod:`esim.asn1.messages`.

Messages that carry signed data are assembled from the exact bytes the SM-DP+ sent (never
re-encoded), and answers that carry signed data are returned raw, because
the SM-DP+ verifies signatures over them. Error alternatives and non-ok result codes raise
:class:`Es10Error`; an answer that is not valid DER raises :class:`CardError` (6F00).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from esim.asn1 import device_der, device_der_writers
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1Error
from esim.asn1.tlv import encode_tlv, iter_tlvs, parse_single
from esim.identifiers import Eid, Iccid, IdentifierError
from esim.lpa.errors import CardError, Es10Error
from esim.lpa.es10_codes import code_name, code_name_in

_S = "SGP.22 §5.7"
_PROFILE_STATES = {0: "disabled", 1: "enabled"}
_PROFILE_CLASSES = {0: "test", 1: "provisioning", 2: "operational"}


class Es10Transport(Protocol):
    """One ES10 command TLV in, the response TLV out (an :class:`ApduChannel`)."""

    def transceive(self, command: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What ctxParams1.deviceInfo tells the SM-DP+ about the device (SGP.22 §3.1.3)."""

    tac: bytes = bytes.fromhex("35290611")
    """lpac's default TAC."""
    imei: str | None = None
    capabilities: dict[str, bytes] = field(default_factory=dict)
    """DeviceCapabilities members, e.g. ``{"eutranEpcSupportedRelease": b"\\x0f\\x00\\x00"}``."""

    def to_asn1(self) -> dict[str, Any]:
        value: dict[str, Any] = {"tac": self.tac, "deviceCapabilities": dict(self.capabilities)}
        if self.imei is not None:
            digits = self.imei.ljust(16, "F")
            value["imei"] = bytes.fromhex(
                "".join(digits[i + 1] + digits[i] for i in range(0, 16, 2))
            )
        return value


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """One entry of ES10c.GetProfilesInfo (SGP.22 ProfileInfo)."""

    iccid: str
    aid: str
    state: str
    """``enabled`` or ``disabled``."""
    nickname: str | None
    service_provider_name: str | None
    profile_name: str | None
    profile_class: str
    """``test``, ``provisioning`` or ``operational``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "iccid": self.iccid,
            "isdpAid": self.aid,
            "profileState": self.state,
            "profileNickname": self.nickname,
            "serviceProviderName": self.service_provider_name,
            "profileName": self.profile_name,
            "profileClass": self.profile_class,
        }


@dataclass(frozen=True, slots=True)
class NotificationInfo:
    """One pending notification's metadata (ES10b.ListNotification)."""

    seq_number: int
    event: str
    """``install``, ``enable``, ``disable`` or ``delete``."""
    address: str
    iccid: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "seqNumber": self.seq_number,
            "profileManagementOperation": self.event,
            "notificationAddress": self.address,
            "iccid": self.iccid,
        }


@functools.cache
def _empty_request(message: m.Message) -> bytes:
    """The DER of a request without arguments: the same bytes every time, encoded once."""
    return message.encode({})


def iccid_text(data: bytes) -> str:
    """The digits of a 5A ICCID, tolerant of a wrong check digit (the card is the authority)."""
    try:
        return str(Iccid.from_sgp22_bytes(data, check_luhn=False))
    except IdentifierError:
        return data.hex().upper()


def profile_identifier(iccid_or_aid: str) -> tuple[str, bytes]:
    """lpac's rule: 32 hex characters are an ISD-P AID, anything else an ICCID (§3.4 notes)."""
    text = iccid_or_aid.strip()
    if len(text) == 32:
        try:
            return "isdpAid", bytes.fromhex(text)
        except ValueError:
            pass
    return "iccid", Iccid.parse(text, check_luhn=False).to_sgp22_bytes()


def notification_info(value: dict[str, Any]) -> NotificationInfo:
    events = m.bit_positions(value["profileManagementOperation"])
    event = m.NOTIFICATION_EVENTS[min(events)] if events else "unknown"
    iccid = value.get("iccid")
    return NotificationInfo(
        value["seqNumber"], event, value["notificationAddress"], iccid and iccid_text(iccid)
    )


class Es10:
    """The ES10 functions an LPA calls, one method each."""

    def __init__(self, transport: Es10Transport) -> None:
        self._transport = transport

    def _call(self, function: str, request: bytes, response: m.Message | None) -> Any:
        raw = self._transport.transceive(request)
        if response is None:
            return raw
        try:
            return device_der.decode(response, raw)
        except Asn1Error as error:
            raise CardError(
                0x6F00, function, f"ES10 {function}: the eUICC's answer is not valid: {error}"
            ) from None

    def _raw(self, function: str, request: bytes, tag: int) -> bytes:
        raw: bytes = self._call(function, request, None)
        try:
            parse_single(raw, tag)
        except Asn1Error as error:
            raise CardError(
                0x6F00, function, f"ES10 {function}: the eUICC's answer is not valid: {error}"
            ) from None
        return raw

    # -- ES10b: the download -----------------------------------------------------------------

    def get_euicc_challenge(self) -> bytes:
        value = self._call(
            "GetEUICCChallenge",
            _empty_request(m.GET_EUICC_CHALLENGE_REQUEST),
            m.GET_EUICC_CHALLENGE_RESPONSE,
        )
        challenge: bytes = value["euiccChallenge"]
        return challenge

    def get_euicc_info1(self) -> bytes:
        """The whole BF20 TLV, forwarded as-is as ``euiccInfo1`` (SGP.22 §3.1.3)."""
        return self._raw("GetEUICCInfo1", _empty_request(m.GET_EUICC_INFO1_REQUEST), 0xBF20)

    def get_euicc_info2(self) -> dict[str, Any]:
        info: dict[str, Any] = self._call(
            "GetEUICCInfo2", _empty_request(m.GET_EUICC_INFO2_REQUEST), m.EUICC_INFO2
        )
        return info

    def authenticate_server(
        self,
        server_signed1: bytes,
        server_signature1: bytes,
        euicc_ci_pkid_to_be_used: bytes,
        server_certificate: bytes,
        matching_id: str | None,
        device_info: DeviceInfo,
    ) -> bytes:
        """BF38 from the received TLVs plus ctxParams1; returns the raw ok answer (§3.5 step 3)."""
        ctx = device_der_writers.ctx_params1(matching_id, device_info.to_asn1())
        request = encode_tlv(
            0xBF38,
            server_signed1
            + server_signature1
            + euicc_ci_pkid_to_be_used
            + server_certificate
            + ctx,
        )
        raw = self._raw("AuthenticateServer", request, 0xBF38)
        self._raise_choice_error(
            "AuthenticateServer", m.AUTHENTICATE_SERVER_RESPONSE, raw, "authenticateErrorCode"
        )
        return raw

    def prepare_download(
        self,
        smdp_signed2: bytes,
        smdp_signature2: bytes,
        hash_cc: bytes | None,
        smdp_certificate: bytes,
    ) -> bytes:
        """BF21 from the received TLVs plus ``04 hashCc``; returns the raw ok answer (step 6)."""
        body = smdp_signed2 + smdp_signature2
        if hash_cc is not None:
            body += encode_tlv(0x04, hash_cc)
        raw = self._raw("PrepareDownload", encode_tlv(0xBF21, body + smdp_certificate), 0xBF21)
        self._raise_choice_error(
            "PrepareDownload", m.PREPARE_DOWNLOAD_RESPONSE, raw, "downloadErrorCode"
        )
        return raw

    def load_bpp_command(self, command: bytes) -> bytes:
        """One LoadBoundProfilePackage command; b"" while all is well, else the BF37."""
        raw: bytes = self._call("LoadBoundProfilePackage", command, None)
        return raw

    def load_bpp_commands(self, commands: Sequence[bytes]) -> tuple[int, bytes]:
        """LoadBoundProfilePackage commands in order while each answers nothing: how many were
        sent and the last one's answer (the BF37 when one came back, else b"")."""
        run = getattr(self._transport, "transceive_while_empty", None)
        if run is None:
            for number, command in enumerate(commands):
                answer = self.load_bpp_command(command)
                if answer:
                    return number + 1, answer
            return len(commands), b""
        sent, answer = run(commands)
        return int(sent), bytes(answer)

    def cancel_session(self, transaction_id: bytes, reason: int) -> bytes:
        """ES10b.CancelSession; the raw signed answer for ES9+.CancelSession (§3.8)."""
        request = m.CANCEL_SESSION_REQUEST.encode(
            {"transactionId": transaction_id, "reason": reason}
        )
        raw = self._raw("CancelSession", request, 0xBF41)
        value = self._decode("CancelSession", m.CANCEL_SESSION_RESPONSE, raw)
        if value[0] != "cancelSessionResponseOk":
            code = int(value[1])
            name = {5: "invalidTransactionId", 127: "undefinedError"}.get(code, f"code{code}")
            raise Es10Error("CancelSession", code, name, _S + ", §3.8")
        return raw

    def _decode(self, function: str, message: m.Message, raw: bytes) -> Any:
        try:
            return device_der.decode(message, raw)
        except Asn1Error as error:
            raise CardError(0x6F00, function, f"ES10 {function}: invalid answer: {error}") from None

    def _raise_choice_error(
        self, function: str, message: m.Message, raw: bytes, code_key: str
    ) -> None:
        name, value = self._decode(function, message, raw)
        if name.endswith("Error"):
            code = int(value[code_key])
            raise Es10Error(function, code, code_name(code_key, code), _S)

    # -- ES10b: notifications (SGP.22 notifications) ---------------------------------------------

    def list_notifications(self) -> list[NotificationInfo]:
        name, value = self._call(
            "ListNotification",
            _empty_request(m.LIST_NOTIFICATION_REQUEST),
            m.LIST_NOTIFICATION_RESPONSE,
        )
        if name != "notificationMetadataList":
            raise Es10Error("ListNotification", int(value), "undefinedError", _S)
        return [notification_info(item) for item in value]

    def retrieve_notification(self, seq_number: int) -> bytes | None:
        """The raw PendingNotification (BF37 or 30) with ``seq_number``, None if there is none."""
        request = device_der_writers.retrieve_notifications_list_request(seq_number)
        raw = self._raw("RetrieveNotificationsList", request, 0xBF2B)
        outer = parse_single(raw, 0xBF2B)
        children = list(iter_tlvs(outer.value))
        if not children or children[0].tag != 0xA0:
            self._decode("RetrieveNotificationsList", m.RETRIEVE_NOTIFICATIONS_LIST_RESPONSE, raw)
            return None  # noResultAvailable / undefinedError: nothing to send
        items = [item.raw for item in iter_tlvs(children[0].value)]
        return items[0] if items else None

    def remove_notification(self, seq_number: int) -> bool:
        """ES10b.RemoveNotificationFromList; False when there was nothing to delete."""
        value = self._call(
            "RemoveNotificationFromList",
            device_der_writers.notification_sent_request(seq_number),
            m.NOTIFICATION_SENT_RESPONSE,
        )
        status = int(value["deleteNotificationStatus"])
        if status == 127:
            raise Es10Error("RemoveNotificationFromList", 127, "undefinedError", _S)
        return status == 0

    # -- ES10c: profiles ---------------------------------------------------------------------

    def get_profiles_info(self) -> list[ProfileInfo]:
        name, value = self._call(
            "GetProfilesInfo",
            _empty_request(m.PROFILE_INFO_LIST_REQUEST),
            m.PROFILE_INFO_LIST_RESPONSE,
        )
        if name != "profileInfoListOk":
            code = int(value)
            raise Es10Error(
                "GetProfilesInfo", code, code_name_in(code, {1: "incorrectInputValues"}), _S
            )
        return [
            ProfileInfo(
                iccid=iccid_text(item["iccid"]) if "iccid" in item else "",
                aid=item["isdpAid"].hex().upper() if "isdpAid" in item else "",
                state=_PROFILE_STATES.get(item.get("profileState", 0), "disabled"),
                nickname=item.get("profileNickname"),
                service_provider_name=item.get("serviceProviderName"),
                profile_name=item.get("profileName"),
                profile_class=_PROFILE_CLASSES.get(item.get("profileClass", 2), "operational"),
            )
            for item in value
        ]

    def enable_profile(self, iccid_or_aid: str, refresh: bool = True) -> None:
        self._result(
            "EnableProfile",
            m.ENABLE_PROFILE_REQUEST.encode(
                {"profileIdentifier": profile_identifier(iccid_or_aid), "refreshFlag": refresh}
            ),
            m.ENABLE_PROFILE_RESPONSE,
            "enableResult",
        )

    def disable_profile(self, iccid_or_aid: str, refresh: bool = True) -> None:
        self._result(
            "DisableProfile",
            m.DISABLE_PROFILE_REQUEST.encode(
                {"profileIdentifier": profile_identifier(iccid_or_aid), "refreshFlag": refresh}
            ),
            m.DISABLE_PROFILE_RESPONSE,
            "disableResult",
        )

    def delete_profile(self, iccid_or_aid: str) -> None:
        self._result(
            "DeleteProfile",
            m.DELETE_PROFILE_REQUEST.encode(profile_identifier(iccid_or_aid)),
            m.DELETE_PROFILE_RESPONSE,
            "deleteResult",
        )

    def set_nickname(self, iccid: str, nickname: str) -> None:
        self._result(
            "SetNickname",
            m.SET_NICKNAME_REQUEST.encode(
                {
                    "iccid": Iccid.parse(iccid, check_luhn=False).to_sgp22_bytes(),
                    "profileNickname": nickname,
                }
            ),
            m.SET_NICKNAME_RESPONSE,
            "setNicknameResult",
        )

    def _result(self, function: str, request: bytes, response: m.Message, key: str) -> None:
        value = self._call(function, request, response)
        code = int(value[key])
        if code != 0:
            raise Es10Error(function, code, code_name(key, code), _S)

    def get_eid(self) -> str:
        value = self._call(
            "GetEID",
            m.GET_EUICC_DATA_REQUEST.encode({"tagList": b"\x5a"}),
            m.GET_EUICC_DATA_RESPONSE,
        )
        try:
            return str(Eid.from_bcd(value["eidValue"]))
        except IdentifierError:
            return bytes(value["eidValue"]).hex().upper()

    def configured_addresses(self) -> tuple[str | None, str]:
        """(defaultDpAddress, rootDsAddress) of ES10a.GetEuiccConfiguredAddresses."""
        value = self._call(
            "GetEuiccConfiguredAddresses",
            _empty_request(m.EUICC_CONFIGURED_ADDRESSES_REQUEST),
            m.EUICC_CONFIGURED_ADDRESSES_RESPONSE,
        )
        return value.get("defaultDpAddress"), value["rootDsAddress"]
