"""ES10 over APDUs: a logical channel to the ISD-R and STORE DATA segmentation (SGP.22 §5.7.2).

One ES10 command is one BER-TLV sent with GlobalPlatform STORE DATA: ``CLA=80|channel``,
``INS=E2``, ``P1=11`` for more blocks and ``91`` for the last, ``P2`` the block number, then
``Lc data Le=00``. ``61xx`` answers are drained with GET RESPONSE. The card is anything with
``transmit(apdu: bytes) -> bytes`` (the emulated :class:`esim.euicc.Euicc`, a PC/SC reader, …).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, TypeVar

from esim.lpa.errors import CardError

ISD_R_AID = bytes.fromhex("A0000005591010FFFFFFFF8900000100")
"""The standard ISD-R AID (SGP.22 §5.7.2)."""

DEFAULT_BLOCK_SIZE = 120
"""lpac's default STORE DATA segment size (``LPAC_CUSTOM_ES10X_MSS``)."""
MIN_BLOCK_SIZE = 6
MAX_BLOCK_SIZE = 255

SW_OK = 0x9000
_ANSWER_OK = b"\x90\x00"
_Sent = TypeVar("_Sent")
_Answer = TypeVar("_Answer")
_MAX_GET_RESPONSE_ROUNDS = 1024  # 256 KB at 255 bytes per round: far above any ES10 answer


class CardTransport(Protocol):
    """Whatever carries APDUs to a card: one command APDU in, response data ‖ SW1 SW2 out.

    A card in the same process may also offer ``transmit_chain(apdus) -> answers``: the APDUs
    transmitted in order, stopping after the first answer other than ``90 00`` (see
    :meth:`esim.euicc.Euicc.transmit_chain`); :class:`ApduChannel` then sends the STORE DATA
    blocks of one command in one call. The card still receives and checks every APDU.
    """

    def transmit(self, apdu: bytes) -> bytes: ...


TransmitChain = Callable[[Sequence[bytes]], Sequence[bytes]]


def channel_class(base: int, channel: int) -> int:
    """The CLA byte of ``base`` (0x00 inter-industry, 0x80 proprietary) on a logical channel.

    Channels 0-3 use the first inter-industry encoding, 4-19 the further one (ISO 7816-4 §5.4.1).
    """
    if not 0 <= channel <= 19:
        raise ValueError(f"logical channel {channel} is outside 0..19 (ISO/IEC 7816-4 §5.4.1)")
    if channel <= 3:
        return base | channel
    return base | 0x40 | (channel - 4)


class ApduChannel:
    """A logical channel with the ISD-R selected; :meth:`transceive` sends one ES10 command.

    Use as a context manager (``with ApduChannel(card) as channel:``) or call :meth:`open` and
    :meth:`close`. ``block_size`` is the STORE DATA payload size (6-255, lpac's range).
    """

    def __init__(
        self,
        card: CardTransport,
        *,
        aid: bytes = ISD_R_AID,
        block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        if not MIN_BLOCK_SIZE <= block_size <= MAX_BLOCK_SIZE:
            raise ValueError(
                f"STORE DATA block size {block_size} is outside {MIN_BLOCK_SIZE}..{MAX_BLOCK_SIZE}"
                " (lpac LPAC_CUSTOM_ES10X_MSS)"
            )
        if not 5 <= len(aid) <= 16:
            raise ValueError("an AID is 5 to 16 bytes (ISO/IEC 7816-4 §8.2.1.2)")
        self._card = card
        chain = getattr(card, "transmit_chain", None)
        self._transmit_chain: TransmitChain | None = chain if callable(chain) else None
        self._aid = aid
        self.block_size = block_size
        self.channel: int | None = None
        self._full_block_heads: dict[tuple[int, int], list[bytes]] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    def open(self) -> None:
        """MANAGE CHANNEL (open), then SELECT the ISD-R on the new channel."""
        if self.channel is not None:
            return
        data = self._exchange(bytes([0x00, 0x70, 0x00, 0x00, 0x01]), "MANAGE CHANNEL open")
        if len(data) != 1 or not 1 <= data[0] <= 19:
            raise CardError(
                0x6F00,
                "MANAGE CHANNEL open",
                f"MANAGE CHANNEL open returned {data.hex().upper() or 'no data'}, not one "
                "channel number 1..19 (ISO/IEC 7816-4 §11.1.2)",
            )
        self.channel = data[0]
        select = bytes([channel_class(0x00, self.channel), 0xA4, 0x04, 0x00, len(self._aid)])
        try:
            self._exchange(select + self._aid + b"\x00", "SELECT ISD-R")
        except CardError:
            self.close()
            raise

    def close(self) -> None:
        """MANAGE CHANNEL (close). Best effort: a card that is gone cannot keep it open."""
        channel, self.channel = self.channel, None
        if channel is None:
            return
        with contextlib.suppress(CardError):
            self._exchange(bytes([0x00, 0x70, 0x80, channel]), "MANAGE CHANNEL close")

    def __enter__(self) -> ApduChannel:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- ES10 ------------------------------------------------------------------------------------

    def transceive(self, command: bytes) -> bytes:
        """Send one ES10 command TLV in STORE DATA blocks; return the response TLV (maybe empty).

        Raises :class:`CardError` with the status word of the first block the card refuses.
        """
        apdus = self._store_data_apdus(command)
        if self._transmit_chain is not None:
            return self._send_chained(self._transmit_chain, apdus)
        response = b""
        for number, apdu in enumerate(apdus):
            response = self._exchange(apdu, f"STORE DATA block {number}")
        return response

    def transceive_while_empty(self, commands: Sequence[bytes]) -> tuple[int, bytes]:
        """Send ``commands`` in order, each exactly as :meth:`transceive` would, for as long as
        each is answered ``90 00`` without data; return how many were sent and the response
        of the last one (non-empty only when it ended the run).

        This is LoadBoundProfilePackage's rhythm: every segment but the last answers nothing.
        With a chaining card the blocks of all the commands go in one chain: the card stops at
        the first answer other than ``90 00``, exactly where the LPA would stop sending.
        """
        if self._transmit_chain is None or len(commands) < 2:
            for number, command in enumerate(commands):
                response = self.transceive(command)
                if response:
                    return number + 1, response
            return len(commands), b""
        apdus: list[bytes] = []
        ends: list[int] = []  # the index of each command's last APDU
        unsendable: ValueError | RuntimeError | None = None
        for command in commands:
            try:
                apdus += self._store_data_apdus(command)
            except (ValueError, RuntimeError) as error:  # raised once the ones before it are sent
                unsendable = error
                break
            ends.append(len(apdus) - 1)
        transmit_chain = self._transmit_chain
        sent = 0
        finished = 0  # commands whose last block was answered
        while sent < len(apdus):
            what = f"STORE DATA block {apdus[sent][3]}"
            answers = self._call_card(transmit_chain, apdus[sent:], what)
            self._check_chain(answers, len(apdus) - sent, what)
            sent += len(answers)
            while finished < len(ends) and ends[finished] < sent:
                finished += 1
            last = answers[-1]
            if last == _ANSWER_OK:
                continue
            apdu = apdus[sent - 1]
            what = f"STORE DATA block {apdu[3]}"
            response = self._complete(apdu, self._split(last, what), what)
            if response and ends[finished - 1] == sent - 1:
                return finished, response
        if unsendable is not None:
            raise unsendable
        return len(commands), b""

    def _store_data_apdus(self, command: bytes) -> list[bytes]:
        """The STORE DATA blocks carrying one ES10 command (SGP.22 §5.7.2)."""
        if self.channel is None:
            raise RuntimeError("ApduChannel.transceive before open()")
        if not command:
            raise ValueError("an ES10 command is one non-empty BER-TLV (SGP.22 §5.7.2)")
        size = self.block_size
        count = -(-len(command) // size)
        if count > 256:
            raise ValueError(
                f"a {len(command)}-byte command needs {count} STORE DATA blocks; P2 counts "
                "only 256 (GlobalPlatform STORE DATA)"
            )
        cla = channel_class(0x80, self.channel)
        # Every block but the last is full: its header (P1 11, block number, Lc) comes from a
        # table built once per class byte and size; a BPP is some 600 blocks.
        heads = self._full_block_heads.get((cla, size))
        if heads is None:
            heads = [bytes((cla, 0xE2, 0x11, number, size)) for number in range(256)]
            self._full_block_heads[cla, size] = heads
        last_start = (count - 1) * size
        apdus = [
            heads[number] + command[start : start + size] + b"\x00"
            for number, start in enumerate(range(0, last_start, size))
        ]
        tail = command[last_start:]
        apdus.append(bytes((cla, 0xE2, 0x91, count - 1, len(tail))) + tail + b"\x00")
        return apdus

    @staticmethod
    def _check_chain(answers: Sequence[bytes], offered: int, what: str) -> None:
        if not answers or len(answers) > offered:
            raise CardError(
                0x6F00, what, f"{what}: the card answered {len(answers)} of the blocks sent"
            )
        for answer in answers[:-1]:
            if answer != _ANSWER_OK:
                raise CardError(
                    0x6F00, what, f"{what}: the card went on after answering {answer.hex()}"
                )

    def _send_chained(self, transmit_chain: TransmitChain, apdus: list[bytes]) -> bytes:
        """The blocks through ``transmit_chain``, with the same checks as one by one: a block
        answered with anything but ``90 00`` goes through :meth:`_exchange`'s handling."""
        sent = 0
        response = b""
        while sent < len(apdus):
            what = f"STORE DATA block {sent}"
            answers = self._call_card(transmit_chain, apdus[sent:], what)
            self._check_chain(answers, len(apdus) - sent, what)
            sent += len(answers)
            what = f"STORE DATA block {sent - 1}"
            response = self._complete(apdus[sent - 1], self._split(answers[-1], what), what)
        return response

    # -- APDU level ----------------------------------------------------------------------------

    def _call_card(self, call: Callable[[_Sent], _Answer], sent: _Sent, what: str) -> _Answer:
        try:
            return call(sent)
        except OSError as error:
            raise CardError(0, what, f"{what}: the card is gone ({error})", removed=True) from None
        except CardError:
            raise
        except Exception as error:  # a misbehaving card implementation is a card failure
            raise CardError(
                0x6F00, what, f"{what}: the card failed with {type(error).__name__}: {error}"
            ) from None

    @staticmethod
    def _split(raw: bytes, what: str) -> tuple[bytes, int]:
        if len(raw) < 2:
            raise CardError(
                0x6F00, what, f"{what}: the response has {len(raw)} bytes, no status word"
            )
        return raw[:-2], int.from_bytes(raw[-2:], "big")

    def _transmit(self, apdu: bytes, what: str) -> tuple[bytes, int]:
        return self._split(self._call_card(self._card.transmit, apdu, what), what)

    def _exchange(self, apdu: bytes, what: str) -> bytes:
        return self._complete(apdu, self._transmit(apdu, what), what)

    def _complete(self, apdu: bytes, first: tuple[bytes, int], what: str) -> bytes:
        """The response data of ``apdu`` whose first answer was ``first``: ``61xx`` drained
        with GET RESPONSE, ``6Cxx`` repeated with the right Le, any other error raised."""
        data, sw = first
        collected = data
        rounds = 0
        while sw >> 8 == 0x61 or sw >> 8 == 0x6C:
            rounds += 1
            if rounds > _MAX_GET_RESPONSE_ROUNDS:
                raise CardError(sw, what, f"{what}: the card keeps answering {sw:04X}")
            if sw >> 8 == 0x6C:  # wrong Le: repeat the command with the length the card wants
                data, sw = self._transmit(apdu[:-1] + bytes([sw & 0xFF]), what)
                collected = data
                continue
            # Same CLA as the command: 80|channel after STORE DATA, as lpac sends it (§3.3).
            get_response = bytes([apdu[0], 0xC0, 0x00, 0x00, sw & 0xFF])
            data, sw = self._transmit(get_response, f"GET RESPONSE after {what}")
            collected += data
        if sw != SW_OK:
            raise CardError(sw, what, f"{what}: the card answered SW {sw:04X}")
        return collected
