"""The APDU layer of the eUICC: C-APDU parsing, status words, logical channels, STORE DATA block
assembly and ``61xx`` / GET RESPONSE chaining (ISO/IEC 7816-4 §5, §11.1; ETSI TS 102 221 §10;
GlobalPlatform Card Spec §11.11).

Nothing here knows ES10: the card facade feeds complete ES10 requests to the dispatcher and
gets back complete responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

_SPEC_7816 = "ISO/IEC 7816-4 §5.1 (command APDU)"


class StatusWord(IntEnum):
    """The status words this card answers with (ISO/IEC 7816-4 §5.6, TS 102 221 §10.2)."""

    OK = 0x9000
    WRONG_LENGTH = 0x6700  # Lc/Le inconsistent with the data, or extended length
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881  # CLA names a channel that is not open
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882
    COMMAND_CHAINING_NOT_SUPPORTED = 0x6884
    CONDITIONS_NOT_SATISFIED = 0x6985  # e.g. GET RESPONSE with nothing pending
    WRONG_DATA = 0x6A80  # the ES10 TLV is malformed
    FUNCTION_NOT_SUPPORTED = 0x6A81  # no free logical channel, closing channel 0
    FILE_NOT_FOUND = 0x6A82  # SELECT of an unknown AID
    INCORRECT_P1_P2 = 0x6A86
    REFERENCED_DATA_NOT_FOUND = 0x6A88  # unknown ES10 tag; segment after an early BF37
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00


class ApduError(Exception):
    """A command the card refuses with a status word (and no data)."""

    def __init__(self, status: StatusWord, rule: str, message: str, spec: str) -> None:
        super().__init__(f"{rule}: {message} ({spec}) -> {status:04X}")
        self.status = status
        self.rule = rule
        self.message = message
        self.spec = spec


INS_MANAGE_CHANNEL = 0x70
INS_SELECT = 0xA4
INS_GET_RESPONSE = 0xC0
INS_STORE_DATA = 0xE2


class CommandApdu(NamedTuple):
    """A parsed short C-APDU (cases 1 to 4, ISO/IEC 7816-4 §5.1).

    A named tuple rather than a dataclass: one is built per APDU, ~600 per profile download.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    """Ne as sent: None when absent, 256 for ``Le = 00``."""
    channel: int
    """The logical channel the CLA names (TS 102 221 §10.1.1)."""
    proprietary: bool
    """True for the GlobalPlatform proprietary class (``8X``/``CX``)."""


def _class_coding(cla: int) -> tuple[int, bool] | ApduError:
    """(channel, proprietary) for a class byte this card implements, else the refusal
    (ISO/IEC 7816-4 §5.4.1; GP §11.1.4).

    GlobalPlatform's proprietary classes 8X/CX mirror the interindustry 0X/4X coding, so the
    channel, chaining and secure-messaging bits are read the same way in both.
    """
    base = cla & 0x7F
    if cla == 0xFF or 0x20 <= base < 0x40:
        return ApduError(
            StatusWord.CLA_NOT_SUPPORTED, "apdu.cla", f"class byte {cla:02X} is invalid", _SPEC_7816
        )
    first_interindustry = base < 0x20
    chaining = bool(base & 0x10)
    secure_messaging = bool(base & 0x0C) if first_interindustry else bool(base & 0x20)
    if chaining:
        return ApduError(
            StatusWord.COMMAND_CHAINING_NOT_SUPPORTED,
            "apdu.command-chaining",
            "ISO command chaining is not supported; ES10 requests travel in STORE DATA blocks",
            "ISO/IEC 7816-4 §5.3.3, SGP.22 §5.7.2",
        )
    if secure_messaging:
        return ApduError(
            StatusWord.SECURE_MESSAGING_NOT_SUPPORTED,
            "apdu.secure-messaging",
            f"class byte {cla:02X} asks for secure messaging, which ES10 does not use",
            "ISO/IEC 7816-4 §5.4.1, SGP.22 §5.7",
        )
    channel = 4 + (cla & 0x0F) if cla & 0x40 else cla & 0x03
    return channel, bool(cla & 0x80)


CLASS_CODINGS = tuple(_class_coding(cla) for cla in range(256))
"""Every class byte's reading, computed once: the class check is a table look-up per APDU."""


def parse_command(apdu: bytes) -> CommandApdu:
    """Parse a short APDU; raise :class:`ApduError` with the status word a card would give."""
    size = len(apdu)
    if size < 4:
        raise ApduError(
            StatusWord.WRONG_LENGTH, "apdu.too-short", "a C-APDU has at least 4 bytes", _SPEC_7816
        )
    cla, ins, p1, p2 = apdu[0], apdu[1], apdu[2], apdu[3]
    coding = CLASS_CODINGS[cla]
    if isinstance(coding, ApduError):
        raise ApduError(coding.status, coding.rule, coding.message, coding.spec)
    channel, proprietary = coding
    if ins & 0xF0 in (0x60, 0x90):
        raise ApduError(
            StatusWord.INS_NOT_SUPPORTED, "apdu.ins", f"INS {ins:02X} is invalid", _SPEC_7816
        )
    if size == 4:
        return CommandApdu(cla, ins, p1, p2, b"", None, channel, proprietary)
    if size == 5:
        return CommandApdu(cla, ins, p1, p2, b"", apdu[4] or 256, channel, proprietary)
    lc = apdu[4]
    if lc == 0:
        raise ApduError(
            StatusWord.WRONG_LENGTH,
            "apdu.extended-length",
            "extended-length APDUs are not supported; ES10 uses short APDUs and STORE DATA blocks",
            "SGP.22 §5.7.2",
        )
    if size == 5 + lc:
        return CommandApdu(cla, ins, p1, p2, bytes(apdu[5:]), None, channel, proprietary)
    if size == 6 + lc:
        return CommandApdu(
            cla, ins, p1, p2, bytes(apdu[5:-1]), apdu[-1] or 256, channel, proprietary
        )
    raise ApduError(
        StatusWord.WRONG_LENGTH,
        "apdu.lc-mismatch",
        f"Lc announces {lc} bytes but {size - 5} follow",
        _SPEC_7816,
    )


SW_OK = b"\x90\x00"
"""The R-APDU of a command that succeeded without data."""


def response(data: bytes, status: int) -> bytes:
    """An R-APDU: data followed by SW1 SW2."""
    return data + (SW_OK if status == 0x9000 else status.to_bytes(2, "big"))


def status_only(status: int) -> bytes:
    return SW_OK if status == 0x9000 else status.to_bytes(2, "big")


# -- STORE DATA (GP Card Spec §11.11; SGP.22 §5.7.2) ------------------------------------------

P1_MORE_BLOCKS = 0x11
P1_LAST_BLOCK = 0x91
_SPEC_STORE_DATA = "GlobalPlatform Card Spec §11.11, SGP.22 §5.7.2"
MAX_ES10_REQUEST = 1 << 20
"""A bound on an assembled request; a whole BPP in one command stays well under it."""


@dataclass
class StoreDataAssembler:
    """Joins the blocks of one ES10 command (P1 11 … 91, P2 = block number from 00)."""

    blocks: list[bytes] = field(default_factory=list)
    size: int = 0

    def reset(self) -> None:
        self.blocks.clear()
        self.size = 0

    def add(self, command: CommandApdu) -> bytes | None:
        """Add one block; return the whole command after the last block, else None."""
        if command.p1 not in (P1_MORE_BLOCKS, P1_LAST_BLOCK):
            self.reset()
            raise ApduError(
                StatusWord.INCORRECT_P1_P2,
                "store-data.p1",
                f"P1 {command.p1:02X} is not 11 (more blocks) or 91 (last block) as ES10 uses",
                _SPEC_STORE_DATA,
            )
        if command.p2 != len(self.blocks) % 256:
            expected = len(self.blocks) % 256
            self.reset()
            raise ApduError(
                StatusWord.INCORRECT_P1_P2,
                "store-data.block-number",
                f"block number {command.p2:02X} arrived where {expected:02X} was expected",
                _SPEC_STORE_DATA,
            )
        if not command.data:
            self.reset()
            raise ApduError(
                StatusWord.WRONG_LENGTH,
                "store-data.empty-block",
                "a STORE DATA block carries at least one byte",
                _SPEC_STORE_DATA,
            )
        self.size += len(command.data)
        if self.size > MAX_ES10_REQUEST:
            self.reset()
            raise ApduError(
                StatusWord.WRONG_DATA,
                "store-data.too-long",
                f"the command exceeds {MAX_ES10_REQUEST} bytes",
                _SPEC_STORE_DATA,
            )
        self.blocks.append(command.data)
        if command.p1 == P1_MORE_BLOCKS:
            return None
        whole = b"".join(self.blocks)
        self.reset()
        return whole


# -- response chaining (ISO/IEC 7816-4 §5.3.4, TS 102 221 §7.3.1.1.4) -------------------------


@dataclass
class PendingResponse:
    """Response bytes not yet fetched with GET RESPONSE on one channel."""

    data: bytes = b""

    def start(self, data: bytes, ne: int | None) -> bytes:
        """Answer a command whose response is ``data``.

        With Le present, up to Ne bytes come at once and ``61xx`` announces the rest; without
        Le, the card answers ``61xx`` and waits for GET RESPONSE, as T=0 cards do.
        """
        self.data = data
        if not data:
            return status_only(StatusWord.OK)
        if ne is None:
            return status_only(self._more_status())
        return self.take(ne)

    def take(self, ne: int) -> bytes:
        chunk, self.data = self.data[:ne], self.data[ne:]
        if self.data:
            return response(chunk, self._more_status())
        return response(chunk, StatusWord.OK)

    def _more_status(self) -> int:
        # 61 00 means "256 or more bytes remain".
        return 0x6100 | (len(self.data) if len(self.data) < 256 else 0)

    def clear(self) -> None:
        self.data = b""
