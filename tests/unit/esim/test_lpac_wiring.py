"""``esim lpac`` and ``esim euicc stdio --http``: a user's lpac wired to a data directory.

A real lpac is not needed here: a stand-in script speaks lpac's stdio protocol (requests on its
stdout, answers on its stdin, its own progress/lpa lines on the same stream) and exits with a
status of its own. The HTTPS relay is tested against the real stub SM-DP+.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path

import pytest
from lpa_stack import SMDP_ADDRESS, certificates, running_stack

from esim.cli import main
from esim.cli_lpac import LPAC_MISSING
from esim.euicc.stdio import HttpExchangeError, HttpRequest
from esim.lpa.relay import HttpsRelay

FAKE_LPAC = """\
import json, os, sys
assert os.environ["LPAC_APDU"] == "stdio" and os.environ["LPAC_HTTP"] == "stdio", "env"
def ask(payload, kind="apdu"):
    print(json.dumps({"type": kind, "payload": payload}), flush=True)
    return json.loads(sys.stdin.readline())["payload"]
print(json.dumps({"type": "progress", "payload": {"code": 0, "message": "start"}}), flush=True)
assert ask({"func": "connect", "param": None})["ecode"] == 0
channel = ask({"func": "logic_channel_open", "param": "a0000005591010ffffffff8900000100"})
assert channel["ecode"] == 1, channel
first = ask({"func": "transmit", "param": "81e2910006bf3e035c015a"})["data"]
eid = ask({"func": "transmit", "param": "81c00000" + first[2:]})["data"][10:42]
refused = ask({"url": "https://nowhere.test/x", "tx": "", "headers": []}, "http")
print(json.dumps({"type": "lpa", "payload": {"code": 0, "message": "success",
      "data": {"eid": eid, "args": sys.argv[1:], "http": sorted(refused)}}}), flush=True)
sys.exit(3)
"""


def fake_lpac(tmp_path: Path) -> Path:
    script = tmp_path / "lpac"
    script.write_text(f"#!{sys.executable}\n{FAKE_LPAC}", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_esim_lpac_runs_lpac_against_the_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lpac = fake_lpac(tmp_path)
    data = ["--data-dir", str(tmp_path / "data")]
    status = main(["lpac", *data, "--lpac", str(lpac), "--", "chip", "info"])
    captured = capsys.readouterr()
    assert status == 3, captured.err  # lpac's own exit status
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert lines[0] == {"type": "progress", "payload": {"code": 0, "message": "start"}}
    final = lines[-1]["payload"]["data"]
    assert final["eid"] == "89049032123451234512345678901235"
    assert final["args"] == ["chip", "info"]
    assert final["http"] == ["error"]  # unknown host: refused, not answered with a status
    assert "nowhere.test" in captured.err


def test_missing_lpac_is_named_with_the_remedy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main(["lpac", *data, "--lpac", str(tmp_path / "nope"), "--", "chip", "info"]) == (
        LPAC_MISSING
    )
    assert "lpac not found at" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["lpac", *data, "--", "chip", "info"]) == LPAC_MISSING
    err = capsys.readouterr().err
    assert "lpac is not installed" in err
    assert "--lpac PATH" in err


def test_esim_lpac_needs_a_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lpac = fake_lpac(tmp_path)
    assert main(["lpac", "--data-dir", str(tmp_path), "--lpac", str(lpac), "--"]) == 2
    assert "chip info" in capsys.readouterr().err


def test_relay_delivers_lpac_requests_to_the_simulated_smdp(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, dict[str, object], str]:
        async with running_stack(tmp_path) as stack:
            info1 = await asyncio.to_thread(
                stack.lpa.profiles._with_es10, "info1", lambda es10: es10.get_euicc_info1()
            )
            relay = HttpsRelay(
                [certificates().ci.certificate], {SMDP_ADDRESS: ("127.0.0.1", stack.port)}
            )
            body = {
                "smdpAddress": SMDP_ADDRESS,
                "euiccChallenge": base64.b64encode(bytes(16)).decode(),
                "euiccInfo1": base64.b64encode(info1).decode(),
            }
            request = HttpRequest(
                f"https://{SMDP_ADDRESS}/gsma/rsp2/es9plus/initiateAuthentication",
                json.dumps(body).encode(),
                ("User-Agent: gsma-rsp-lpad", "X-Admin-Protocol: gsma/rsp/v2.2.2",
                 "Content-Type: application/json"),
            )  # fmt: skip
            try:
                status, answer = await asyncio.to_thread(relay, request)
                with pytest.raises(HttpExchangeError) as unknown:
                    await asyncio.to_thread(relay, HttpRequest("https://elsewhere.test/x", b"", ()))
            finally:
                await asyncio.to_thread(relay.close)
            return status, json.loads(answer), str(unknown.value)

    status, answer, unknown = asyncio.run(scenario())
    assert status == 200
    header = answer["header"]
    assert isinstance(header, dict)
    assert header["functionExecutionStatus"]["status"] == "Executed-Success"
    assert "serverSigned1" in answer
    assert "elsewhere.test" in unknown


def test_esim_euicc_stdio_survives_deep_nesting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    lines = "[" * 1000 + "\n" + json.dumps({"type": "apdu", "payload": {"func": "connect"}}) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["--data-dir", str(tmp_path), "euicc", "stdio"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line) for line in captured.out.splitlines()] == [
        {"type": "apdu", "payload": {"ecode": 0}}
    ]
    assert captured.err.startswith("[" * 1000)  # passed through, unanswered


def test_esim_euicc_stdio_passes_non_utf8_lines_byte_for_byte(tmp_path: Path) -> None:
    import os
    import subprocess

    root = Path(__file__).resolve().parents[3]
    request = json.dumps({"type": "apdu", "payload": {"func": "connect", "param": None}})
    done = subprocess.run(
        [sys.executable, "-m", "esim.cli", "--data-dir", str(tmp_path), "euicc", "stdio"],
        input=b"\xff\xfe not utf-8\n" + request.encode() + b"\n",
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(root)),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b'{"type":"apdu","payload":{"ecode":0}}\n'
    assert done.stderr == b"\xff\xfe not utf-8\n"
