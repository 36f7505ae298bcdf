"""The :class:`Euicc` facade: one emulated card behind ``transmit(apdu) -> response``.

The LPA side talks to the card only through :meth:`Euicc.transmit`, exactly as over PC/SC or a
modem: MANAGE CHANNEL, SELECT of the ISD-R on that channel, STORE DATA blocks, GET RESPONSE
after ``61xx``, MANAGE CHANNEL close (SGP.22 §5.7.2). ``transmit`` never raises: a malformed
or refused command gets the status word a card would give. The remaining methods serve the
app's panels; each is one store transaction and queues the notifications a real card would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from esim.euicc.apdu import (
    INS_GET_RESPONSE,
    INS_MANAGE_CHANNEL,
    INS_SELECT,
    INS_STORE_DATA,
    SW_OK,
    ApduError,
    CommandApdu,
    StatusWord,
    parse_command,
    response,
    status_only,
)
from esim.euicc.channels import LogicalChannel, accept_middle_blocks
from esim.euicc.config import ISD_R_AID, EuiccConfig
from esim.euicc.context import CardContext, ConfigurationError
from esim.euicc.dispatch import dispatch
from esim.euicc.profile_ops import (
    MemoryResetResult,
    Result,
    delete_profile,
    disable_profile,
    enable_profile,
    memory_reset,
    set_nickname,
)
from esim.euicc.records import NotificationRecord, ProfileRecord
from esim.euicc.store import EuiccStore

_log = logging.getLogger(__name__)
STORE_FILE_NAME = "euicc.sqlite"
_SPEC_CHANNELS = "ISO/IEC 7816-4 §11.1.2, ETSI TS 102 221 §11.1.17 (MANAGE CHANNEL)"
_SPEC_SELECT = "ISO/IEC 7816-4 §11.1.1, GlobalPlatform §11.9 (SELECT by AID)"


def _fci() -> bytes:
    """The ISD-R's FCI: AID (84) and proprietary data (A5) with the maximum Lc (9F65)."""
    proprietary = b"\x9f\x65\x01\xff"
    body = b"\x84" + bytes([len(ISD_R_AID)]) + ISD_R_AID + b"\xa5" + bytes([len(proprietary)])
    body += proprietary
    return b"\x6f" + bytes([len(body)]) + body


class Euicc:
    """An emulated SGP.22 v2.2 consumer eUICC (see the module docstring)."""

    def __init__(self, ctx: CardContext) -> None:
        self._ctx = ctx
        self._lock = threading.RLock()
        self._channels: dict[int, LogicalChannel] = {0: LogicalChannel()}

    @classmethod
    def open(cls, data_dir: Path, config: EuiccConfig) -> Euicc:
        """Open the card whose memory is ``<data_dir>/euicc.sqlite`` (created if missing)."""
        store = EuiccStore(Path(data_dir) / STORE_FILE_NAME)
        try:
            ctx = CardContext.create(config, store)
            with store.transaction():
                stored_eid = store.setting("eid")
                if stored_eid is None:
                    store.set_setting("eid", config.eid)
                    if config.default_dp_address:
                        store.set_setting("default_dp_address", config.default_dp_address)
                elif stored_eid != config.eid:
                    raise ConfigurationError(
                        "euicc.store-of-another-card",
                        f"{data_dir} holds the memory of eUICC {stored_eid}, not {config.eid}",
                        "DESIGN.md §3 (one data directory per card)",
                    )
        except BaseException:
            store.close()
            raise
        return cls(ctx)

    # -- the APDU interface --------------------------------------------------------------------

    def transmit(self, apdu: bytes) -> bytes:
        """One C-APDU in, the R-APDU (data ‖ SW1 SW2) out; never raises."""
        with self._lock:
            return self._answer(apdu)

    def transmit_chain(self, apdus: Sequence[bytes]) -> list[bytes]:
        """Transmit ``apdus`` in order, each exactly as :meth:`transmit` would, and stop after
        the first answer other than a bare ``90 00``; return the answers of those transmitted.

        For an LPA in the same process: the STORE DATA blocks of one ES10 command in one call
        instead of one call per block. Every APDU is still parsed and checked on its own.
        """
        answers: list[bytes] = []
        count = len(apdus)
        index = 0
        with self._lock:
            while index < count:
                taken = accept_middle_blocks(self._channels, apdus, index)
                if taken:
                    answers += [SW_OK] * taken
                    index += taken
                    continue
                answer = self._answer(apdus[index])
                answers.append(answer)
                index += 1
                if answer != SW_OK:
                    break
        return answers

    def _answer(self, apdu: bytes) -> bytes:
        try:
            return self._transmit(bytes(apdu))
        except ApduError as error:
            _log.debug("refused %s: %s", bytes(apdu[:5]).hex(), error)
            return status_only(error.status)
        except Exception:  # a bug must not take the LPA down: answer like a card would
            _log.exception("eUICC internal error on %s", bytes(apdu[:5]).hex())
            return status_only(StatusWord.NO_PRECISE_DIAGNOSIS)

    def _transmit(self, apdu: bytes) -> bytes:
        command = parse_command(apdu)
        channel = self._channels.get(command.channel)
        if channel is None:
            raise ApduError(
                StatusWord.LOGICAL_CHANNEL_NOT_SUPPORTED,
                "apdu.channel-not-open",
                f"logical channel {command.channel} is not open",
                _SPEC_CHANNELS,
            )
        ins = command.ins
        if ins == INS_STORE_DATA:
            channel.pending.data = b""
            return self._store_data(command, channel)
        if ins != INS_GET_RESPONSE:
            channel.pending.clear()
        channel.assembler.reset()
        if ins == INS_MANAGE_CHANNEL:
            return self._manage_channel(command)
        if ins == INS_SELECT:
            return self._select(command, channel)
        if ins == INS_GET_RESPONSE:
            return self._get_response(command, channel)
        raise ApduError(
            StatusWord.INS_NOT_SUPPORTED,
            "apdu.ins-not-supported",
            f"INS {command.ins:02X} is not supported",
            "ISO/IEC 7816-4 §5.6",
        )

    def _require_interindustry(self, command: CommandApdu) -> None:
        if command.proprietary:
            raise ApduError(
                StatusWord.CLA_NOT_SUPPORTED,
                "apdu.class-for-ins",
                f"INS {command.ins:02X} is an interindustry command (CLA 0X/4X)",
                "ISO/IEC 7816-4 §5.4.1",
            )

    def _manage_channel(self, command: CommandApdu) -> bytes:
        self._require_interindustry(command)
        if command.data:
            raise ApduError(
                StatusWord.WRONG_LENGTH,
                "channel.data",
                "MANAGE CHANNEL has no data",
                _SPEC_CHANNELS,
            )
        limit = self._ctx.config.max_logical_channels
        if command.p1 == 0x00:
            if command.p2 == 0:
                free = [n for n in range(1, limit) if n not in self._channels]
                if not free:
                    raise ApduError(
                        StatusWord.FUNCTION_NOT_SUPPORTED,
                        "channel.none-free",
                        f"all {limit - 1} logical channels are open",
                        _SPEC_CHANNELS,
                    )
                self._channels[free[0]] = LogicalChannel()
                return response(bytes([free[0]]), StatusWord.OK)
            if command.p2 >= limit or command.p2 in self._channels:
                raise ApduError(
                    StatusWord.FUNCTION_NOT_SUPPORTED,
                    "channel.unavailable",
                    f"logical channel {command.p2} cannot be opened",
                    _SPEC_CHANNELS,
                )
            self._channels[command.p2] = LogicalChannel()
            return status_only(StatusWord.OK)
        if command.p1 == 0x80:
            target = command.p2 or command.channel
            if target == 0:
                raise ApduError(
                    StatusWord.FUNCTION_NOT_SUPPORTED,
                    "channel.close-basic",
                    "the basic channel cannot be closed",
                    _SPEC_CHANNELS,
                )
            if target not in self._channels:
                raise ApduError(
                    StatusWord.LOGICAL_CHANNEL_NOT_SUPPORTED,
                    "channel.not-open",
                    f"logical channel {target} is not open",
                    _SPEC_CHANNELS,
                )
            del self._channels[target]
            return status_only(StatusWord.OK)
        raise ApduError(
            StatusWord.INCORRECT_P1_P2,
            "channel.p1",
            f"MANAGE CHANNEL P1 {command.p1:02X} is neither 00 (open) nor 80 (close)",
            _SPEC_CHANNELS,
        )

    def _select(self, command: CommandApdu, channel: LogicalChannel) -> bytes:
        self._require_interindustry(command)
        if command.p1 != 0x04 or command.p2 not in (0x00, 0x0C):
            raise ApduError(
                StatusWord.INCORRECT_P1_P2,
                "select.p1-p2",
                "this card selects applications by AID only (P1 04, P2 00 or 0C)",
                _SPEC_SELECT,
            )
        if not 5 <= len(command.data) <= 16:
            raise ApduError(
                StatusWord.WRONG_LENGTH,
                "select.aid-length",
                "an AID is 5 to 16 bytes",
                _SPEC_SELECT,
            )
        if command.data != ISD_R_AID:
            raise ApduError(
                StatusWord.FILE_NOT_FOUND,
                "select.unknown-aid",
                f"no selectable application has the AID {command.data.hex().upper()}",
                _SPEC_SELECT,
            )
        channel.isd_r_selected = True
        if command.p2 == 0x0C:
            return status_only(StatusWord.OK)
        return channel.pending.start(_fci(), command.le)

    def _get_response(self, command: CommandApdu, channel: LogicalChannel) -> bytes:
        if command.p1 or command.p2:
            raise ApduError(
                StatusWord.INCORRECT_P1_P2,
                "get-response.p1-p2",
                "GET RESPONSE takes P1 = P2 = 00",
                "ISO/IEC 7816-4 §11.6.1",
            )
        if command.data:
            raise ApduError(
                StatusWord.WRONG_LENGTH, "get-response.data", "GET RESPONSE has no data", "§11.6.1"
            )
        if not channel.pending.data:
            raise ApduError(
                StatusWord.CONDITIONS_NOT_SATISFIED,
                "get-response.nothing-pending",
                "there is no response data to fetch on this channel",
                "ISO/IEC 7816-4 §11.6.1",
            )
        return channel.pending.take(command.le or 256)

    def _store_data(self, command: CommandApdu, channel: LogicalChannel) -> bytes:
        if not command.proprietary:
            raise ApduError(
                StatusWord.CLA_NOT_SUPPORTED,
                "store-data.class",
                "STORE DATA is a GlobalPlatform command: CLA 8X (or CX)",
                "GlobalPlatform Card Spec §11.11, SGP.22 §5.7.2",
            )
        if not channel.isd_r_selected:
            raise ApduError(
                StatusWord.INS_NOT_SUPPORTED,
                "store-data.no-isd-r",
                "the ISD-R is not selected on this channel",
                "SGP.22 §5.7.2",
            )
        request = channel.assembler.add(command)
        if request is None:
            return SW_OK
        return channel.pending.start(dispatch(self._ctx, request), command.le)

    # -- helpers for the app's panels ----------------------------------------------------------

    def profiles(self) -> list[ProfileRecord]:
        """The installed profiles, in ISD-P AID order."""
        with self._lock:
            return self._ctx.store.profiles()

    def profile(self, iccid: str) -> ProfileRecord | None:
        with self._lock:
            return self._ctx.store.profile_by_iccid(iccid)

    def eid(self) -> str:
        return self._ctx.config.eid

    def enable(self, iccid: str) -> Result:
        """EnableProfile by ICCID; disables the enabled profile first (both notified)."""
        with self._lock:
            return enable_profile(self._ctx, self._ctx.store.profile_by_iccid(iccid))

    def disable(self, iccid: str) -> Result:
        with self._lock:
            return disable_profile(self._ctx, self._ctx.store.profile_by_iccid(iccid))

    def delete(self, iccid: str) -> Result:
        with self._lock:
            return delete_profile(self._ctx, self._ctx.store.profile_by_iccid(iccid))

    def set_nickname(self, iccid: str, nickname: str) -> bool:
        with self._lock:
            return set_nickname(self._ctx, iccid, nickname) == 0

    def memory_reset(
        self, *, operational: bool = True, test: bool = True, default_smdp_address: bool = False
    ) -> MemoryResetResult:
        with self._lock:
            return memory_reset(
                self._ctx,
                operational=operational,
                test=test,
                default_smdp_address=default_smdp_address,
            )

    def notifications(self) -> list[NotificationRecord]:
        """Pending notifications in seqNumber order."""
        with self._lock:
            return self._ctx.store.notifications()

    def remove_notification(self, seq_number: int) -> bool:
        with self._lock:
            return self._ctx.store.remove_notification(seq_number)

    def default_dp_address(self) -> str | None:
        with self._lock:
            return self._ctx.store.setting("default_dp_address")

    def free_memory(self) -> int:
        with self._lock:
            return self._ctx.free_memory()

    def reset(self) -> None:
        """A card reset: logical channels close and the RSP session is forgotten."""
        with self._lock:
            self._channels = {0: LogicalChannel()}
            self._ctx.challenge = None
            self._ctx.reset_session()

    def close(self) -> None:
        with self._lock:
            self._ctx.store.close()
