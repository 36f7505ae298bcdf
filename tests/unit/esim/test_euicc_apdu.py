"""esim.euicc APDU front: channels, SELECT, STORE DATA blocks, 61xx chaining, status words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from euicc_harness import Lpa, open_card
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esim.euicc import ISD_R_AID, Euicc

h = bytes.fromhex
SELECT_ISD_R = h("01A4040010") + ISD_R_AID + h("00")


@pytest.fixture
def card(tmp_path: Path) -> Iterator[Euicc]:
    opened = open_card(tmp_path)
    yield opened
    opened.close()


def sw(answer: bytes) -> int:
    return int.from_bytes(answer[-2:], "big")


def test_manage_channel_open_select_and_close(card: Euicc) -> None:
    assert card.transmit(h("0070000001")) == h("019000")
    answer = card.transmit(SELECT_ISD_R)
    assert sw(answer) == 0x9000
    assert answer[:2] == b"\x6f\x18"
    assert ISD_R_AID in answer
    assert card.transmit(h("0070800100")[:4]) == h("9000")
    assert card.transmit(h("81E291000 3BF2E00 00".replace(" ", ""))) == h("6881")


def test_channels_run_out_and_basic_channel_cannot_close(card: Euicc) -> None:
    assert [card.transmit(h("0070000001"))[0] for _ in range(3)] == [1, 2, 3]
    assert card.transmit(h("0070000001")) == h("6A81")
    assert card.transmit(h("00708000")) == h("6A81")
    assert card.transmit(h("00708002")) == h("9000")
    assert card.transmit(h("00708002")) == h("6881")
    assert card.transmit(h("00700002")) == h("9000")  # open a chosen channel


def test_select_unknown_aid_and_wrong_p1(card: Euicc) -> None:
    assert card.transmit(h("00A4040010") + bytes(16)) == h("6A82")
    assert card.transmit(h("00A4000002 3F00".replace(" ", ""))) == h("6A86")
    assert card.transmit(h("00A4040003 A00000".replace(" ", ""))) == h("6700")


def test_select_without_le_answers_61xx_then_get_response(card: Euicc) -> None:
    answer = card.transmit(h("00A4040010") + ISD_R_AID)
    assert answer[0] == 0x61
    fci = card.transmit(bytes([0x00, 0xC0, 0, 0, answer[1]]))
    assert sw(fci) == 0x9000
    assert len(fci) == answer[1] + 2


def test_store_data_needs_isd_r_and_proprietary_class(card: Euicc) -> None:
    assert card.transmit(h("80E2910003BF2E0000")) == h("6D00")  # nothing selected
    card.transmit(h("00A4040010") + ISD_R_AID + h("00"))
    assert card.transmit(h("00E2910003BF2E0000")) == h("6E00")
    answer = card.transmit(h("80E2910003BF2E0000"))
    assert answer[:4] == h("BF2E1280")
    assert sw(answer) == 0x9000


def test_store_data_blocks_are_numbered(card: Euicc) -> None:
    lpa = Lpa(card).open()
    assert card.transmit(h("81E2110001BF00")) == h("9000")
    assert card.transmit(h("81E2910302E00000")) == h("6A86")  # block 03 where 01 was expected
    assert card.transmit(h("81E2220003BF2E0000")) == h("6A86")  # P1 neither 11 nor 91
    # after the error a fresh command works
    assert lpa.es10(h("BF2E00"))[:2] == h("BF2E")


@pytest.mark.parametrize("segment", [6, 7, 120, 255])
def test_any_segment_size_reassembles(card: Euicc, segment: int) -> None:
    lpa = Lpa(card, segment=segment).open()
    assert lpa.es10(h("BF3E035C015A")) == h("BF3E125A10") + h("89049032123451234512345678901235")


def test_long_response_is_chained_with_61xx(card: Euicc) -> None:
    lpa = Lpa(card).open()
    info2 = lpa.es10(h("BF2200"))
    # EUICCInfo2 is short; AuthenticateServer answers exceed 256 bytes: check the chain on it
    assert info2[:2] == h("BF22")
    challenge_answer = lpa.es10(h("BF2E00"))
    assert len(challenge_answer) == 21
    from euicc_harness import FakeSmdp

    smdp = FakeSmdp()
    request = smdp.authenticate_server_request(challenge_answer[5:])
    lpa.log.clear()
    response = lpa.es10(request)
    assert len(response) > 256
    chained = [answer for _, answer in lpa.log if answer[-2] == 0x61]
    assert chained, "a response over 256 bytes must use 61xx"
    assert all(len(answer) <= 258 for _, answer in lpa.log)


def test_without_le_the_card_answers_61xx(card: Euicc) -> None:
    lpa = Lpa(card, with_le=False).open()
    assert lpa.es10(h("BF2E00"))[:2] == h("BF2E")
    assert lpa.log[-2][1] == h("6115")


def test_get_response_with_nothing_pending(card: Euicc) -> None:
    assert card.transmit(h("00C0000010")) == h("6985")
    assert card.transmit(h("00C0010010")) == h("6A86")


@pytest.mark.parametrize(
    ("apdu", "status"),
    [
        ("", 0x6700),
        ("00", 0x6700),
        ("00A404", 0x6700),
        ("FFA4040000", 0x6E00),
        ("20A4040000", 0x6E00),
        ("10A4040000", 0x6884),  # command chaining
        ("0CA4040000", 0x6882),  # secure messaging
        ("8CE2910000", 0x6882),
        ("00600000", 0x6D00),
        ("00B0000000", 0x6D00),
        ("80E29100 05 BF2E00".replace(" ", ""), 0x6700),  # Lc 5 but 3 bytes
        ("80E291000000 0003BF2E00".replace(" ", ""), 0x6700),  # extended length
        ("02E2910003BF2E0000", 0x6881),
        ("4FE2910003BF2E0000", 0x6881),
        ("0070000101", 0x6A81),  # open channel 1 while 1..3 are free is fine, but P2=1 ...
    ],
)
def test_malformed_commands_get_status_words(card: Euicc, apdu: str, status: int) -> None:
    if status == 0x6A81:
        card.transmit(h("00700001"))  # channel 1 now open; opening it again fails
    assert sw(card.transmit(h(apdu))) == status


def test_es10_errors_map_to_status_words(card: Euicc) -> None:
    lpa = Lpa(card).open()
    cla = bytes([0x80 | lpa.channel])
    assert card.transmit(cla + h("E2910003BF9900 00".replace(" ", ""))) == h("6A88")  # unknown
    assert card.transmit(cla + h("E2910003BF2E05 00".replace(" ", ""))) == h("6A80")  # truncated
    assert card.transmit(cla + h("E2910004BF3E0100 00".replace(" ", ""))) == h("6A80")
    assert card.transmit(cla + h("E2910002A000 00".replace(" ", ""))) == h("6A88")  # no BPP
    assert card.transmit(cla + h("E2910003BF3600 00".replace(" ", ""))) == h("6985")  # no session


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_apdus_never_raise(tmp_path_factory: pytest.TempPathFactory, apdu: bytes) -> None:
    card = _shared_card(tmp_path_factory)
    answer = card.transmit(apdu)
    assert isinstance(answer, bytes)
    assert len(answer) >= 2
    assert answer[-2] in (0x90, 0x61, 0x67, 0x68, 0x69, 0x6A, 0x6D, 0x6E, 0x6F)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=1, max_size=200), st.sampled_from([0x11, 0x91]))
def test_random_store_data_never_raises(
    tmp_path_factory: pytest.TempPathFactory, body: bytes, p1: int
) -> None:
    card = _shared_card(tmp_path_factory)
    card.transmit(h("00A4040010") + ISD_R_AID + h("00"))
    answer = card.transmit(bytes([0x80, 0xE2, p1, 0, len(body)]) + body + b"\x00")
    assert len(answer) >= 2
    assert answer[-2:] != h("6F00"), "an internal error leaked to the LPA"


_CARDS: dict[str, Euicc] = {}


def _shared_card(factory: pytest.TempPathFactory) -> Euicc:
    if "card" not in _CARDS:
        _CARDS["card"] = open_card(factory.mktemp("fuzz"))
    return _CARDS["card"]
