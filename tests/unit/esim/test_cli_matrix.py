"""Every `esim` command behaves alike: with --json its result or its error is one JSON document
on stdout; without, an error is one line on stderr naming the Mobile Plans code, what it means
and the next step; no input ends in a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esim.cli import main

UNKNOWN_ICCID = "8999001000000000012"
NO_SERVER = "1$smdp.mobileplans.test$ABCDE-FGHJK-LMNPQ-RSTUV"

# (command, expected exit status, the error code, or None for a success)
CASES: list[tuple[list[str], int, str | None]] = [
    (["ac", "parse", "bad"], 1, "invalidActivationCode"),
    (["ac", "parse", NO_SERVER], 0, None),
    (["ac", "qr", "1$x$"], 1, "invalidActivationCode"),
    (["ac", "qr", NO_SERVER], 0, None),
    (["euicc", "info"], 0, None),
    (["euicc", "list"], 0, None),
    (["euicc", "download", "nonsense"], 1, "invalidActivationCode"),
    (["euicc", "download", NO_SERVER], 1, "serverNotReachable"),
    (["euicc", "enable", UNKNOWN_ICCID], 1, "profileNotPresent"),
    (["euicc", "disable", UNKNOWN_ICCID], 1, "profileNotPresent"),
    (["euicc", "delete", UNKNOWN_ICCID], 1, "profileNotPresent"),
    (["euicc", "nickname", UNKNOWN_ICCID, "x" * 80], 1, "cardGeneralFailure"),
    (["euicc", "notifications"], 0, None),
    (["euicc", "notifications", "--send"], 0, None),
    (["smdp", "order", "--profile", "/no/such/file.der"], 1, "failed"),
    (["smdp", "order"], 0, None),
    (["pki", "show"], 0, None),
    (["pki", "import", "/no/such/dir"], 1, "failed"),
    (["euicc", "download", NO_SERVER, "--resolve", "nonsense"], 2, "usage"),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("esim-cli")


def _run(
    words: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    status = main(["--data-dir", str(data_dir), *words])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(("words", "status", "code"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_json_is_one_document_with_the_result_or_the_error(
    words: list[str],
    status: int,
    code: str | None,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    got, out, err = _run([*words, "--json"], data_dir, capsys)
    assert got == status, (out, err)
    assert "Traceback" not in out + err
    document = json.loads(out)
    if code is None:
        assert not (isinstance(document, dict) and document.get("ok") is False)
    else:
        assert document["ok"] is False
        assert document["error"]["code"] == code
        assert document["error"]["message"]
        assert "esim-rsp.md" not in out


@pytest.mark.parametrize(
    ("words", "status", "code"),
    [case for case in CASES if case[2] is not None],
    ids=[" ".join(c[0]) for c in CASES if c[2] is not None],
)
def test_an_error_is_one_line_on_stderr_with_its_code(
    words: list[str],
    status: int,
    code: str,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    got, out, err = _run(words, data_dir, capsys)
    assert got == status
    assert out == ""
    lines = [line for line in err.splitlines() if not line.startswith("usage:")]
    lines = [line for line in lines if not line.startswith(" ")]  # usage's continuation lines
    assert len(lines) == 1, err
    assert lines[0].startswith(f"esim: {code}")
    assert "Traceback" not in err
    assert "[INF" not in err


def test_errors_name_the_next_step(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = _run(["euicc", "download", NO_SERVER], data_dir, capsys)
    assert "serverNotReachable (the SM-DP+ could not be reached)" in err
    assert "no SM-DP+ is serving smdp.mobileplans.test in this data dir" in err
    assert "start `esim smdp serve --data-dir" in err
    _, _, err = _run(["euicc", "enable", UNKNOWN_ICCID], data_dir, capsys)
    assert "Next: see the installed profiles with `esim euicc list" in err


def test_quiet_prints_nothing_on_success_and_progress_needs_a_terminal(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(["euicc", "list", "--quiet"], data_dir, capsys)
    assert (status, out, err) == (0, "", "")
    # a download that fails at once: no progress lines on a non-terminal stderr
    _, _, err = _run(["euicc", "download", NO_SERVER], data_dir, capsys)
    assert "GetEUICCInfo1" not in err
