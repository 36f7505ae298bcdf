"""The eUICC's hand-built and encoded-once answers are the codec's bytes, and the requests it
does not decode are exactly the one DER form of an argument-less request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from euicc_harness import CardStatusError, Lpa, open_card

from esim.asn1 import messages
from esim.euicc import Euicc
from esim.euicc.apdu import StatusWord

h = bytes.fromhex


@pytest.fixture
def lpa(tmp_path: Path) -> Iterator[Lpa]:
    card: Euicc = open_card(tmp_path)
    yield Lpa(card).open()
    card.close()


@pytest.mark.parametrize(
    "message",
    [
        messages.GET_EUICC_CHALLENGE_REQUEST,
        messages.GET_EUICC_INFO1_REQUEST,
        messages.GET_EUICC_INFO2_REQUEST,
    ],
)
def test_the_skipped_requests_are_the_codecs_empty_request(message: messages.Message) -> None:
    assert message.encode({}) == message.tag.to_bytes(2, "big") + b"\x00"


def test_the_challenge_answer_is_the_codecs_encoding(lpa: Lpa) -> None:
    answer = lpa.es10(h("BF2E00"))
    challenge = messages.GET_EUICC_CHALLENGE_RESPONSE.decode(answer)["euiccChallenge"]
    assert answer == messages.GET_EUICC_CHALLENGE_RESPONSE.encode({"euiccChallenge": challenge})
    assert lpa.es10(h("BF2E00")) != answer  # fresh every time
    assert len(challenge) == 16


def test_euicc_info1_is_the_same_bytes_every_time(lpa: Lpa) -> None:
    first = lpa.es10(h("BF2000"))
    assert lpa.es10(h("BF2000")) == first
    messages.EUICC_INFO1.decode(first)


@pytest.mark.parametrize("request_hex", ["BF2E0180", "BF20018000", "BF220100"])
def test_malformed_forms_of_those_requests_are_refused_by_the_decoder(
    lpa: Lpa, request_hex: str
) -> None:
    with pytest.raises(CardStatusError) as refused:
        lpa.es10(h(request_hex))
    assert refused.value.sw == StatusWord.WRONG_DATA


def test_an_extension_the_schema_tolerates_is_still_answered(lpa: Lpa) -> None:
    answer = lpa.es10(h("BF2E03800100"))
    assert len(messages.GET_EUICC_CHALLENGE_RESPONSE.decode(answer)["euiccChallenge"]) == 16
