"""Profile packages: a generated UPP, its metadata, and per-session binding into a BPP.

* :class:`ProfileSpec`: what an order installs (ICCID, SPN, name, class, icon, size), and
  optionally a real UPP a user brought (:func:`read_profile_package`, e.g. a GSMA TS.48 test
  profile), served byte for byte instead of a generated one.
* :func:`unprotected_profile_package`: a SAIP-shaped UPP (ProfileHeader first, with the ICCID in
  **plain BCD** as TCA SAIP has it), padded with deterministic
  non-standard PEs to the requested size, then an ``end`` PE. The eUICC reads the header ICCID
  and compares it with the metadata (installFailedDueToIccidMismatch, §3.5 step 8).
* :func:`store_metadata`: the StoreMetadataRequest (BF25) sent as ``profileMetadata`` and
  again, MAC-only, inside the BPP (§3.5 step 4.8, §4.4), with notifications for enable,
  disable and delete addressed to this SM-DP+ (as osmo-smdpp does, §3.9).
* :func:`bind_profile_package`: InitialiseSecureChannel, ConfigureISDP, StoreMetadata, optional
  ReplaceSessionKeys, and 86 segments of ≤ 1020 bytes (SGP.22 §2.5.5, §2.6.4; §3.6).
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

# AES, CBC, ... bound once: cryptography routes each algorithms.X or modes.X through a
# deprecation __getattr__ (~1.5 µs a time).
from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.ciphers.modes import CTR

from esim.asn1 import der_builders as der
from esim.asn1.errors import Asn1DecodeError
from esim.asn1.messages import (
    BoundProfilePackageParts,
    build_bound_profile_package,
    named_bits,
    smdp_sign_input,
)
from esim.asn1.tlv import encode_length, encode_tlv, find_child, iter_tlvs, tlv_bounds
from esim.crypto import (
    TAG_ENCRYPTED_COMMAND,
    TAG_MAC_ONLY,
    TAG_PROFILE_ELEMENTS,
    Curve,
    SessionKeys,
    decode_public_key,
    derive_session_keys,
    encode_public_key,
    encode_signature_tlv,
    generate_one_time_key,
    shared_secret,
    sign_raw,
)
from esim.identifiers import Iccid
from esim.smdp.segment_protection import SegmentProtector

PROFILE_CLASSES = {"test": 0, "provisioning": 1, "operational": 2}
"""ProfileClass values (SGP.22 §2.4)."""
DEFAULT_SIZE_BYTES = 60 * 1024
"""A realistic consumer profile; TS.48 test profiles are about 12 KB (§3.6)."""
HOST_ID = b"MobilePlansSMDP+"
"""hostId of the InitialiseSecureChannel CRT (1..16 bytes; osmo-smdpp uses ``mahlzeit``)."""
_SAIP_VERSION = (2, 3)
_FILLER_ISSUER_OID = bytes.fromhex("06072a864886f70d01")  # 1.2.840.113549.1 (any OID will do)
_FILLER_CHUNK = 2048
_FILLER_ISSUER_TLV = bytes.fromhex("8107") + _FILLER_ISSUER_OID[2:]


@functools.cache
def default_icon() -> bytes:
    """A 64×64 solid-colour PNG (a few hundred bytes, within the 1024-byte icon limit, §4.4)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes((0x00, 0x78, 0xD4)) * 64 for _ in range(64))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """What an order installs. ``iccid`` is validated (E.118 with Luhn) on construction."""

    iccid: str
    service_provider: str = "Contoso Mobile"
    profile_name: str = "Contoso Mobile Unlimited"
    profile_class: str = "operational"
    size_bytes: int = DEFAULT_SIZE_BYTES
    icon: bytes | None = None
    """PNG bytes (≤ 1024); None uses :func:`default_icon`, ``b""`` sends no icon."""
    upp: bytes | None = None
    """A real unprotected profile package to serve as is (its header names ``iccid``)."""

    def __post_init__(self) -> None:
        if self.upp is not None:
            header = read_profile_package(self.upp)
            if header.iccid.digits != Iccid.parse(self.iccid, check_luhn=False).digits:
                raise ValueError(
                    f"the profile package's header names ICCID {header.iccid}, not {self.iccid}"
                )
            object.__setattr__(self, "iccid", header.iccid.digits)
            object.__setattr__(self, "size_bytes", len(self.upp))
        else:
            object.__setattr__(self, "iccid", Iccid.parse(self.iccid).digits)
        if self.profile_class not in PROFILE_CLASSES:
            raise ValueError(
                f"profile_class must be one of {sorted(PROFILE_CLASSES)} (SGP.22 ProfileClass)"
            )
        if len(self.service_provider.encode()) > 32 or len(self.profile_name.encode()) > 64:
            raise ValueError("serviceProviderName ≤ 32 and profileName ≤ 64 bytes (§4.4)")
        if not 256 <= self.size_bytes <= 4 * 1024 * 1024:
            raise ValueError("size_bytes must be between 256 bytes and 4 MiB")
        if self.icon is not None and len(self.icon) > 1024:
            raise ValueError("an icon is at most 1024 bytes (SGP.22 StoreMetadataRequest.icon)")

    def to_dict(self) -> dict[str, Any]:
        return {
            "iccid": self.iccid,
            "service_provider": self.service_provider,
            "profile_name": self.profile_name,
            "profile_class": self.profile_class,
            "size_bytes": self.size_bytes,
            "icon": None if self.icon is None else self.icon.hex(),
            "upp": None if self.upp is None else self.upp.hex(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProfileSpec:
        icon, upp = data.get("icon"), data.get("upp")
        return cls(
            iccid=data["iccid"],
            service_provider=data["service_provider"],
            profile_name=data["profile_name"],
            profile_class=data["profile_class"],
            size_bytes=data["size_bytes"],
            icon=None if icon is None else bytes.fromhex(icon),
            upp=None if upp is None else bytes.fromhex(upp),
        )

    @classmethod
    def from_upp(
        cls,
        upp: bytes,
        *,
        service_provider: str = "GSMA Test",
        profile_name: str | None = None,
        profile_class: str = "operational",
    ) -> ProfileSpec:
        """The spec serving ``upp``: ICCID from its ProfileHeader, name from its profileType."""
        header = read_profile_package(upp)
        name = profile_name or header.profile_type or "Test profile"
        return cls(
            iccid=header.iccid.digits,
            service_provider=service_provider,
            profile_name=name.encode()[:64].decode(errors="ignore"),
            profile_class=profile_class,
            icon=b"",
            upp=upp,
        )


def generate_iccid(issuer: str = "8999001") -> str:
    """A random 19-digit ICCID (18 digits + Luhn) under ``issuer``, for tests and portals."""
    body = issuer + "".join(secrets.choice("0123456789") for _ in range(18 - len(issuer)))
    return Iccid.with_check_digit(body).digits


# -- the UPP --------------------------------------------------------------------------------


def _profile_header(iccid: Iccid, profile_type: str) -> bytes:
    # ProfileElement header [0]: major-version 80, minor-version 81, profileType 82,
    # iccid 83 (plain BCD), eUICC-Mandatory-services A5, eUICC-Mandatory-GFSTEList A6.
    body = (
        encode_tlv(0x80, bytes([_SAIP_VERSION[0]]))
        + encode_tlv(0x81, bytes([_SAIP_VERSION[1]]))
        + encode_tlv(0x82, profile_type.encode()[:100])
        + encode_tlv(0x83, iccid.to_bcd())
        + encode_tlv(0xA5, encode_tlv(0x81, b"") + encode_tlv(0x84, b""))  # usim, milenage
        + encode_tlv(0xA6, b"")
    )
    return encode_tlv(0xA0, body)


def _pe_header(identification: int) -> bytes:
    return encode_tlv(0xA0, encode_tlv(0x81, identification.to_bytes(2, "big")))


def _filler_body(counter: int, payload: bytes) -> bytes:
    # nonStandard [9]: PE header (A0 {81 identification}), issuerID (81), content (82)
    return b"".join(
        (
            b"\xa0\x04\x81\x02",
            counter.to_bytes(2, "big"),
            _FILLER_ISSUER_TLV,
            b"\x82",
            encode_length(len(payload)),
            payload,
        )
    )


def unprotected_profile_package(spec: ProfileSpec) -> bytes:
    """The UPP of ``spec``: header, filler PEs (deterministic per ICCID), end; ≈ size_bytes.

    A spec made from a real package (:meth:`ProfileSpec.from_upp`) gets that package.
    """
    if spec.upp is not None:
        return spec.upp
    header = _profile_header(Iccid.parse(spec.iccid), spec.profile_name)
    end = encode_tlv(0xAA, _pe_header(0xFFFF))
    elements = [header]
    total = len(header) + len(end)
    # The filler is one AES-CTR keystream keyed by the ICCID (deterministic per ICCID, and one
    # cipher call for the whole package): hashing per element cost ~0.3 ms per 60 KB download.
    key = hashlib.sha256(spec.iccid.encode()).digest()[:16]
    keystream = Cipher(AES(key), CTR(bytes(16))).encryptor()
    stream = keystream.update(bytes(spec.size_bytes))
    used = 0
    counter = 1
    # Every element but the last few has a full chunk: its bytes around the payload are fixed.
    full_body = len(_filler_body(0, bytes(_FILLER_CHUNK)))
    full_size = 1 + len(encode_length(full_body)) + full_body
    full_head = b"\xa9" + encode_length(full_body) + b"\xa0\x04\x81\x02"
    full_middle = _FILLER_ISSUER_TLV + b"\x82" + encode_length(_FILLER_CHUNK)
    while spec.size_bytes - total - 24 >= _FILLER_CHUNK:
        elements.append(
            b"".join(
                (
                    full_head,
                    counter.to_bytes(2, "big"),
                    full_middle,
                    stream[used : used + _FILLER_CHUNK],
                )
            )
        )
        used += _FILLER_CHUNK
        total += full_size
        counter += 1
    while total < spec.size_bytes:
        remaining = spec.size_bytes - total
        payload_size = max(1, min(_FILLER_CHUNK, remaining - 24))
        payload = stream[used : used + payload_size]
        used += payload_size
        body = _filler_body(counter, payload)
        element = b"\xa9" + encode_length(len(body)) + body
        elements.append(element)
        total += len(element)
        counter += 1
    elements.append(end)
    return b"".join(elements)


MAX_UPP_BYTES = 4 * 1024 * 1024
"""The largest profile package accepted (TS.48 profiles are 11-13 KB; large ones ~100 KB)."""


@dataclass(frozen=True, slots=True)
class ProfileHeader:
    """What the SM-DP+ reads from a SAIP ProfileHeader (TCA eUICC Profile Package §8.2)."""

    iccid: Iccid
    profile_type: str | None
    version: tuple[int, int]
    elements: int
    """How many ProfileElements the package holds (header and end included)."""


class ProfilePackageError(ValueError):
    """A file that is not a usable unprotected profile package; names the rule broken."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{message} [{rule}; TCA eUICC Profile Package §8.2 (ProfileHeader)]")
        self.rule = rule


def read_profile_package(upp: bytes) -> ProfileHeader:
    """Check ``upp`` is a sequence of DER TLVs starting with a ProfileHeader that has an ICCID.

    Raises :class:`ProfilePackageError` naming what is wrong. Only the outer structure and the
    header are read: the eUICC, not the SM-DP+, interprets the other ProfileElements.
    """
    if len(upp) > MAX_UPP_BYTES:
        raise ProfilePackageError("upp.size", f"{len(upp)} bytes; at most {MAX_UPP_BYTES}")
    # The elements are only counted (their bounds read, nothing copied): a store reads every
    # brought package back once per order, and building ~30 TLV objects of 12 KB cost ~0.1 ms.
    elements = 0
    first: tuple[int, bool, int, int] | None = None
    try:
        offset = 0
        while offset < len(upp):
            bounds = tlv_bounds(upp, offset)
            first = first or bounds
            elements += 1
            offset = bounds[3]
        first_tag, _, start, end = first or (None, False, 0, 0)
        fields = {tlv.tag: tlv.value for tlv in iter_tlvs(upp[start:end])} if first else {}
    except Asn1DecodeError as error:
        raise ProfilePackageError("upp.tlv", f"not a sequence of DER TLVs: {error}") from None
    if first_tag != 0xA0:
        raise ProfilePackageError(
            "upp.header-first", "the package must start with a ProfileHeader (tag A0)"
        )
    if 0x83 not in fields or len(fields[0x83]) != 10:
        raise ProfilePackageError("upp.header-iccid", "the ProfileHeader has no 10-byte iccid (83)")
    try:
        iccid = Iccid.from_bcd(fields[0x83], check_luhn=False)
    except ValueError as error:
        raise ProfilePackageError("upp.header-iccid", f"the header's ICCID: {error}") from None
    major, minor = fields.get(0x80, b"\x00"), fields.get(0x81, b"\x00")
    profile_type = fields.get(0x82)
    return ProfileHeader(
        iccid=iccid,
        profile_type=None if profile_type is None else profile_type.decode("utf-8", "replace"),
        version=(int.from_bytes(major, "big"), int.from_bytes(minor, "big")),
        elements=elements,
    )


def profile_header_iccid(upp: bytes) -> Iccid:
    """The ICCID of the UPP's ProfileHeader (the first PE), as the eUICC checks it."""
    first = next(iter_tlvs(upp))
    found = find_child(first.value, 0x83) if first.tag == 0xA0 else None
    if found is None:
        raise ValueError("the UPP does not start with a ProfileHeader carrying an iccid (83)")
    return Iccid.from_bcd(found.value)


# -- metadata -------------------------------------------------------------------------------


def store_metadata(spec: ProfileSpec, notification_address: str) -> bytes:
    """The StoreMetadataRequest (BF25) of ``spec`` (SGP.22 §3.1.3.8, §4.4)."""
    icon = default_icon() if spec.icon is None else spec.icon
    return der.store_metadata_request(
        Iccid.parse(spec.iccid).to_sgp22_bytes(),
        spec.service_provider,
        spec.profile_name,
        PROFILE_CLASSES[spec.profile_class],
        icon or None,  # iconType png(1) with it
        # enable(1), disable(2), delete(3); install is always sent (§3.7)
        [(named_bits({1, 2, 3}), notification_address)],
    )


# -- binding --------------------------------------------------------------------------------


CONFIGURE_ISDP = bytes.fromhex("bf2400")
"""ConfigureISDPRequest (BF24) with no optional member, the same for every session (a test
holds it equal to the codec's encoding of ``{}``)."""


@dataclass(frozen=True, slots=True)
class BindingInput:
    """What one session contributes to the BPP."""

    transaction_id: bytes
    eid: str
    euicc_otpk: bytes
    """otPK.EUICC.ECKA from euiccSigned2 (5F49, 65 bytes)."""
    metadata: bytes
    """The exact BF25 sent as profileMetadata in authenticateClient."""
    upp: bytes


def bind_profile_package(
    binding: BindingInput,
    dp_pb_key: ec.EllipticCurvePrivateKey,
    curve: Curve,
    *,
    replace_session_keys: bool = True,
) -> bytes:
    """The BoundProfilePackage (BF36) for one session (SGP.22 §3.1.3).

    Raises :class:`esim.crypto.KeyAgreementError` when otPK.EUICC is unusable.
    """
    euicc_otpk = decode_public_key(binding.euicc_otpk, curve)
    one_time = generate_one_time_key(curve)
    keys = derive_session_keys(
        shared_secret(one_time, euicc_otpk), HOST_ID, bytes.fromhex(binding.eid)
    )
    members = (
        encode_tlv(0x82, b"\x01")  # remoteOpId installBoundProfilePackage(1)
        + encode_tlv(0x80, binding.transaction_id)
        + encode_tlv(
            0xA6, encode_tlv(0x80, b"\x88") + encode_tlv(0x81, b"\x10") + encode_tlv(0x84, HOST_ID)
        )
        + encode_tlv(0x5F49, encode_public_key(one_time.public_key()))
    )
    unsigned = encode_tlv(0xBF23, members)
    signature = sign_raw(dp_pb_key, smdp_sign_input(unsigned, binding.euicc_otpk))
    initialise = encode_tlv(0xBF23, members + encode_signature_tlv(signature))

    bsp = SegmentProtector(keys)
    configure = bsp.encrypted_segments(TAG_ENCRYPTED_COMMAND, CONFIGURE_ISDP)
    metadata = bsp.mac_only_segments(TAG_MAC_ONLY, binding.metadata)
    replace: list[bytes] | None = None
    profile_bsp = bsp
    if replace_session_keys:
        ppk = SessionKeys(s_enc=os.urandom(16), s_mac=os.urandom(16), initial_mcv=os.urandom(16))
        request = der.replace_session_keys_request(ppk.initial_mcv, ppk.s_enc, ppk.s_mac)
        replace = bsp.encrypted_segments(TAG_ENCRYPTED_COMMAND, request)
        profile_bsp = SegmentProtector(ppk)
    segments = profile_bsp.encrypted_segments(TAG_PROFILE_ELEMENTS, binding.upp)
    return build_bound_profile_package(
        BoundProfilePackageParts(
            initialise_secure_channel=initialise,
            configure_isdp=tuple(configure),
            store_metadata=tuple(metadata),
            replace_session_keys=None if replace is None else tuple(replace),
            profile_elements=tuple(segments),
        )
    )
