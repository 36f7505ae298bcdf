"""The ``esim`` command (DESIGN.md §4.3) through ``main([...])`` with temporary data dirs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from esim.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from esim.cli_home import DEFAULT_SMDP_ADDRESS, HOSTS_FILE, Home, home_in

CODE = "LPA:1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1"


def test_ac_parse_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ac", "parse", CODE, "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["smdpAddress"] == "SMDP.GSMA.COM"
    assert data["matchingId"] == "04386-AGYFT-A74Y8-3F815"
    assert data["smdpOid"] == "1.3.6.1.4.1.31746"
    assert data["confirmationCodeRequired"] is True
    assert data["hadLpaPrefix"] is True


def test_ac_parse_readable_and_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ac", "parse", CODE]) == EXIT_OK
    assert "04386-AGYFT-A74Y8-3F815" in capsys.readouterr().out
    assert main(["ac", "parse", "2$x$y"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "invalidActivationCode" in err
    assert "ac.version" in err


def test_ac_qr_png_reads_back(tmp_path: Path) -> None:
    from esim.qr import read_png

    png = tmp_path / "code.png"
    assert main(["ac", "qr", CODE, "--png", str(png)]) == EXIT_OK
    assert read_png(png) == ["LPA:1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1"]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["ac"],
        ["euicc", "download"],
        ["euicc", "nope"],
        ["smdp", "serve", "--port", "x"],
        ["smdp", "serve", "--workers", "0"],
        ["smdp", "serve", "--workers", "-1"],
        ["smdp", "serve", "--workers", "65"],
        ["smdp", "serve", "--workers", "two"],
        ["euicc", "download", "1$a.b$c", "--resolve", "no-port"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    assert main(["--data-dir", str(tmp_path), *argv]) == EXIT_USAGE


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == EXIT_OK
    assert "euicc" in capsys.readouterr().out


def test_download_without_a_running_smdp_is_not_reachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = f"1${DEFAULT_SMDP_ADDRESS}$ABC"
    assert main(["--data-dir", str(tmp_path), "euicc", "download", code, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["error"]["activationError"] == "serverNotReachable"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Path]:
    """``esim smdp serve`` in another process, as from a second shell."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "esim.cli", "--data-dir", str(tmp_path), "smdp", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while DEFAULT_SMDP_ADDRESS not in Home(home_in(tmp_path)).hosts():
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"esim smdp serve did not start: {output}")
            time.sleep(0.05)
        yield tmp_path
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
    assert process.returncode == 0
    # the server took its entry back
    assert DEFAULT_SMDP_ADDRESS not in Home(home_in(tmp_path)).hosts()


def test_serve_then_download_from_two_shells(
    served: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = ["--data-dir", str(served)]
    assert json.loads((home_in(served) / HOSTS_FILE).read_text())[DEFAULT_SMDP_ADDRESS]["port"] > 0
    assert main([*data_dir, "smdp", "order", "--confirmation-code", "4711", "--json"]) == 0
    order = json.loads(capsys.readouterr().out)
    assert order["confirmationCodeRequired"] is True
    code = order["activationCode"]

    assert main([*data_dir, "euicc", "download", code, "--json"]) == EXIT_FAILED
    assert json.loads(capsys.readouterr().out)["error"]["activationError"] == (
        "confirmationCodeMissing"
    )
    argv = [*data_dir, "euicc", "download", code, "--confirmation-code", "4711", "--json"]
    assert main(argv) == EXIT_OK
    result = json.loads(capsys.readouterr().out)
    iccid = result["iccid"]
    assert iccid == order["iccid"]
    assert result["notifications"][0]["removed"] is True

    assert main([*data_dir, "euicc", "list", "--json"]) == EXIT_OK
    [profile] = json.loads(capsys.readouterr().out)
    assert (profile["iccid"], profile["profileState"]) == (iccid, "disabled")

    for argv in (["enable", iccid], ["nickname", iccid, "Travel"], ["disable", iccid]):
        assert main([*data_dir, "euicc", *argv]) == EXIT_OK
    assert main([*data_dir, "euicc", "delete", iccid]) == EXIT_OK
    assert main([*data_dir, "euicc", "delete", iccid]) == EXIT_FAILED
    assert "profileNotPresent" in capsys.readouterr().err

    assert main([*data_dir, "euicc", "notifications", "--json"]) == EXIT_OK
    events = [item["profileManagementOperation"] for item in json.loads(capsys.readouterr().out)]
    assert events == ["enable", "disable", "delete"]
    assert main([*data_dir, "euicc", "notifications", "--send", "--json"]) == EXIT_OK
    assert all(item["removed"] for item in json.loads(capsys.readouterr().out))

    assert main([*data_dir, "euicc", "info", "--json"]) == EXIT_OK
    info = json.loads(capsys.readouterr().out)
    assert info["profiles"] == 0
    assert len(info["eid"]) == 32


def test_order_release_after_and_bad_iccid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = ["--data-dir", str(tmp_path)]
    assert main([*data_dir, "smdp", "order", "--release-after", "5", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["releaseAt"] > time.time()
    assert main([*data_dir, "smdp", "order", "--iccid", "1234"]) == EXIT_FAILED
    assert "ICCID" in capsys.readouterr().err


def test_euicc_stdio_speaks_lpac_backend_protocol(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    requests = [
        {"type": "apdu", "payload": {"func": "connect"}},
        {"type": "apdu", "payload": {"func": "logic_channel_open", "param": ISD_R},
         },
        {"type": "apdu", "payload": {"func": "transmit", "param": "81E2910003BF2E00"}},
        {"type": "apdu", "payload": {"func": "transmit", "param": "81C0000015"}},
    ]  # fmt: skip
    lines = "".join(json.dumps(request) + "\n" for request in requests)
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["--data-dir", str(tmp_path), "euicc", "stdio"]) == EXIT_OK
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [answer["payload"]["ecode"] for answer in answers[:2]] == [0, 1]
    assert answers[2]["payload"]["data"] == "6115"  # 21 bytes wait for GET RESPONSE
    challenge = bytes.fromhex(answers[3]["payload"]["data"])
    assert challenge[:3] == b"\xbf\x2e\x12"
    assert challenge[-2:] == b"\x90\x00"


ISD_R = "A0000005591010FFFFFFFF8900000100"
