"""Hand-built DER for the few fixed structures the SM-DP+ signs or sends on every download.

asn1tools encodes a ServerSigned1 in tens of microseconds and a StoreMetadataRequest in
hundreds; these builders concatenate the same TLVs directly (a test holds every one byte for
byte equal to the codec's encoding, over random values). They take typed arguments and check
the constraints the codec would (SIZE, lengths), raising the codec's
:class:`~esim.asn1.errors.Asn1EncodeError` rule for the type when one is broken.
Tags are from SGP.22 RSPDefinitions (AUTOMATIC TAGS), as in ``rsp.asn``.
"""

from __future__ import annotations

from esim.asn1.errors import Asn1EncodeError
from esim.asn1.tlv import encode_length

_SPEC_MODULE = "SGP.22 RSPDefinitions (esim/asn1/rsp.asn)"
_DEFAULT_PROFILE_CLASS = 2
"""StoreMetadataRequest.profileClass DEFAULT operational: DER leaves it out (X.690 §11.5)."""


def _tlv(tag: bytes, value: bytes) -> bytes:
    return tag + encode_length(len(value)) + value


def _refuse(type_name: str, message: str) -> Asn1EncodeError:
    return Asn1EncodeError(f"asn1.{type_name}.invalid-value", message, _SPEC_MODULE)


def _octets(type_name: str, name: str, value: bytes, low: int, high: int) -> bytes:
    if not low <= len(value) <= high:
        raise _refuse(type_name, f"{name}: {len(value)} bytes, not {low}..{high}")
    return value


def server_signed1(
    transaction_id: bytes, euicc_challenge: bytes, server_address: str, server_challenge: bytes
) -> bytes:
    """ServerSigned1 (30): transactionId 80, euiccChallenge 81, serverAddress 83,
    serverChallenge 84 (SGP.22 §5.6.1)."""
    name = "ServerSigned1"
    return _tlv(
        b"\x30",
        _tlv(b"\x80", _octets(name, "transactionId", transaction_id, 1, 16))
        + _tlv(b"\x81", _octets(name, "euiccChallenge", euicc_challenge, 16, 16))
        + _tlv(b"\x83", server_address.encode("utf-8"))
        + _tlv(b"\x84", _octets(name, "serverChallenge", server_challenge, 16, 16)),
    )


def smdp_signed2(transaction_id: bytes, cc_required: bool) -> bytes:
    """SmdpSigned2 (30) without bppEuiccOtpk: transactionId 80, ccRequiredFlag 01 (§5.6.3)."""
    return _tlv(
        b"\x30",
        _tlv(b"\x80", _octets("SmdpSigned2", "transactionId", transaction_id, 1, 16))
        + (b"\x01\x01\xff" if cc_required else b"\x01\x01\x00"),
    )


def replace_session_keys_request(initial_mcv: bytes, ppk_enc: bytes, ppk_cmac: bytes) -> bytes:
    """ReplaceSessionKeysRequest (BF26): initialMacChainingValue 80, ppkEnc 81, ppkCmac 82."""
    name = "ReplaceSessionKeysRequest"
    return _tlv(
        b"\xbf\x26",
        _tlv(b"\x80", _octets(name, "initialMacChainingValue", initial_mcv, 16, 16))
        + _tlv(b"\x81", _octets(name, "ppkEnc", ppk_enc, 16, 16))
        + _tlv(b"\x82", _octets(name, "ppkCmac", ppk_cmac, 16, 16)),
    )


def store_metadata_request(
    iccid: bytes,
    service_provider_name: str,
    profile_name: str,
    profile_class: int,
    icon: bytes | None,
    notifications: list[tuple[tuple[bytes, int], str]],
    *,
    icon_type: int = 1,
) -> bytes:
    """StoreMetadataRequest (BF25) as the SM-DP+ sends it (§5.5.3): iccid 5A,
    serviceProviderName 91, profileName 92, iconType 93 and icon 94 when ``icon``,
    profileClass 95 unless operational (its DEFAULT), notificationConfigurationInfo B6 of
    (profileManagementOperation 80 as a DER named-bit BIT STRING ``(bytes, bit count)``,
    notificationAddress 81) when ``notifications``."""
    name = "StoreMetadataRequest"
    spn, profile = service_provider_name.encode("utf-8"), profile_name.encode("utf-8")
    if len(service_provider_name) > 32 or len(profile_name) > 64:
        raise _refuse(name, "serviceProviderName ≤ 32 and profileName ≤ 64 characters")
    if not 0 <= profile_class <= 127 or not 0 <= icon_type <= 127:
        raise _refuse(name, f"profileClass {profile_class} / iconType {icon_type} out of range")
    body = _tlv(b"\x5a", _octets(name, "iccid", iccid, 10, 10))
    body += _tlv(b"\x91", spn) + _tlv(b"\x92", profile)
    if icon is not None:
        body += b"\x93\x01" + bytes([icon_type])
        body += _tlv(b"\x94", _octets(name, "icon", icon, 0, 1024))
    if profile_class != _DEFAULT_PROFILE_CLASS:
        body += b"\x95\x01" + bytes([profile_class])
    if notifications:
        entries = b""
        for (bits, bit_count), address in notifications:
            if len(bits) != (bit_count + 7) // 8:
                raise _refuse(name, f"a BIT STRING of {bit_count} bits is not {len(bits)} bytes")
            unused = bytes([-bit_count % 8])
            entries += _tlv(
                b"\x30",
                _tlv(b"\x80", unused + bits) + _tlv(b"\x81", address.encode("utf-8")),
            )
        body += _tlv(b"\xb6", entries)
    return _tlv(b"\xbf\x25", body)
