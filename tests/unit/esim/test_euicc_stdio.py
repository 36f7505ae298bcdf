"""esim.euicc.stdio: lpac's stdio backends (apdu, http) and the lines it must never answer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from euicc_harness import EID, open_card

from esim.euicc import ISD_R_AID
from esim.euicc.stdio import (
    MAX_LINE_CHARS,
    HttpExchangeError,
    HttpRequest,
    decode_line,
    serve,
)


def run(
    tmp_path: Path, requests: list[Any], http: Any = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """(answers, lines passed through) for ``requests`` (strings are sent verbatim)."""
    card = open_card(tmp_path)
    lines = "".join(
        (request if isinstance(request, str) else json.dumps(request)) + "\n"
        for request in requests
    )
    output, passed = io.StringIO(), io.StringIO()
    serve(card, io.StringIO(lines), output, passed, http=http)
    card.close()
    return [json.loads(line) for line in output.getvalue().splitlines()], passed.getvalue().split(
        "\n"
    )[:-1]


def exchange(tmp_path: Path, requests: list[Any]) -> list[dict[str, Any]]:
    return run(tmp_path, requests)[0]


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
            apdu("logic_channel_open", "A000000559"),  # unknown AID
            apdu("logic_channel_open", "zz"),
            apdu("transmit", "0"),
            apdu("transmit", None),
            apdu("logic_channel_close", "05"),
            apdu("reboot"),
            {"type": "apdu", "payload": []},
        ],
    )
    assert [answer["payload"]["ecode"] for answer in answers] == [-1] * 7
    # the failed open closed its channel again: all three channels are still free
    assert (
        exchange(tmp_path / "again", [apdu("logic_channel_open", ISD_R_AID.hex())])[0]["payload"][
            "ecode"
        ]
        == 1
    )


PROGRESS = '{"type":"progress","payload":{"code":0,"message":"es10b_cancel_session","data":""}}'
FINAL = '{"type":"lpa","payload":{"code":-1,"message":"es10b_get_euicc_challenge","data":""}}'


def test_lines_that_are_not_requests_pass_through_unchanged_and_unanswered(
    tmp_path: Path,
) -> None:
    deep = "[" * 1000 + "]" * 1000
    answers, passed = run(
        tmp_path,
        [
            apdu("connect"),
            PROGRESS,
            "not json at all",
            deep,
            "[" * 1000,
            "[]",
            '"a string"',
            FINAL,
            apdu("disconnect"),
        ],
    )
    assert answers == [{"type": "apdu", "payload": {"ecode": 0}}] * 2
    assert passed == [PROGRESS, "not json at all", deep, "[" * 1000, "[]", '"a string"', FINAL]


def test_deep_nesting_is_refused_before_the_json_parser(tmp_path: Path) -> None:
    assert decode_line("[" * 1000) is None
    assert decode_line('{"a":' * 1000 + "1" + "}" * 1000) is None
    # brackets inside strings do not count
    assert decode_line(json.dumps({"type": "x", "s": "[" * 1000})) == {"type": "x", "s": "[" * 1000}


def test_an_overlong_line_is_skipped_and_the_next_request_answered(tmp_path: Path) -> None:
    answers, passed = run(tmp_path, ["x" * (MAX_LINE_CHARS + 10), apdu("connect")])
    assert answers == [{"type": "apdu", "payload": {"ecode": 0}}]
    assert "skipped" in passed[0]


def http_request(url: str = "https://smdp.example/gsma/rsp2/es9plus/x", tx: Any = "7b7d") -> Any:
    headers = ["User-Agent: gsma-rsp-lpad", "Content-Type: application/json"]
    return {"type": "http", "payload": {"url": url, "tx": tx, "headers": headers}}


def test_http_is_answered_through_the_exchange(tmp_path: Path) -> None:
    seen: list[HttpRequest] = []

    def exchange_(request: HttpRequest) -> tuple[int, bytes]:
        seen.append(request)
        return 200, b'{"ok":1}'

    answers, passed = run(tmp_path, [http_request(), PROGRESS], http=exchange_)
    assert answers == [{"type": "http", "payload": {"rcode": 200, "rx": b'{"ok":1}'.hex()}}]
    assert passed == [PROGRESS]
    assert seen == [
        HttpRequest(
            "https://smdp.example/gsma/rsp2/es9plus/x",
            b"{}",
            ("User-Agent: gsma-rsp-lpad", "Content-Type: application/json"),
        )
    ]


def test_http_failures_are_refusals_lpac_treats_as_transport_errors(tmp_path: Path) -> None:
    def unreachable(request: HttpRequest) -> tuple[int, bytes]:
        raise HttpExchangeError("smdp.example is not a simulated SM-DP+")

    answers, passed = run(
        tmp_path,
        [http_request(), http_request(url="http://plain"), http_request(tx="zz")],
        http=unreachable,
    )
    # no "rcode": lpac's stdio HTTP driver fails the transfer instead of reading a status
    assert [sorted(answer["payload"]) for answer in answers] == [["error"]] * 3
    assert "not a simulated SM-DP+" in passed[0]
    assert "https://" in passed[1]
    assert "tx is not hex" in passed[2]


def test_http_without_the_http_option_is_refused_with_the_remedy(tmp_path: Path) -> None:
    answers, passed = run(tmp_path, [http_request()])
    assert answers[0]["type"] == "http"
    assert "rcode" not in answers[0]["payload"]
    assert "--http" in passed[0]
