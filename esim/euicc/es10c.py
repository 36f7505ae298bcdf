"""ES10c (LPA ↔ ISD-R, local profile management) and ES10a (configured addresses).

SGP.22 §5.7.15-§5.7.21 and §5.7.3-§5.7.4; tags and result codes as in SGP.22 §5.7.
"""

from __future__ import annotations

from typing import Any

from esim.asn1 import messages
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_tlv, iter_tlvs, parse_single
from esim.euicc.apdu import ApduError, StatusWord
from esim.euicc.context import CardContext
from esim.euicc.profile_ops import (
    delete_profile,
    disable_profile,
    enable_profile,
    memory_reset,
    set_nickname,
)
from esim.euicc.records import NOTIFICATION_EVENTS, ProfileRecord
from esim.identifiers import Iccid, IdentifierError

_SPEC_PROFILES_INFO = "SGP.22 §5.7.15"

# ProfileInfo tag → field, in the order of the ASN.1 SEQUENCE.
PROFILE_INFO_TAGS: dict[int, str] = {
    0x5A: "iccid",
    0x4F: "isdpAid",
    0x9F70: "profileState",
    0x90: "profileNickname",
    0x91: "serviceProviderName",
    0x92: "profileName",
    0x93: "iconType",
    0x94: "icon",
    0x95: "profileClass",
    0xB6: "notificationConfigurationInfo",
    0xB7: "profileOwner",
    0xB8: "dpProprietaryData",
    0x99: "profilePolicyRules",
}


def find_profile(ctx: CardContext, identifier: tuple[str, bytes]) -> ProfileRecord | None:
    """The profile a ProfileIdentifier CHOICE (``isdpAid`` or ``iccid``) names, if any."""
    kind, value = identifier
    if kind == "isdpAid":
        return ctx.store.profile_by_aid(value)
    try:
        iccid = Iccid.from_sgp22_bytes(value, check_luhn=False)
    except IdentifierError:
        return None
    return ctx.store.profile_by_iccid(str(iccid))


def profile_info_value(profile: ProfileRecord, tags: set[int] | None) -> dict[str, Any]:
    """One ProfileInfo (E3) value with only the requested tags (all when ``tags`` is None)."""
    full: dict[str, Any] = {
        "iccid": Iccid.parse(profile.iccid, check_luhn=False).to_sgp22_bytes(),
        "isdpAid": profile.aid_bytes,
        "profileState": 1 if profile.enabled else 0,
        "serviceProviderName": profile.service_provider,
        "profileName": profile.profile_name,
        "profileClass": int(profile.profile_class_value),
        "notificationConfigurationInfo": [
            {
                "profileManagementOperation": messages.named_bits(
                    {NOTIFICATION_EVENTS.index(event) for event in target.events}
                ),
                "notificationAddress": target.address,
            }
            for target in profile.notification_configuration
        ],
    }
    if profile.nickname is not None:
        full["profileNickname"] = profile.nickname
    if profile.icon_type is not None:
        full["iconType"] = profile.icon_type
    if profile.icon is not None:
        full["icon"] = profile.icon
    if profile.profile_owner is not None:
        owner: dict[str, bytes] = {"mccMnc": profile.profile_owner.mcc_mnc}
        if profile.profile_owner.gid1 is not None:
            owner["gid1"] = profile.profile_owner.gid1
        if profile.profile_owner.gid2 is not None:
            owner["gid2"] = profile.profile_owner.gid2
        full["profileOwner"] = owner
    if profile.dp_oid is not None:
        full["dpProprietaryData"] = {"dpOid": profile.dp_oid}
    if profile.policy_rules:
        full["profilePolicyRules"] = messages.named_bits(
            {int(rule) for rule in profile.policy_rules}
        )
    if not full["notificationConfigurationInfo"]:
        del full["notificationConfigurationInfo"]
    if tags is None:
        return full
    wanted = {PROFILE_INFO_TAGS[tag] for tag in tags if tag in PROFILE_INFO_TAGS}
    return {key: value for key, value in full.items() if key in wanted}


def parse_tag_list(data: bytes) -> set[int]:
    """The tags of a tagList (5C): concatenated BER tags, one to three bytes each."""
    tags: set[int] = set()
    offset = 0
    while offset < len(data):
        tag = data[offset]
        offset += 1
        if tag & 0x1F == 0x1F:
            while True:
                if offset >= len(data):
                    raise Asn1DecodeError(
                        "tag-list.truncated", "a multi-byte tag is cut short", _SPEC_PROFILES_INFO
                    )
                octet = data[offset]
                tag = (tag << 8) | octet
                offset += 1
                if not octet & 0x80:
                    break
                if tag > 0xFFFFFF:
                    raise Asn1DecodeError(
                        "tag-list.too-long", "a tag is longer than 3 bytes", _SPEC_PROFILES_INFO
                    )
        tags.add(tag)
    return tags


def get_profiles_info(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.GetProfilesInfo (BF2D) with optional searchCriteria and tagList."""
    decoded = messages.PROFILE_INFO_LIST_REQUEST.decode(request)
    tags: set[int] | None = None
    if "tagList" in decoded:
        try:
            tags = parse_tag_list(decoded["tagList"])
        except Asn1DecodeError:
            return messages.PROFILE_INFO_LIST_RESPONSE.encode(("profileInfoListError", 1))
    profiles = ctx.store.profiles()
    criteria = decoded.get("searchCriteria")
    if criteria is not None:
        kind, value = criteria
        if kind == "profileClass":
            profiles = [p for p in profiles if int(p.profile_class_value) == value]
        else:
            found = find_profile(ctx, (kind, value))
            profiles = [] if found is None else [found]
    infos = [messages.PROFILE_INFO.encode(profile_info_value(p, tags)) for p in profiles]
    return encode_tlv(0xBF2D, encode_tlv(0xA0, b"".join(infos)))


def enable(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.EnableProfile (BF31)."""
    decoded = messages.ENABLE_PROFILE_REQUEST.decode(request)
    result = enable_profile(ctx, find_profile(ctx, decoded["profileIdentifier"]))
    return messages.ENABLE_PROFILE_RESPONSE.encode({"enableResult": int(result)})


def disable(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.DisableProfile (BF32)."""
    decoded = messages.DISABLE_PROFILE_REQUEST.decode(request)
    result = disable_profile(ctx, find_profile(ctx, decoded["profileIdentifier"]))
    return messages.DISABLE_PROFILE_RESPONSE.encode({"disableResult": int(result)})


def delete(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.DeleteProfile (BF33 { 4F | 5A })."""
    decoded = messages.DELETE_PROFILE_REQUEST.decode(request)
    result = delete_profile(ctx, find_profile(ctx, decoded))
    return messages.DELETE_PROFILE_RESPONSE.encode({"deleteResult": int(result)})


def euicc_memory_reset(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.eUICCMemoryReset (BF34)."""
    decoded = messages.EUICC_MEMORY_RESET_REQUEST.decode(request)
    bits = messages.bit_positions(decoded["resetOptions"])
    result = memory_reset(
        ctx, operational=0 in bits, test=1 in bits, default_smdp_address=2 in bits
    )
    return messages.EUICC_MEMORY_RESET_RESPONSE.encode({"resetResult": int(result)})


def get_eid(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.GetEID (BF3E {5C 01 5A}) → BF3E {5A 10 <EID, plain BCD>}."""
    decoded = messages.GET_EUICC_DATA_REQUEST.decode(request)
    if decoded["tagList"] != b"\x5a":
        raise ApduError(
            StatusWord.REFERENCED_DATA_NOT_FOUND,
            "es10c.get-eid-tag",
            f"GetEuiccData only knows tag 5A (EID), not {decoded['tagList'].hex().upper()}",
            "SGP.22 §5.7.20",
        )
    return messages.GET_EUICC_DATA_RESPONSE.encode({"eidValue": ctx.eid_bytes})


MAX_NICKNAME_CHARACTERS = 64
"""SetNicknameRequest.profileNickname is UTF8String (SIZE(0..64)) (SGP.22 §5.7.21)."""
NICKNAME_UNDEFINED_ERROR = 127


def _overlong_nickname(request: bytes) -> bool:
    """A well-formed BF29 {5A iccid, 90 nickname} whose only fault is a name over 64 characters."""
    try:
        children = list(iter_tlvs(parse_single(request, 0xBF29).value))
        if [child.tag for child in children] != [0x5A, 0x90] or len(children[0].value) != 10:
            return False
        return len(children[1].value.decode("utf-8")) > MAX_NICKNAME_CHARACTERS
    except (Asn1DecodeError, UnicodeDecodeError):
        return False


def set_profile_nickname(ctx: CardContext, request: bytes) -> bytes:
    """ES10c.SetNickname (BF29); a name over 64 characters gets undefinedError(127), as cards
    answer it in the response rather than refusing the APDU."""
    try:
        decoded = messages.SET_NICKNAME_REQUEST.decode(request)
    except Asn1DecodeError:
        if not _overlong_nickname(request):
            raise
        return messages.SET_NICKNAME_RESPONSE.encode(
            {"setNicknameResult": NICKNAME_UNDEFINED_ERROR}
        )
    try:
        iccid = str(Iccid.from_sgp22_bytes(decoded["iccid"], check_luhn=False))
    except IdentifierError:
        return messages.SET_NICKNAME_RESPONSE.encode({"setNicknameResult": 1})
    result = set_nickname(ctx, iccid, decoded["profileNickname"])
    return messages.SET_NICKNAME_RESPONSE.encode({"setNicknameResult": result})


# -- ES10a -------------------------------------------------------------------------------------


def get_configured_addresses(ctx: CardContext, request: bytes) -> bytes:
    """ES10a.GetEuiccConfiguredAddresses (BF3C)."""
    messages.EUICC_CONFIGURED_ADDRESSES_REQUEST.decode(request)
    value: dict[str, str] = {"rootDsAddress": ctx.config.root_ds_address}
    default = ctx.store.setting("default_dp_address")
    if default:
        value["defaultDpAddress"] = default
    return messages.EUICC_CONFIGURED_ADDRESSES_RESPONSE.encode(value)


def set_default_dp_address(ctx: CardContext, request: bytes) -> bytes:
    """ES10a.SetDefaultDpAddress (BF3F); an empty address removes the default."""
    decoded = messages.SET_DEFAULT_DP_ADDRESS_REQUEST.decode(request)
    ctx.store.set_setting("default_dp_address", decoded["defaultDpAddress"] or None)
    return messages.SET_DEFAULT_DP_ADDRESS_RESPONSE.encode({"setDefaultDpAddressResult": 0})
