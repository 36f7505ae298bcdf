"""The in-process APDU chain: ``Euicc.transmit_chain`` answers exactly as ``transmit`` one APDU at
a time, and ``ApduChannel`` sends the same APDUs and gets the same results through it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from euicc_harness import open_card
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from esim.euicc import ISD_R_AID, Euicc
from esim.euicc.apdu import MAX_ES10_REQUEST
from esim.lpa.apdu_channel import ApduChannel
from esim.lpa.errors import CardError

h = bytes.fromhex
GET_EID = h("BF3E035C015A")
EID_ANSWER = h("BF3E125A10") + h("89049032123451234512345678901235")


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Euicc, Euicc]]:
    """Two cards of the same EID: one driven APDU by APDU, one by chains."""
    pair = (open_card(tmp_path_factory.mktemp("one")), open_card(tmp_path_factory.mktemp("two")))
    yield pair
    for card in pair:
        card.close()


def _reset_and_select(card: Euicc) -> None:
    card.reset()
    assert card.transmit(h("0070000001")) == h("019000")
    assert card.transmit(h("01A4040C10") + ISD_R_AID) == h("9000")


def _store_data(number: int, last: bool, data: bytes, cla: int = 0x81) -> bytes:
    return bytes([cla, 0xE2, 0x91 if last else 0x11, number, len(data)]) + data + b"\x00"


_APDU = st.one_of(
    # well-formed blocks with plausible and implausible numbers
    st.builds(
        _store_data,
        st.integers(0, 3),
        st.booleans(),
        st.binary(min_size=1, max_size=8),
        st.sampled_from([0x81, 0x80, 0x01, 0x82]),
    ),
    st.builds(  # without Le, or with a wrong Lc
        lambda number, data, cut: _store_data(number, False, data)[: -1 - cut],
        st.integers(0, 3),
        st.binary(min_size=1, max_size=8),
        st.integers(0, 2),
    ),
    st.binary(max_size=12),  # anything at all
    st.just(_store_data(0, True, GET_EID)),
)


def _chained_like_one_by_one(one_by_one: Euicc, chained: Euicc, apdus: list[bytes]) -> list[bytes]:
    """The chained card's answers, checked equal to sending the same APDUs one by one (up to
    the first answer other than 90 00, where the LPA would stop)."""
    _reset_and_select(one_by_one)
    _reset_and_select(chained)
    answers = chained.transmit_chain(apdus)
    expected: list[bytes] = []
    for apdu in apdus:
        expected.append(one_by_one.transmit(apdu))
        if expected[-1] != h("9000"):
            break
    assert answers == expected
    return answers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_APDU, max_size=8))
# each condition of the card's in-place path for middle blocks, broken once
@example([_store_data(0, False, b"x", cla=0x80)])  # channel 0: no ISD-R selected there
@example([_store_data(0, False, b"x", cla=0x01)])  # interindustry class
@example([_store_data(0, False, b"x", cla=0x82)])  # channel 2 is not open
@example([_store_data(0, False, b"x"), _store_data(2, False, b"y")])  # block number skipped
@example([_store_data(0, False, b"x")[:-1], _store_data(0, True, GET_EID)])  # no Le
@example([_store_data(0, False, b"x") + b"\x00"])  # Lc disagrees with the length
@example([bytes([0x81, 0xE2, 0x11, 0x00, 0x00, 0x00])])  # empty block
# the same conditions broken in the middle of a run of accepted blocks
@example([_store_data(n, False, b"x") for n in (0, 1)] + [_store_data(2, False, b"y", cla=0x80)])
@example([_store_data(n, False, b"x") for n in (0, 1)] + [_store_data(2, False, b"y", cla=0x82)])
@example([_store_data(n, False, b"x") for n in (0, 1, 3)])  # block number skipped in a run
@example([_store_data(n, False, b"x") for n in (0, 1)] + [_store_data(2, False, b"y")[:-1]])
@example([_store_data(n, False, b"x") for n in (0, 1)] + [_store_data(2, False, b"y") + b"\x00"])
@example([_store_data(n, False, b"x") for n in (0, 1)] + [_store_data(2, True, b"y")])  # last
@example([_store_data(n, False, b"x") for n in (0, 1)] + [h("81E21102000000")])  # empty block
def test_a_chain_answers_like_the_same_apdus_one_by_one(
    cards: tuple[Euicc, Euicc], apdus: list[bytes]
) -> None:
    one_by_one, chained = cards
    answers = _chained_like_one_by_one(one_by_one, chained, apdus)
    # and both cards are left in the same state: the next command sees the same card
    probe = _store_data(len(answers) % 4, True, GET_EID)
    assert chained.transmit(probe) == one_by_one.transmit(probe)


class Recorder:
    """The card behind a log of every APDU it received and what it answered."""

    def __init__(self, card: Euicc, *, chain: bool) -> None:
        self.card = card
        self.log: list[tuple[bytes, bytes]] = []
        if chain:
            self.transmit_chain = self._transmit_chain

    def transmit(self, apdu: bytes) -> bytes:
        answer = self.card.transmit(apdu)
        self.log.append((apdu, answer))
        return answer

    def _transmit_chain(self, apdus: Sequence[bytes]) -> list[bytes]:
        answers = self.card.transmit_chain(apdus)
        self.log.extend(zip(apdus, answers, strict=False))
        return answers


def _run(
    card: Euicc, command: bytes, block_size: int, *, chain: bool
) -> tuple[object, list[tuple[bytes, bytes]]]:
    card.reset()
    recorder = Recorder(card, chain=chain)
    with ApduChannel(recorder, block_size=block_size) as channel:
        try:
            outcome: object = channel.transceive(command)
        except CardError as error:
            outcome = (error.status_word, str(error))
    return outcome, recorder.log


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.just(GET_EID),
        st.binary(min_size=1, max_size=700),
        st.binary(max_size=600).map(lambda tail: h("BF2D") + bytes([0x82, 0x02, 0x58]) + tail),
    ),
    st.sampled_from([6, 7, 120, 255]),
)
def test_apdu_channel_sends_and_gets_the_same_through_a_chain(
    cards: tuple[Euicc, Euicc], command: bytes, block_size: int
) -> None:
    one_by_one, chained = cards
    assert _run(chained, command, block_size, chain=True) == _run(
        one_by_one, command, block_size, chain=False
    )


class ScriptedChainCard:
    """A chaining card whose answers to STORE DATA blocks follow a script."""

    def __init__(self, answers: list[bytes] | Exception) -> None:
        self.answers = answers
        self.chains: list[int] = []
        self.get_responses: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[1] == 0x70:
            return (b"\x02" if apdu[2] == 0 else b"") + b"\x90\x00"
        if apdu[1] == 0xC0:
            self.get_responses.append(apdu)
            return b"rest" + b"\x90\x00"
        return b"\x90\x00"  # SELECT

    def transmit_chain(self, apdus: Sequence[bytes]) -> list[bytes]:
        self.chains.append(len(apdus))
        if isinstance(self.answers, Exception):
            raise self.answers
        return self.answers


def test_a_refused_block_in_a_chain_is_a_card_error_naming_that_block() -> None:
    card = ScriptedChainCard([h("9000"), h("6A88")])
    with ApduChannel(card, block_size=6) as channel, pytest.raises(CardError) as caught:
        channel.transceive(bytes(18))
    assert caught.value.status_word == 0x6A88
    assert "STORE DATA block 1" in str(caught.value)
    assert card.chains == [3]


def test_a_long_answer_after_a_chain_is_drained_with_get_response() -> None:
    card = ScriptedChainCard([h("9000"), h("9000"), b"first" + h("6104")])
    with ApduChannel(card, block_size=6) as channel:
        assert channel.transceive(bytes(18)) == b"firstrest"
    assert card.get_responses == [h("82C0000004")]


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ([], "answered 0 of the blocks"),
        ([h("9000")] * 4, "answered 4 of the blocks"),
        ([h("6A88"), h("9000")], "went on after answering 6a88"),
        ([h("90")], "no status word"),
    ],
)
def test_a_chain_that_breaks_the_contract_is_a_card_error(answers: list[bytes], says: str) -> None:
    card = ScriptedChainCard(answers)
    with ApduChannel(card, block_size=6) as channel, pytest.raises(CardError) as caught:
        channel.transceive(bytes(18))
    assert caught.value.status_word == 0x6F00
    assert says in str(caught.value)


def test_a_chain_that_fails_like_a_pulled_reader_is_a_removed_card() -> None:
    card = ScriptedChainCard(OSError("unplugged"))
    with ApduChannel(card, block_size=6) as channel, pytest.raises(CardError) as caught:
        channel.transceive(bytes(18))
    assert caught.value.removed


def test_the_chain_is_used_only_when_the_card_offers_it(tmp_path: Path) -> None:
    card = open_card(tmp_path)
    try:
        plain = Recorder(card, chain=False)
        assert not hasattr(plain, "transmit_chain")
        with ApduChannel(plain) as channel:
            assert channel.transceive(GET_EID) == EID_ANSWER
        assert any(apdu[1] == 0xE2 for apdu, _ in plain.log)
    finally:
        card.close()


class Es10ScriptCard:
    """Reassembles STORE DATA blocks; a command whose first byte is EE answers its own bytes
    (with 61xx when long), EF is refused with 6A88, ED answers 61 02 to its first block when it
    has more, anything else answers a bare 90 00."""

    def __init__(self, *, chain: bool) -> None:
        self.log: list[bytes] = []
        self.pending = b""
        self.blocks: list[bytes] = []
        if chain:
            self.transmit_chain = self._transmit_chain

    def transmit(self, apdu: bytes) -> bytes:
        self.log.append(apdu)
        if apdu[1] == 0x70:
            return (b"\x02" if apdu[2] == 0 else b"") + b"\x90\x00"
        if apdu[1] == 0xA4:
            return b"\x90\x00"
        if apdu[1] == 0xC0:
            data, self.pending = self.pending[:255], self.pending[255:]
            return data + (
                bytes([0x61, min(len(self.pending), 255)]) if self.pending else b"\x90\x00"
            )
        self.blocks.append(apdu[5:-1])
        if apdu[2] == 0x11:
            if len(self.blocks) == 1 and apdu[5] == 0xED:  # data on a middle block, as T=0 may
                self.pending = b"\x01\x02"
                return b"\x61\x02"
            return b"\x90\x00"
        command, self.blocks = b"".join(self.blocks), []
        if command[0] == 0xEF:
            return b"\x6a\x88"
        if command[0] != 0xEE:
            return b"\x90\x00"
        data, self.pending = command[:200], command[200:]
        return data + (bytes([0x61, min(len(self.pending), 255)]) if self.pending else b"\x90\x00")

    def _transmit_chain(self, apdus: Sequence[bytes]) -> list[bytes]:
        answers = []
        for apdu in apdus:
            answers.append(self.transmit(apdu))
            if answers[-1] != b"\x90\x00":
                break
        return answers


def _run_commands(commands: list[bytes], *, chain: bool) -> tuple[object, list[bytes]]:
    card = Es10ScriptCard(chain=chain)
    with ApduChannel(card, block_size=7) as channel:
        try:
            outcome: object = channel.transceive_while_empty(commands)
        except (CardError, ValueError) as error:
            outcome = (type(error).__name__, str(error))
    return outcome, card.log


_COMMAND = st.one_of(
    st.binary(min_size=1, max_size=40).map(lambda tail: b"\x86" + tail),  # answers nothing
    st.binary(min_size=1, max_size=600).map(lambda tail: b"\xee" + tail),  # answers data
    st.binary(max_size=20).map(lambda tail: b"\xef" + tail),  # refused
    st.binary(min_size=1, max_size=30).map(lambda tail: b"\xed" + tail),  # data mid-command
    st.just(b""),  # cannot be sent
    st.just(b"\x86" + bytes(7 * 256)),  # too long for 256 blocks
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_COMMAND, max_size=6))
@example([b"\x86\x01", b"\x86\x02", b"\xee" + bytes(500), b"\x86\x03"])
@example([b"\x86\x01", b"\xef", b"\x86\x02"])
@example([b"\xed" + bytes(10), b"\x86\x02"])
@example([b"\x86\x01", b"\x86" + bytes(7 * 256), b"\x86\x02"])
def test_a_run_of_commands_sends_and_gets_the_same_through_a_chain(commands: list[bytes]) -> None:
    assert _run_commands(commands, chain=True) == _run_commands(commands, chain=False)


def test_a_run_stops_at_the_first_command_that_answers() -> None:
    commands = [b"\x86\x01", b"\x86\x02", b"\xee\x03", b"\x86\x04"]
    (sent_and_answer, log) = _run_commands(commands, chain=True)
    assert sent_and_answer == (3, b"\xee\x03")
    assert [apdu[5:-1] for apdu in log if apdu[1] == 0xE2] == commands[:3]  # not the fourth


def test_a_run_of_blocks_stops_at_the_size_bound_like_one_by_one(
    cards: tuple[Euicc, Euicc],
) -> None:
    """The command size bound is checked on every block of a run, as one by one."""
    one_by_one, chained = cards
    block = bytes(255)
    count = MAX_ES10_REQUEST // len(block) + 2
    apdus = [_store_data(number % 256, False, block) for number in range(count)]
    answers = _chained_like_one_by_one(one_by_one, chained, apdus)
    assert answers[-1] != h("9000")  # the bound was reached inside the run
    probe = _store_data(0, True, GET_EID)
    assert chained.transmit(probe) == one_by_one.transmit(probe)


def test_a_run_of_blocks_drops_a_pending_answer_like_one_by_one(
    cards: tuple[Euicc, Euicc],
) -> None:
    """An answer left waiting for GET RESPONSE is gone once STORE DATA blocks arrive, whether
    they come one by one or as a run in a chain."""
    info2_in_pieces = bytes([0x81, 0xE2, 0x91, 0x00, 0x03]) + h("BF2200") + h("10")  # Le 16
    get_response = h("81C0000000")
    outcomes = []
    for card, chained in zip(cards, (False, True), strict=True):
        _reset_and_select(card)
        assert card.transmit(info2_in_pieces)[-2:-1] == h("61")
        blocks = [_store_data(number, False, b"x") for number in range(3)]
        answers = (
            card.transmit_chain(blocks) if chained else [card.transmit(block) for block in blocks]
        )
        assert answers == [h("9000")] * 3
        outcomes.append(card.transmit(get_response))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][-2:] != h("9000")  # nothing left to get
