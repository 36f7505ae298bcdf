"""ES10 commands that used to end in 6F00 and a traceback now get the ES10 error result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from certificate_mutations import corrupted_certificates
from euicc_harness import CardStatusError, FakeSmdp, Lpa, authenticate, certificates, open_card

from esim.asn1 import messages as m
from esim.euicc import Euicc

UNSUPPORTED_CURVE = 3
INVALID_CERTIFICATE = 1


@pytest.fixture
def card(tmp_path: Path) -> Iterator[Euicc]:
    opened = open_card(tmp_path / "card")
    yield opened
    opened.close()


def test_remove_notification_with_seq_number_2_to_the_64(card: Euicc) -> None:
    lpa = Lpa(card).open()
    answer = lpa.transmit(
        bytes([0x80 | lpa.channel]) + bytes.fromhex("E291000EBF300B8009010000000000000000")
    )
    result = m.NOTIFICATION_SENT_RESPONSE.decode(lpa._collect(answer))  # 61xx, then 90 00
    assert result == {"deleteNotificationStatus": 1}  # nothingToDelete


@pytest.mark.parametrize("seq_number", [-1, 2**63, 2**127])
def test_remove_notification_outside_the_card_range(card: Euicc, seq_number: int) -> None:
    lpa = Lpa(card).open()
    request = m.NOTIFICATION_SENT_REQUEST.encode({"seqNumber": seq_number})
    assert m.NOTIFICATION_SENT_RESPONSE.decode(lpa.es10(request)) == {"deleteNotificationStatus": 1}


def test_remove_notification_with_an_integer_beyond_128_bits_is_wrong_data(card: Euicc) -> None:
    lpa = Lpa(card).open()
    with pytest.raises(CardStatusError) as caught:
        lpa.es10(m.NOTIFICATION_SENT_REQUEST.encode({"seqNumber": 2**200}))
    assert caught.value.sw == 0x6A80


@pytest.mark.parametrize(
    "broken",
    [name for name, _ in corrupted_certificates(certificates().dp_auth.der)],  # type: ignore[union-attr]
)
def test_authenticate_server_with_a_damaged_server_certificate(card: Euicc, broken: str) -> None:
    dp_auth = certificates().dp_auth
    assert dp_auth is not None
    mutant = dict(corrupted_certificates(dp_auth.der))[broken]
    lpa = Lpa(card).open()
    answer = authenticate(lpa, FakeSmdp(), certificate=mutant)
    kind, value = m.AUTHENTICATE_SERVER_RESPONSE.decode(answer)
    assert kind == "authenticateResponseError"
    expected = UNSUPPORTED_CURVE if broken == "unknown-curve" else INVALID_CERTIFICATE
    # A damaged signature algorithm only shows when the chain is checked: invalidCertificate too.
    assert value["authenticateErrorCode"] == expected, broken
    assert lpa.es10(bytes.fromhex("BF3E035C015A"))  # the card keeps answering
