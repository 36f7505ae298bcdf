"""lpac 2.3.0's own stdio exchanges replayed against ``esim.euicc.stdio`` (the real peer's bytes).

The transcripts were recorded between lpac and this eUICC: ``>>`` is what lpac wrote, ``<<`` what
it read back, ``--`` lpac's own progress/result lines on the same stream. Replaying them checks
line discipline (exactly one answer per request, none for anything else) over a whole download,
and the card's deterministic answers byte for byte (the recorded CI key identifier replaced by
this test PKI's, since each PKI has its own CI).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from interop_material import material

from esim.euicc import Euicc, EuiccConfig
from esim.euicc.stdio import HttpRequest, serve
from esim.pki import CertificateSet, TestPki

EID = "89049032123451234512345678901235"
RECORDED_CI_SKI = "3CB884F48955C259130C56294441A06306100F8C"


@lru_cache(maxsize=1)
def certificates() -> CertificateSet:
    return TestPki.generate(EID, ["smdp.mobileplans.test"])


@dataclass
class Transcript:
    written: list[str]
    """Every line lpac wrote (requests and its own progress/lpa lines), in order."""
    requests: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    own_lines: list[str]


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None  # the recorder cut lines at 3,000 characters
    assert isinstance(value, dict)
    return value


def transcript(name: str) -> Transcript:
    """The exchange, leaving out request/answer pairs the recorder cut short."""
    result = Transcript([], [], [], [])
    lines = material("lpac", name).read_text(encoding="utf-8").splitlines()
    pending: tuple[str, dict[str, Any] | None] | None = None
    for line in lines:
        marker, _, text = line.partition(" ")
        if marker == ">>":
            pending = (text, _json(text))
        elif marker == "<<":
            assert pending is not None, f"{name}: an answer without a request"
            request, answer = pending[1], _json(text)
            if request is not None and answer is not None:
                result.written.append(pending[0])
                result.requests.append(request)
                result.answers.append(answer)
            pending = None
        elif marker == "--":
            result.written.append(text)
            result.own_lines.append(text)
    return result


def replay(
    tmp_path: Path, lines: list[str], http: Any = None
) -> tuple[list[dict[str, Any]], list[str]]:
    card = Euicc.open(tmp_path / "card", EuiccConfig(eid=EID, certificates=certificates()))
    answers, passed = io.StringIO(), io.StringIO()
    try:
        serve(card, io.StringIO("\n".join(lines) + "\n"), answers, passed, http=http)
    finally:
        card.close()
    return [json.loads(line) for line in answers.getvalue().splitlines()], passed.getvalue().split(
        "\n"
    )[:-1]


def our_ski() -> str:
    return certificates().ci_pkid.hex().upper()


def test_chip_info_exchange_byte_for_byte(tmp_path: Path) -> None:
    recorded = transcript("chip-info.stdio.txt")
    answers, passed = replay(tmp_path, recorded.written)
    assert passed == recorded.own_lines  # lpac's final "lpa" line reached the user unchanged
    expected = [
        json.loads(json.dumps(answer).replace(RECORDED_CI_SKI, our_ski()))
        for answer in recorded.answers
    ]
    assert answers == expected


def test_download_exchange_keeps_line_discipline(tmp_path: Path) -> None:
    """Every request of a full lpac download gets exactly one answer of its type, in order."""
    recorded = transcript("profile-download.stdio.txt")
    recorded_http = iter(a for a in recorded.answers if a["type"] == "http")
    asked: list[HttpRequest] = []

    def recorded_server(request: HttpRequest) -> tuple[int, bytes]:
        asked.append(request)
        payload = next(recorded_http)["payload"]
        return payload["rcode"], bytes.fromhex(payload["rx"])

    answers, passed = replay(tmp_path, recorded.written, http=recorded_server)
    assert [a["type"] for a in answers] == [r["type"] for r in recorded.requests]
    assert passed == recorded.own_lines
    http_requests = [r for r in recorded.requests if r["type"] == "http"]
    assert [request.url for request in asked] == [r["payload"]["url"] for r in http_requests]
    assert asked[0].headers[0] == "User-Agent: gsma-rsp-lpad"
    for answer, expected in zip(answers, recorded.answers, strict=True):
        if answer["type"] == "http":
            assert answer == expected
    # the deterministic start: connect, ISD-R channel 1, challenge length, EUICCInfo1
    assert answers[:2] == recorded.answers[:2]
    assert len(answers[3]["payload"]["data"]) == len(recorded.answers[3]["payload"]["data"])
    assert answers[5] == json.loads(
        json.dumps(recorded.answers[5]).replace(RECORDED_CI_SKI, our_ski())
    )


def test_lpac_direct_stdout_gets_answers_only_for_apdu_requests(tmp_path: Path) -> None:
    """lpac's raw stdout, progress and lpa lines interleaved with its APDU requests."""
    lines = material("lpac", "lpac-stdout-direct.txt").read_text(encoding="utf-8").splitlines()
    answers, passed = replay(tmp_path, lines)
    kinds = [json.loads(line)["type"] for line in lines]
    assert len(answers) == kinds.count("apdu")
    assert passed == [line for line, kind in zip(lines, kinds, strict=True) if kind != "apdu"]
    assert [a["payload"]["ecode"] for a in answers] == [0, 1, 0, 0, 0]
