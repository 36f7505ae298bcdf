"""esim.euicc.stdio: lpac's stdio APDU backend protocol (esim-rsp.md §5.2)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from euicc_harness import EID, open_card

from esim.euicc import ISD_R_AID
from esim.euicc.stdio import serve


def exchange(tmp_path: Path, requests: list[Any]) -> list[dict[str, Any]]:
    card = open_card(tmp_path)
    lines = "".join(
        (request if isinstance(request, str) else json.dumps(request)) + "\n"
        for request in requests
    )
    output = io.StringIO()
    serve(card, io.StringIO(lines), output)
    card.close()
    return [json.loads(line) for line in output.getvalue().splitlines()]


def apdu(func: str, param: str = "") -> dict[str, Any]:
    return {"type": "apdu", "payload": {"func": func, "param": param}}


def test_lpac_session(tmp_path: Path) -> None:
    answers = exchange(
        tmp_path,
        [
            apdu("connect"),
            apdu("logic_channel_open", ISD_R_AID.hex()),
            apdu("transmit", "81E2910006BF3E035C015A00"),
            apdu("logic_channel_close", "01"),
            apdu("disconnect"),
        ],
    )
    assert answers[0] == {"type": "apdu", "payload": {"ecode": 0}}
    assert answers[1]["payload"]["ecode"] == 1
    assert answers[2] == {
        "type": "apdu",
        "payload": {"ecode": 0, "data": "BF3E125A10" + EID + "9000"},
    }
    assert answers[3]["payload"]["ecode"] == 0
    assert answers[4]["payload"]["ecode"] == 0


def test_bad_requests_get_negative_ecodes(tmp_path: Path) -> None:
    answers = exchange(
        tmp_path,
        [
            "not json",
            apdu("logic_channel_open", "A000000559"),  # unknown AID
            apdu("logic_channel_open", "zz"),
            apdu("transmit", "0"),
            apdu("logic_channel_close", "05"),
            apdu("reboot"),
            {"type": "http", "payload": {"url": "https://x", "tx": "", "headers": []}},
            [],
        ],
    )
    assert [answer["payload"]["ecode"] for answer in answers] == [-1] * 8
    assert answers[6]["type"] == "http"
    # the failed open closed its channel again: all three channels are still free
    assert (
        exchange(tmp_path / "again", [apdu("logic_channel_open", ISD_R_AID.hex())])[0]["payload"][
            "ecode"
        ]
        == 1
    )
