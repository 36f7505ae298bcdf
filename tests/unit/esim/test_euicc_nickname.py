"""ES10c.SetNickname with names as lpac sends them: over-long ones get the response's error code."""

from __future__ import annotations

from pathlib import Path

import pytest
from euicc_harness import ICCID_A, CardStatusError, Lpa, download, open_card

from esim.asn1 import messages
from esim.asn1.tlv import encode_tlv
from esim.identifiers import Iccid


def set_nickname_request(iccid: str, name_bytes: bytes) -> bytes:
    body = encode_tlv(0x5A, Iccid.parse(iccid).to_sgp22_bytes()) + encode_tlv(0x90, name_bytes)
    return encode_tlv(0xBF29, body)


@pytest.fixture
def lpa(tmp_path: Path) -> Lpa:
    card = open_card(tmp_path)
    driver = Lpa(card).open()
    download(driver, ICCID_A)
    return driver


def result(lpa: Lpa, name: bytes) -> int:
    answer = lpa.es10(set_nickname_request(ICCID_A, name))
    return int(messages.SET_NICKNAME_RESPONSE.decode(answer)["setNicknameResult"])


def test_64_characters_are_accepted(lpa: Lpa) -> None:
    assert result(lpa, ("é" * 64).encode()) == 0  # 64 characters, 128 bytes
    assert lpa.card.profiles()[0].nickname == "é" * 64


def test_an_overlong_nickname_gets_undefined_error_not_a_status_word(lpa: Lpa) -> None:
    assert result(lpa, b"x" * 65) == 127
    assert result(lpa, b"y" * 300) == 127
    assert lpa.card.profiles()[0].nickname is None  # nothing was stored


def test_a_malformed_request_is_still_refused_with_6a80(lpa: Lpa) -> None:
    with pytest.raises(CardStatusError) as raised:
        lpa.es10(encode_tlv(0xBF29, encode_tlv(0x90, b"x" * 65)))  # no ICCID
    assert raised.value.sw == 0x6A80


def test_the_cli_refuses_an_overlong_nickname_with_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from esim.cli import main

    status = main(["--data-dir", str(tmp_path), "euicc", "nickname", ICCID_A, "n" * 65])
    assert status == 1
    err = capsys.readouterr().err
    assert "lpa.nickname-too-long" in err
    assert "at most 64" in err
