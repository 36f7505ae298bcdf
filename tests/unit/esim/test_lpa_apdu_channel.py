"""ApduChannel against a recording fake card: channel, SELECT, STORE DATA blocks, GET RESPONSE."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.lpa.apdu_channel import ISD_R_AID, ApduChannel, channel_class
from esim.lpa.errors import CardError


class RecordingCard:
    """Answers MANAGE CHANNEL with channel 2, SELECT with 9000, STORE DATA per a script."""

    def __init__(self, response: bytes = b"", chunk: int = 0, final_sw: int = 0x9000) -> None:
        self.sent: list[bytes] = []
        self.response = response
        self.chunk = chunk
        self.final_sw = final_sw
        self.pending = b""

    def _out(self, data: bytes) -> bytes:
        if self.chunk and len(data) > self.chunk:
            self.pending = data[self.chunk :]
            return data[: self.chunk] + bytes([0x61, min(len(self.pending), 255)])
        return data + self.final_sw.to_bytes(2, "big")

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        ins = apdu[1]
        if ins == 0x70:
            return (b"\x02" if apdu[2] == 0 else b"") + b"\x90\x00"
        if ins == 0xA4:
            return b"\x90\x00"
        if ins == 0xC0:
            data, self.pending = self.pending, b""
            return self._out(data)
        if ins == 0xE2:
            return self._out(self.response) if apdu[2] == 0x91 else b"\x90\x00"
        return b"\x6d\x00"


def test_open_selects_isd_r_on_the_logical_channel() -> None:
    card = RecordingCard()
    with ApduChannel(card) as channel:
        assert channel.channel == 2
    assert card.sent[0] == bytes.fromhex("0070000001")
    assert card.sent[1] == bytes([0x02, 0xA4, 0x04, 0x00, 16]) + ISD_R_AID + b"\x00"
    assert card.sent[-1] == bytes.fromhex("00708002")


@pytest.mark.parametrize("block_size", [6, 120, 255])
def test_store_data_segmentation(block_size: int) -> None:
    command = bytes(range(256)) * 2 + b"\xaa" * 7  # 519 bytes
    card = RecordingCard(response=b"\xbf\x37\x00")
    with ApduChannel(card, block_size=block_size) as channel:
        assert channel.transceive(command) == b"\xbf\x37\x00"
    blocks = [apdu for apdu in card.sent if apdu[1] == 0xE2]
    expected_count = -(-len(command) // block_size)
    assert len(blocks) == expected_count
    for number, apdu in enumerate(blocks):
        assert apdu[0] == 0x82  # 80 | channel 2
        assert apdu[2] == (0x91 if number == expected_count - 1 else 0x11)
        assert apdu[3] == number
        assert apdu[4] == len(apdu) - 6  # Lc, then Le = 00
        assert apdu[-1] == 0x00
        assert apdu[4] <= block_size
    assert b"".join(apdu[5:-1] for apdu in blocks) == command


def test_lpac_default_block_size_is_120() -> None:
    card = RecordingCard()
    with ApduChannel(card) as channel:
        channel.transceive(b"\x01" * 241)
    assert [apdu[4] for apdu in card.sent if apdu[1] == 0xE2] == [120, 120, 1]


def test_get_response_loop_collects_everything() -> None:
    answer = bytes(range(200)) * 3
    card = RecordingCard(response=answer, chunk=100)
    with ApduChannel(card) as channel:
        assert channel.transceive(b"\xbf\x2d\x00") == answer
    get_responses = [apdu for apdu in card.sent if apdu[1] == 0xC0]
    assert get_responses
    assert all(apdu[0] == 0x82 and apdu[2:4] == b"\x00\x00" for apdu in get_responses)


def test_error_status_word_raises_card_error() -> None:
    card = RecordingCard(final_sw=0x6A88)
    with ApduChannel(card) as channel, pytest.raises(CardError) as caught:
        channel.transceive(b"\x86\x01\x00")
    assert caught.value.status_word == 0x6A88
    assert "6A88" in str(caught.value)


def test_transport_failure_is_a_removed_card() -> None:
    class Gone:
        def transmit(self, apdu: bytes) -> bytes:
            raise OSError("reader unplugged")

    with pytest.raises(CardError) as caught:
        ApduChannel(Gone()).open()
    assert caught.value.removed


def test_select_failure_closes_the_channel() -> None:
    class NoIsdR(RecordingCard):
        def transmit(self, apdu: bytes) -> bytes:
            if apdu[1] == 0xA4:
                self.sent.append(apdu)
                return b"\x6a\x82"
            return super().transmit(apdu)

    card = NoIsdR()
    channel = ApduChannel(card)
    with pytest.raises(CardError) as caught:
        channel.open()
    assert caught.value.status_word == 0x6A82
    assert channel.channel is None
    assert card.sent[-1] == bytes.fromhex("00708002")


def test_bad_settings_and_channel_classes() -> None:
    with pytest.raises(ValueError, match="block size"):
        ApduChannel(RecordingCard(), block_size=5)
    with pytest.raises(RuntimeError):
        ApduChannel(RecordingCard()).transceive(b"\x01")
    assert channel_class(0x80, 1) == 0x81
    assert channel_class(0x80, 4) == 0xC0
    assert channel_class(0x00, 19) == 0x4F


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=1, max_size=3000),
    st.integers(min_value=6, max_value=255),
    st.integers(min_value=1, max_value=19),
)
def test_store_data_blocks_are_the_spelled_out_segmentation(
    command: bytes, block_size: int, channel_number: int
) -> None:
    """Block by block: P1 11 and a full block until the last, P1 91 on the last (GP §11.11)."""
    channel = ApduChannel(RecordingCard(), block_size=block_size)
    channel.channel = channel_number
    blocks = [command[start : start + block_size] for start in range(0, len(command), block_size)]
    cla = channel_class(0x80, channel_number)
    expected = [
        bytes((cla, 0xE2, 0x91 if number == len(blocks) - 1 else 0x11, number, len(block)))
        + block
        + b"\x00"
        for number, block in enumerate(blocks)
    ]
    if len(blocks) > 256:
        with pytest.raises(ValueError, match="256"):
            channel._store_data_apdus(command)
    else:
        assert channel._store_data_apdus(command) == expected
