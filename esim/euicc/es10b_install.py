"""ES10b.LoadBoundProfilePackage: the installation state machine (SGP.22 §5.7.6, §2.5.5).

The LPA sends the BPP as a series of ES10b commands: ``BF36 len ‖ BF23…``, ``A0…`` whole,
``A1 len`` alone then each ``88``, ``A2…`` whole if present, ``A3 len`` alone then each ``86``.
Every command but the last answers ``90 00`` with no data; the ProfileInstallationResult (BF37)
comes after the last ``86`` or as soon as something fails, and every further segment of that
package is refused with SW ``6A88`` (openpilot PR #37890).

Nothing is written until the last segment verified: then the profile, its new ISD-P AID and
the install notification go to the store in one transaction (DESIGN.md §3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from esim.asn1 import device_der, messages
from esim.asn1.errors import Asn1DecodeError, Asn1Error
from esim.asn1.tlv import iter_tlvs, parse_single
from esim.crypto import (
    TAG_ENCRYPTED_COMMAND,
    TAG_MAC_ONLY,
    TAG_PROFILE_ELEMENTS,
    BspError,
    BspSession,
    CryptoError,
    Curve,
    SessionKeys,
    decode_public_key,
    derive_session_keys,
    encode_public_key,
    shared_secret,
    verify_raw,
)
from esim.euicc.apdu import ApduError, StatusWord
from esim.euicc.config import SGP22_MAX_SEGMENT
from esim.euicc.context import CardContext, DownloadSession
from esim.euicc.es10b_result import (
    SIMA_OK,
    BppCommand,
    ErrorReason,
    InstallError,
    section_header,
    signed_result,
    store_result,
    tlv_header,
)
from esim.euicc.records import ProfileClass
from esim.identifiers import Iccid, IdentifierError

_log = logging.getLogger(__name__)

_SPEC = "SGP.22 §5.7.6"


_CLASS_NAMES = frozenset(member.name.lower() for member in ProfileClass)
_CLASS_VALUES = frozenset(int(member) for member in ProfileClass)


class Stage(Enum):
    EXPECT_CONFIGURE_ISDP = "A0"
    EXPECT_METADATA_HEADER = "A1"
    IN_METADATA = "88"
    EXPECT_KEYS_OR_ELEMENTS = "A2/A3"
    IN_ELEMENTS = "86"
    FINISHED = "done"


@dataclass
class ProfileInstaller:
    """One BPP being loaded, from the accepted BF23 to its BF37."""

    session: DownloadSession
    bsp: BspSession
    stage: Stage = Stage.EXPECT_CONFIGURE_ISDP
    remaining: int = 0
    """Bytes still announced by the open A1 or A3 header."""
    metadata_bytes: bytearray = field(default_factory=bytearray)
    metadata: dict[str, Any] | None = None
    metadata_der: bytes = b""
    iccid: str | None = None
    package: bytearray = field(default_factory=bytearray)
    on_oversized: Callable[[int], None] | None = None
    """Called once per package with the size of the first segment above SGP.22's 1020."""
    free_memory: int = 0
    """The card's free memory when the package started: each segment is checked against it
    without a store query; the install transaction checks again under the write lock."""


def load_bound_profile_package(ctx: CardContext, command: bytes) -> bytes:
    """One ES10b.LoadBoundProfilePackage command; b"" means ``90 00`` without data."""
    tag = command[0] if command else 0
    if command[:2] == b"\xbf\x36":
        return _start(ctx, command)
    installer = ctx.installer
    if installer is None or installer.stage is Stage.FINISHED:
        raise ApduError(
            StatusWord.REFERENCED_DATA_NOT_FOUND,
            "bpp.no-installation",
            f"a {tag:02X} segment arrived with no package being loaded (or after its BF37)",
            _SPEC,
        )
    try:
        return _continue(ctx, installer, command)
    except InstallError as failure:
        return _finish_with_error(ctx, installer.session, installer, failure)


def _start(ctx: CardContext, command: bytes) -> bytes:
    session = ctx.session
    if session is None or not session.prepared:
        raise ApduError(
            StatusWord.CONDITIONS_NOT_SATISFIED,
            "bpp.no-session",
            "LoadBoundProfilePackage needs a successful PrepareDownload first",
            "SGP.22 §5.7.6 steps 6-8",
        )
    header = tlv_header(command)
    if header is None or len(command) > header[1] + header[2]:
        raise ApduError(
            StatusWord.WRONG_DATA, "bpp.header", "the BF36 header or length is malformed", _SPEC
        )
    _, length, header_size = header
    if len(command) == header_size + length:
        # The whole BF36 in one command: run it as the segment sequence lpac would send.
        try:
            commands = messages.load_bpp_commands(command)
        except Asn1DecodeError:
            return _finish_with_error(
                ctx,
                session,
                None,
                InstallError(
                    BppCommand.INITIALISE_SECURE_CHANNEL, ErrorReason.INCORRECT_INPUT_VALUES
                ),
            )
        result = b""
        for part in commands:
            result = load_bound_profile_package(ctx, part)
            if result:
                break
        return result
    try:
        ctx.installer = _initialise_secure_channel(ctx, session, command[header_size:])
    except InstallError as failure:
        return _finish_with_error(ctx, session, None, failure)
    return b""


def _initialise_secure_channel(
    ctx: CardContext, session: DownloadSession, isc: bytes
) -> ProfileInstaller:
    fail = BppCommand.INITIALISE_SECURE_CHANNEL
    try:
        decoded = device_der.decode(messages.INITIALISE_SECURE_CHANNEL_REQUEST, isc)
    except Asn1DecodeError:
        raise InstallError(fail, ErrorReason.INCORRECT_INPUT_VALUES) from None
    if decoded["remoteOpId"] != 1:
        raise InstallError(fail, ErrorReason.UNSUPPORTED_REMOTE_OPERATION_TYPE)
    if decoded["transactionId"] != session.transaction_id:
        raise InstallError(fail, ErrorReason.INVALID_TRANSACTION_ID)
    crt = decoded["controlRefTemplate"]
    if crt["keyType"] != b"\x88" or crt["keyLen"] != b"\x10":
        raise InstallError(fail, ErrorReason.UNSUPPORTED_CRT_VALUES)
    assert session.one_time_key is not None
    assert session.dp_pb is not None
    euicc_otpk = encode_public_key(session.one_time_key.public_key())
    dp_pb_key = session.dp_pb.public_key()
    try:
        verify_raw(
            dp_pb_key,  # type: ignore[arg-type]  # an EC key, checked in PrepareDownload
            messages.smdp_sign_input(isc, euicc_otpk),
            decoded["smdpSign"],
        )
    except CryptoError:
        raise InstallError(fail, ErrorReason.INVALID_SIGNATURE) from None
    try:
        curve = Curve.of(session.one_time_key.curve)
        smdp_otpk = decode_public_key(decoded["smdpOtpk"], curve)
        secret = shared_secret(session.one_time_key, smdp_otpk)
        keys = derive_session_keys(secret, crt["hostId"], ctx.eid_bytes)
    except CryptoError:
        raise InstallError(fail, ErrorReason.INCORRECT_INPUT_VALUES) from None
    return ProfileInstaller(
        session=session,
        bsp=BspSession(keys, max_segment_length=ctx.config.max_segment_length),
        on_oversized=_oversize_note(ctx, session),
        free_memory=ctx.free_memory(),
    )


def _oversize_note(ctx: CardContext, session: DownloadSession) -> Callable[[int], None]:
    def note(size: int) -> None:
        listener = ctx.config.note_listener
        message = (
            f"{session.server_address} sent a {size}-byte BPP segment: SGP.22 §2.5.5 allows "
            f"1020; accepted as real eUICCs do (EuiccConfig.strict_segment_size refuses it)"
        )
        if listener is None:
            _log.info("%s", message)
        else:
            listener(
                "segment-over-1020",
                {"peer": session.server_address, "bytes": size, "limit": SGP22_MAX_SEGMENT,
                 "message": message},
            )  # fmt: skip

    return note


def _open(installer: ProfileInstaller, segment: bytes, tag: int, command: BppCommand) -> bytes:
    try:
        if tag == TAG_MAC_ONLY:
            opened = installer.bsp.unprotect_mac_only(segment, tag)
        else:
            opened = installer.bsp.unprotect(segment, tag)
    except BspError as error:
        raise InstallError(command, ErrorReason(error.failure.value)) from None
    if len(segment) > SGP22_MAX_SEGMENT and installer.on_oversized is not None:
        installer.on_oversized(len(segment))
        installer.on_oversized = None
    return opened


def _continue(ctx: CardContext, installer: ProfileInstaller, command: bytes) -> bytes:
    stage = installer.stage
    if stage is Stage.EXPECT_CONFIGURE_ISDP:
        return _configure_isdp(installer, command)
    if stage is Stage.EXPECT_METADATA_HEADER:
        length = section_header(command, 0xA1, BppCommand.STORE_METADATA)
        installer.stage, installer.remaining = Stage.IN_METADATA, length
        return b""
    if stage is Stage.IN_METADATA:
        _take(installer, command, BppCommand.STORE_METADATA)
        installer.metadata_bytes += _open(
            installer, command, TAG_MAC_ONLY, BppCommand.STORE_METADATA
        )
        if installer.remaining == 0:
            _store_metadata(ctx, installer)
            installer.stage = Stage.EXPECT_KEYS_OR_ELEMENTS
        return b""
    if stage is Stage.EXPECT_KEYS_OR_ELEMENTS:
        if command[:1] == b"\xa2":
            _replace_session_keys(installer, command)
            return b""
        length = section_header(command, 0xA3, BppCommand.LOAD_PROFILE_ELEMENTS)
        installer.stage, installer.remaining = Stage.IN_ELEMENTS, length
        return b""
    # Stage.IN_ELEMENTS
    _take(installer, command, BppCommand.LOAD_PROFILE_ELEMENTS)
    installer.package += _open(
        installer, command, TAG_PROFILE_ELEMENTS, BppCommand.LOAD_PROFILE_ELEMENTS
    )
    if len(installer.package) > installer.free_memory:
        raise InstallError(BppCommand.LOAD_PROFILE_ELEMENTS, ErrorReason.INSUFFICIENT_MEMORY)
    if installer.remaining:
        return b""
    _check_package(installer)
    return _finish_with_success(ctx, installer)


def _take(installer: ProfileInstaller, segment: bytes, command: BppCommand) -> None:
    if len(segment) > installer.remaining:
        raise InstallError(command, ErrorReason.INCORRECT_INPUT_VALUES)
    installer.remaining -= len(segment)


def _configure_isdp(installer: ProfileInstaller, command: bytes) -> bytes:
    fail = BppCommand.CONFIGURE_ISDP
    try:
        container = parse_single(command, 0xA0)
        segments = [tlv.raw for tlv in iter_tlvs(container.value)]
    except Asn1DecodeError:
        raise InstallError(fail, ErrorReason.SCP03T_STRUCTURE_ERROR) from None
    if not segments:
        raise InstallError(fail, ErrorReason.SCP03T_STRUCTURE_ERROR)
    plaintext = b"".join(_open(installer, s, TAG_ENCRYPTED_COMMAND, fail) for s in segments)
    try:
        device_der.decode(messages.CONFIGURE_ISDP_REQUEST, plaintext)
    except Asn1DecodeError:
        raise InstallError(fail, ErrorReason.INCORRECT_INPUT_VALUES) from None
    installer.stage = Stage.EXPECT_METADATA_HEADER
    return b""


def _store_metadata(ctx: CardContext, installer: ProfileInstaller) -> None:
    fail = BppCommand.STORE_METADATA
    der = bytes(installer.metadata_bytes)
    try:
        metadata = device_der.decode(messages.STORE_METADATA_REQUEST, der)
        iccid = str(Iccid.from_sgp22_bytes(metadata["iccid"], check_luhn=False))
    except (Asn1DecodeError, IdentifierError):
        raise InstallError(fail, ErrorReason.INCORRECT_INPUT_VALUES) from None
    # asn1tools hands an absent DEFAULT back as its name ("operational"), a present one as int.
    profile_class = metadata.get("profileClass", ProfileClass.OPERATIONAL)
    if isinstance(profile_class, str):
        profile_class = ProfileClass[profile_class.upper()] if profile_class in _CLASS_NAMES else -1
    if profile_class not in _CLASS_VALUES:
        raise InstallError(fail, ErrorReason.UNSUPPORTED_PROFILE_CLASS)
    metadata["profileClass"] = int(profile_class)
    if ctx.store.profile_by_iccid(iccid) is not None:
        raise InstallError(fail, ErrorReason.ICCID_ALREADY_EXISTS)
    installer.metadata, installer.metadata_der, installer.iccid = metadata, der, iccid


def _replace_session_keys(installer: ProfileInstaller, command: bytes) -> None:
    fail = BppCommand.REPLACE_SESSION_KEYS
    try:
        container = parse_single(command, 0xA2)
        segments = [tlv.raw for tlv in iter_tlvs(container.value)]
    except Asn1DecodeError:
        raise InstallError(fail, ErrorReason.SCP03T_STRUCTURE_ERROR) from None
    plaintext = b"".join(_open(installer, s, TAG_ENCRYPTED_COMMAND, fail) for s in segments)
    try:
        keys = device_der.decode(messages.REPLACE_SESSION_KEYS_REQUEST, plaintext)
    except Asn1DecodeError:
        raise InstallError(fail, ErrorReason.INCORRECT_INPUT_VALUES) from None
    # The PPKs start a new BSP instance: counter 1, the given MAC chaining value (§3.6).
    installer.bsp = BspSession(
        SessionKeys(keys["ppkEnc"], keys["ppkCmac"], keys["initialMacChainingValue"]),
        max_segment_length=installer.bsp.max_segment_length,
    )


def _check_package(installer: ProfileInstaller) -> None:
    """Light SAIP checks: the package is a TLV sequence whose header names the same ICCID."""
    fail = BppCommand.LOAD_PROFILE_ELEMENTS
    try:
        elements = list(iter_tlvs(bytes(installer.package)))
    except Asn1Error:
        raise InstallError(fail, ErrorReason.PE_PROCESSING_ERROR) from None
    if not elements:
        raise InstallError(fail, ErrorReason.PE_PROCESSING_ERROR)
    header = elements[0]
    if header.tag != 0xA0:  # ProfileElement header [0] comes first (SAIP §8.2)
        raise InstallError(fail, ErrorReason.PE_PROCESSING_ERROR)
    try:
        fields = {tlv.tag: tlv.value for tlv in iter_tlvs(header.value)}
    except Asn1Error:
        raise InstallError(fail, ErrorReason.PE_PROCESSING_ERROR) from None
    saip_iccid = fields.get(0x83)  # ProfileHeader.iccid, plain BCD (ITU-T E.118)
    if saip_iccid is not None:
        try:
            same = str(Iccid.from_bcd(saip_iccid, check_luhn=False)) == installer.iccid
        except IdentifierError:
            same = False
        if not same:
            raise InstallError(fail, ErrorReason.DATA_MISMATCH)


def _finish_with_success(ctx: CardContext, installer: ProfileInstaller) -> bytes:
    assert installer.metadata is not None
    assert installer.iccid is not None
    session = installer.session
    with ctx.store.transaction():
        # Checked again under the write lock: another process on the same card may have
        # installed a profile since the last segment was counted.
        if len(installer.package) > ctx.free_memory():
            raise InstallError(BppCommand.LOAD_PROFILE_ELEMENTS, ErrorReason.INSUFFICIENT_MEMORY)
        aid = ctx.store.next_isdp_aid()
        seq_number, metadata, pir = signed_result(
            ctx, session, installer.iccid, ("successResult", {"aid": aid, "simaResponse": SIMA_OK})
        )
        ctx.store.insert_profile(
            iccid=installer.iccid,
            aid=aid,
            metadata=installer.metadata,
            metadata_der=installer.metadata_der,
            dp_oid=session.smdp_oid,
            package=bytes(installer.package),
            installed_at=ctx.clock(),
        )
        store_result(ctx, seq_number, metadata, pir, session.server_address, installer.iccid)
    installer.stage = Stage.FINISHED
    ctx.session = None
    return pir


def _finish_with_error(
    ctx: CardContext,
    session: DownloadSession,
    installer: ProfileInstaller | None,
    failure: InstallError,
) -> bytes:
    iccid = None if installer is None else installer.iccid
    with ctx.store.transaction():
        seq_number, metadata, pir = signed_result(
            ctx,
            session,
            iccid,
            (
                "errorResult",
                {"bppCommandId": int(failure.command), "errorReason": int(failure.reason)},
            ),
        )
        store_result(ctx, seq_number, metadata, pir, session.server_address, iccid)
    if installer is None:
        installer = ProfileInstaller(session=session, bsp=_DEAD_BSP)
    installer.stage = Stage.FINISHED
    ctx.installer = installer  # later segments of this package get 6A88
    ctx.session = None
    return pir


_DEAD_BSP = BspSession(SessionKeys(bytes(16), bytes(16), bytes(16)))
