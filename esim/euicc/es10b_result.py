"""Result vocabulary of ES10b.LoadBoundProfilePackage: BppCommandId, ErrorReason, the signed
ProfileInstallationResult (BF37) and the TLV header reader for the header-only commands
(SGP.22 §5.7.6 euiccSignPIR).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from esim.asn1 import messages
from esim.asn1.tlv import encode_tlv
from esim.crypto import encode_signature_tlv
from esim.euicc import result_der
from esim.euicc.context import CardContext, DownloadSession
from esim.euicc.es10b_notifications import notification_metadata_value
from esim.euicc.records import NotificationRecord

SIMA_OK = bytes.fromhex("3007A0053003800100")
"""A SAIP EUICCResponse with one PEStatus ``ok`` (PE_Definitions.6)."""


class BppCommand(IntEnum):
    INITIALISE_SECURE_CHANNEL = 0
    CONFIGURE_ISDP = 1
    STORE_METADATA = 2
    REPLACE_SESSION_KEYS = 4
    LOAD_PROFILE_ELEMENTS = 5


class ErrorReason(IntEnum):
    INCORRECT_INPUT_VALUES = 1
    INVALID_SIGNATURE = 2
    INVALID_TRANSACTION_ID = 3
    UNSUPPORTED_CRT_VALUES = 4
    UNSUPPORTED_REMOTE_OPERATION_TYPE = 5
    UNSUPPORTED_PROFILE_CLASS = 6
    SCP03T_STRUCTURE_ERROR = 7
    SCP03T_SECURITY_ERROR = 8
    ICCID_ALREADY_EXISTS = 9
    INSUFFICIENT_MEMORY = 10
    INTERRUPTION = 11
    PE_PROCESSING_ERROR = 12
    DATA_MISMATCH = 13
    PPR_NOT_ALLOWED = 15
    UNKNOWN_ERROR = 127


class InstallError(Exception):
    def __init__(self, command: BppCommand, reason: ErrorReason) -> None:
        super().__init__(f"{command.name}: {reason.name}")
        self.command = command
        self.reason = reason


def tlv_header(data: bytes) -> tuple[int, int, int] | None:
    """Tag, announced length and header size of a TLV header (the value may be absent)."""
    offset = 1
    if not data:
        return None
    tag = data[0]
    if tag & 0x1F == 0x1F:
        while offset < len(data) and data[offset] & 0x80:
            tag = (tag << 8) | data[offset]
            offset += 1
        if offset >= len(data):
            return None
        tag = (tag << 8) | data[offset]
        offset += 1
    if offset >= len(data):
        return None
    first = data[offset]
    offset += 1
    if first < 0x80:
        return tag, first, offset
    count = first & 0x7F
    if count == 0 or count > 4 or offset + count > len(data):
        return None
    return tag, int.from_bytes(data[offset : offset + count], "big"), offset + count


def section_header(command: bytes, tag: int, failing: BppCommand) -> int:
    """The length an ``A1``/``A3`` header command announces (the command is the header only)."""
    header = tlv_header(command)
    if header is None or header[0] != tag or header[2] != len(command) or header[1] == 0:
        raise InstallError(failing, ErrorReason.INCORRECT_INPUT_VALUES)
    return header[1]


def signed_result(
    ctx: CardContext,
    session: DownloadSession,
    iccid: str | None,
    final_result: tuple[str, dict[str, Any]],
) -> tuple[int, bytes, bytes]:
    seq_number = ctx.store.next_sequence_number()
    metadata_value = notification_metadata_value(
        seq_number, "install", session.server_address, iccid
    )
    metadata = result_der.notification_metadata(
        metadata_value
    ) or messages.NOTIFICATION_METADATA.encode(metadata_value)
    data = result_der.installation_result_data(
        session.transaction_id, metadata, session.smdp_oid, final_result
    ) or messages.PROFILE_INSTALLATION_RESULT_DATA.encode(
        {
            "transactionId": session.transaction_id,
            "notificationMetadata": metadata_value,
            "smdpOid": session.smdp_oid,
            "finalResult": final_result,
        }
    )
    pir = encode_tlv(0xBF37, data + encode_signature_tlv(ctx.sign(data)))
    return seq_number, metadata, pir


def store_result(
    ctx: CardContext, seq_number: int, metadata: bytes, pir: bytes, address: str, iccid: str | None
) -> None:
    ctx.store.add_notification(
        NotificationRecord(seq_number, "install", address, iccid, metadata, pir, ctx.clock())
    )
