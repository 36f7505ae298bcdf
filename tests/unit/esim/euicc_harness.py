"""Test harness for esim.euicc: a PKI, an APDU-level LPA driver and a small fake SM-DP+.

The fake SM-DP+ builds genuine messages with esim.crypto / esim.asn1 (real ECDSA, ECKA, KDF
and BSP), so the card is tested against real crypto, not against its own output.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from esim.asn1 import messages
from esim.asn1.tlv import encode_tlv
from esim.crypto import (
    TAG_ENCRYPTED_COMMAND,
    TAG_MAC_ONLY,
    TAG_PROFILE_ELEMENTS,
    BspSession,
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
from esim.euicc import ISD_R_AID, Euicc, EuiccConfig
from esim.identifiers import Iccid
from esim.pki import CertificateSet, TestPki

EID = "89049032123451234512345678901235"
SMDP_ADDRESS = "testsmdpplus1.example.com"
ICCID_A = "89000123456789012341"
ICCID_B = "8949449999999990023"
HOST_ID = b"TestHostId123456"


@lru_cache(maxsize=1)
def certificates() -> CertificateSet:
    return TestPki.generate(EID, [SMDP_ADDRESS])


@lru_cache(maxsize=1)
def foreign_certificates() -> CertificateSet:
    """Another CI's set: its DP certificates do not chain to the card's CI."""
    return TestPki.generate(EID, [SMDP_ADDRESS])


def open_card(data_dir: Path, **overrides: Any) -> Euicc:
    config = EuiccConfig(eid=EID, certificates=certificates(), **overrides)
    return Euicc.open(data_dir, config)


class CardStatusError(AssertionError):
    def __init__(self, sw: int) -> None:
        super().__init__(f"SW {sw:04X}")
        self.sw = sw


@dataclass
class Lpa:
    """Drives the card only through transmit(), like lpac does (SGP.22 §5.7.2)."""

    card: Euicc
    segment: int = 120
    with_le: bool = True
    channel: int = 0
    log: list[tuple[bytes, bytes]] = field(default_factory=list)

    def transmit(self, apdu: bytes) -> bytes:
        answer = self.card.transmit(apdu)
        self.log.append((apdu, answer))
        return answer

    def open(self) -> Lpa:
        answer = self.transmit(bytes.fromhex("0070000001"))
        assert answer[-2:] == b"\x90\x00", answer.hex()
        self.channel = answer[0]
        select = bytes([self.channel, 0xA4, 0x04, 0x00, 16]) + ISD_R_AID + b"\x00"
        self._collect(self.transmit(select))
        return self

    def close(self) -> None:
        answer = self.transmit(bytes([0x00, 0x70, 0x80, self.channel]))
        assert answer == b"\x90\x00"

    def _collect(self, answer: bytes) -> bytes:
        data = answer[:-2]
        while answer[-2] == 0x61:
            le = answer[-1]
            answer = self.transmit(bytes([0x80 | self.channel, 0xC0, 0, 0, le]))
            data += answer[:-2]
        if answer[-2:] != b"\x90\x00":
            raise CardStatusError(int.from_bytes(answer[-2:], "big"))
        return data

    def es10(self, request: bytes) -> bytes:
        """One ES10 command in STORE DATA blocks; returns the response TLV (b"" for none)."""
        blocks = [request[i : i + self.segment] for i in range(0, len(request), self.segment)]
        answer = b""
        for number, block in enumerate(blocks):
            last = number == len(blocks) - 1
            apdu = bytes([0x80 | self.channel, 0xE2, 0x91 if last else 0x11, number % 256])
            apdu += bytes([len(block)]) + block + (b"\x00" if self.with_le else b"")
            answer = self.transmit(apdu)
            if not last and answer != b"\x90\x00":
                raise CardStatusError(int.from_bytes(answer[-2:], "big"))
        return self._collect(answer)

    def load_bpp(self, bpp: bytes) -> bytes:
        """The lpac command sequence; stops at the first non-empty answer (the BF37)."""
        for command in messages.load_bpp_commands(bpp):
            result = self.es10(command)
            if result:
                return result
        raise AssertionError("no ProfileInstallationResult after the last segment")


def store_metadata(
    iccid: str,
    *,
    profile_class: int = 2,
    events: tuple[str, ...] = ("install", "enable", "disable", "delete"),
    ppr: set[int] | None = None,
    address: str = SMDP_ADDRESS,
) -> bytes:
    value: dict[str, Any] = {
        "iccid": Iccid.parse(iccid).to_sgp22_bytes(),
        "serviceProviderName": "Contoso",
        "profileName": f"Contoso {iccid[-4:]}",
        "iconType": 1,
        "icon": b"\x89PNG\r\n\x1a\n",
        "profileClass": profile_class,
        "profileOwner": {"mccMnc": bytes.fromhex("00F110")},
    }
    if events:
        value["notificationConfigurationInfo"] = [
            {
                "profileManagementOperation": messages.named_bits(
                    {messages.NOTIFICATION_EVENTS.index(e) for e in events}
                ),
                "notificationAddress": address,
            }
        ]
    if ppr:
        value["profilePolicyRules"] = messages.named_bits(ppr)
    return messages.STORE_METADATA_REQUEST.encode(value)


def unprotected_package(iccid: str, size: int = 3000) -> bytes:
    """A SAIP-shaped UPP: ProfileHeader (ICCID in plain BCD) then filler PEs."""
    header = encode_tlv(
        0xA0,
        encode_tlv(0x80, b"\x02")
        + encode_tlv(0x81, b"\x03")
        + encode_tlv(0x82, b"test")
        + encode_tlv(0x83, Iccid.parse(iccid).to_bcd()),
    )
    body = header
    while len(body) < size:
        body += encode_tlv(0xA1, os.urandom(min(600, max(1, size - len(body) - 4))))
    return body


@dataclass
class FakeSmdp:
    """The SM-DP+ half of SGP.22 §3.1.3, built from esim.crypto and esim.asn1."""

    certs: CertificateSet = field(default_factory=certificates)
    address: str = SMDP_ADDRESS
    transaction_id: bytes = field(default_factory=lambda: os.urandom(16))
    server_challenge: bytes = field(default_factory=lambda: os.urandom(16))
    euicc_signature1: bytes = b""
    euicc_otpk: bytes = b""
    smdp_signature2: bytes = b""

    def authenticate_server_request(
        self, euicc_challenge: bytes, matching_id: str | None = "MATCH-1", **tweak: Any
    ) -> bytes:
        signed1 = messages.SERVER_SIGNED1.encode(
            {
                "transactionId": self.transaction_id,
                "euiccChallenge": euicc_challenge,
                "serverAddress": self.address,
                "serverChallenge": self.server_challenge,
            }
        )
        assert self.certs.dp_auth is not None
        assert self.certs.dp_auth.private_key is not None
        signature = tweak.get("signature") or sign_raw(self.certs.dp_auth.private_key, signed1)
        ctx: dict[str, Any] = {
            "deviceInfo": {"tac": bytes.fromhex("35290611"), "deviceCapabilities": {}}
        }
        if matching_id is not None:
            ctx["matchingId"] = matching_id
        ctx_params = messages.rsp_codec().encode(
            "CtxParams1", ("ctxParamsForCommonAuthentication", ctx)
        )
        certificate = tweak.get("certificate", self.certs.dp_auth.der)
        pkid = tweak.get("pkid", self.certs.ci_pkid)
        return encode_tlv(
            0xBF38,
            signed1
            + encode_signature_tlv(signature)
            + encode_tlv(0x04, pkid)
            + certificate
            + ctx_params,
        )

    def prepare_download_request(
        self,
        authenticate_response: bytes,
        *,
        cc_required: bool = False,
        hash_cc: bytes | None = None,
    ) -> bytes:
        part = messages.euicc_signed1_part(authenticate_response)
        self.euicc_signature1 = part.signature
        signed2 = messages.SMDP_SIGNED2.encode(
            {"transactionId": self.transaction_id, "ccRequiredFlag": cc_required}
        )
        assert self.certs.dp_pb is not None
        assert self.certs.dp_pb.private_key is not None
        self.smdp_signature2 = sign_raw(
            self.certs.dp_pb.private_key,
            messages.smdp_signature2_input(signed2, part.signature),
        )
        body = signed2 + encode_signature_tlv(self.smdp_signature2)
        if hash_cc is not None:
            body += encode_tlv(0x04, hash_cc)
        return encode_tlv(0xBF21, body + self.certs.dp_pb.der)

    def bound_profile_package(
        self,
        prepare_response: bytes,
        metadata: bytes,
        upp: bytes,
        *,
        replace_keys: bool = True,
        tamper_segment: int | None = None,
        piece: int = 1007,
    ) -> bytes:
        decoded = messages.PREPARE_DOWNLOAD_RESPONSE.decode(prepare_response)
        assert decoded[0] == "downloadResponseOk", decoded
        self.euicc_otpk = decoded[1]["euiccSigned2"]["euiccOtpk"]
        one_time = generate_one_time_key(Curve.NIST_P256)
        keys = derive_session_keys(
            shared_secret(one_time, decode_public_key(self.euicc_otpk, Curve.NIST_P256)),
            HOST_ID,
            bytes.fromhex(EID),
        )
        members = (
            encode_tlv(0x82, b"\x01")
            + encode_tlv(0x80, self.transaction_id)
            + encode_tlv(0xA6, bytes.fromhex("800188810110") + encode_tlv(0x84, HOST_ID))
            + encode_tlv(0x5F49, encode_public_key(one_time.public_key()))
        )
        assert self.certs.dp_pb is not None
        assert self.certs.dp_pb.private_key is not None
        sign = sign_raw(
            self.certs.dp_pb.private_key,
            messages.smdp_sign_input(encode_tlv(0xBF23, members), self.euicc_otpk),
        )
        bsp = BspSession(keys)
        configure = bsp.protect_segments(TAG_ENCRYPTED_COMMAND, bytes.fromhex("BF2400"))
        metadata_segments = bsp.protect_mac_only_segments(TAG_MAC_ONLY, metadata)
        replace = None
        profile_bsp = bsp
        if replace_keys:
            ppk = SessionKeys(os.urandom(16), os.urandom(16), os.urandom(16))
            replace = tuple(
                bsp.protect_segments(
                    TAG_ENCRYPTED_COMMAND,
                    messages.REPLACE_SESSION_KEYS_REQUEST.encode(
                        {
                            "initialMacChainingValue": ppk.initial_mcv,
                            "ppkEnc": ppk.s_enc,
                            "ppkCmac": ppk.s_mac,
                        }
                    ),
                )
            )
            profile_bsp = BspSession(ppk)
        segments = profile_bsp.protect_segments(TAG_PROFILE_ELEMENTS, upp, piece)
        if tamper_segment is not None:
            bad = bytearray(segments[tamper_segment])
            bad[10] ^= 0x01
            segments[tamper_segment] = bytes(bad)
        return messages.build_bound_profile_package(
            messages.BoundProfilePackageParts(
                initialise_secure_channel=encode_tlv(0xBF23, members + encode_signature_tlv(sign)),
                configure_isdp=tuple(configure),
                store_metadata=tuple(metadata_segments),
                replace_session_keys=replace,
                profile_elements=tuple(segments),
            )
        )


def authenticate(lpa: Lpa, smdp: FakeSmdp, **tweak: Any) -> bytes:
    challenge = messages.GET_EUICC_CHALLENGE_RESPONSE.decode(lpa.es10(bytes.fromhex("BF2E00")))
    return lpa.es10(smdp.authenticate_server_request(challenge["euiccChallenge"], **tweak))


def download(
    lpa: Lpa,
    iccid: str,
    *,
    smdp: FakeSmdp | None = None,
    metadata: bytes | None = None,
    upp: bytes | None = None,
    **bpp_options: Any,
) -> bytes:
    """The whole §3.5 download against the card; returns the BF37."""
    smdp = smdp or FakeSmdp()
    response = authenticate(lpa, smdp)
    prepared = lpa.es10(smdp.prepare_download_request(response))
    bpp = smdp.bound_profile_package(
        prepared,
        metadata if metadata is not None else store_metadata(iccid),
        upp if upp is not None else unprotected_package(iccid),
        **bpp_options,
    )
    return lpa.load_bpp(bpp)
