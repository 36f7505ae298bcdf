"""The `mobileplans-sim` command as users and CI call it (DESIGN.md §4.1): exit 0, 1, 2."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from simulator.local_ca import LocalCa, name

ROOT = Path(__file__).resolve().parents[2]


def _sim(
    *args: str, tmp: Path | None, timeout: float = 90, chromium_flags: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    if chromium_flags is not None:
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = chromium_flags
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args]
        + ([] if tmp is None else ["--data-dir", str(tmp / "data")]),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_headless_run_until_an_event_writes_the_event_log(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    shot = tmp_path / "shot.png"
    result = _sim(
        "run",
        "--headless",
        "--events",
        str(log),
        "--until",
        "portal.loaded",
        "--timeout",
        "60",
        "--screenshot",
        str(shot),
        tmp=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all({"seq", "t", "wall", "kind"} <= set(e) for e in events)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "app.started"
    assert "portal.launch" in kinds
    assert "portal.loaded" in kinds
    assert kinds[-1] == "app.exit"
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_timeout_before_the_awaited_event_exits_1(tmp_path: Path) -> None:
    result = _sim("run", "--headless", "--until", "never.happens", "--timeout", "3", tmp=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]


def test_usage_errors_exit_2_and_name_the_rule(tmp_path: Path) -> None:
    bad_eid = _sim(
        "run", "--headless", "--eid", "89033023422130000000000199055798", tmp=tmp_path, timeout=30
    )
    assert bad_eid.returncode == 2
    assert "EID" in bad_eid.stderr
    http = _sim("run", "--headless", "--portal", "http://example.test/", tmp=tmp_path, timeout=30)
    assert http.returncode == 2
    assert "https" in http.stderr


def test_demo_plays_a_flow_to_its_last_event(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    result = _sim(
        "demo",
        "async-connectivity",
        "--headless",
        "--events",
        str(log),
        "--timeout",
        "60",
        tmp=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events = [json.loads(line) for line in log.read_text().splitlines()]
    states = [e["state"] for e in events if e["kind"] == "flow.state"]
    assert "registration-error-expected" in states
    assert states[-1] == "connected"
    connected = next(e for e in events if e.get("state") == "connected")
    assert connected["t"] >= 3600  # a 60-minute interval, on the stepped clock
    # stdout: the demo, one line per stage, the verdict; Qt's and Chromium's noise elsewhere
    lines = result.stdout.splitlines()
    assert lines[0].startswith("demo async-connectivity: ")
    assert lines[1] == (
        "  1. Mobile Plans opens the bundled sample operator's portal (t=0 s): portal loaded"
    )
    assert lines[2].startswith(
        "  2. the portal calls MobilePlans.notifyPurchaseWithProfileDownload"
    )
    assert lines[3].startswith("  3. skip the virtual clock 1 h to \u201cre-register ")
    assert lines[-1] == (
        "PASS async-connectivity: flow.state:flow=async-connectivity,state=connected at t=1 h 8 s"
    )
    assert result.stderr == ""
    native_log = (tmp_path / "data" / "logs" / "qt-chromium.log").read_text()
    assert "--- mobileplans-sim demo (pid " in native_log


def test_a_demo_that_cannot_reach_its_end_fails_at_once_and_says_why(tmp_path: Path) -> None:
    result = _sim("demo", "inline-download", "--headless", "--network", "denied", tmp=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1].startswith(
        "FAIL inline-download: the inline-download flow ended registration-failed "
        "(Qt and Chromium messages: "
    )


def test_a_windowed_demo_stays_open_at_the_end_unless_told_to_exit(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # a window, drawn offscreen
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    command = [sys.executable, "-m", "simulator.cli", "demo", "balance", "--events", str(log)]
    with subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as demo:
        assert demo.stdout is not None
        lines = []
        for line in demo.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(("PASS", "FAIL")):
                break
        assert lines[-1] == "PASS balance: ui.screen:screen=balance at t=0 s"
        assert demo.poll() is None  # still open for the presenter
        assert "app.exit" not in log.read_text()
        demo.send_signal(signal.SIGTERM)  # as closing the window does
        assert demo.wait(timeout=60) == 0
    assert json.loads(log.read_text().splitlines()[-1])["kind"] == "app.exit"
    leaving = _sim("demo", "balance", "--exit-at-end", "--timeout", "60", tmp=tmp_path)
    assert leaving.returncode == 0, leaving.stderr[-2000:]
    assert leaving.stdout.splitlines()[-1] == "PASS balance: ui.screen:screen=balance at t=0 s"


def test_flows_lists_every_demo() -> None:
    result = _sim("flows", tmp=None, timeout=30)
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {
        "inline-download",
        "delayed-download",
        "async-connectivity",
        "balance",
        "cancel",
        "legacy-handoff",
    } <= set(names)


def test_listen_esim_run_and_demo_share_one_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    listen_command = [sys.executable, "-m", "simulator.cli", "thingspace", "listen"]
    with subprocess.Popen(
        [*listen_command, "--demo-line", "--data-dir", str(data)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as listener:
        assert listener.stdout is not None
        assert listener.stdout.readline().startswith("http://127.0.0.1:")
        esim = subprocess.run(
            [sys.executable, "-m", "esim.cli", "--data-dir", str(data), "euicc", "info"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert esim.returncode == 0, esim.stderr
        run = _sim("run", "--headless", "--until", "portal.loaded", "--timeout", "60", tmp=tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        demo = _sim("demo", "balance", "--headless", tmp=tmp_path)
        assert demo.returncode == 0, demo.stderr[-2000:]
        listener.send_signal(signal.SIGTERM)
        assert listener.wait(timeout=30) == 0
    assert sorted(p.name for p in data.iterdir()) == [
        "demo",
        "esim",
        "esim-cli",
        "logs",
        "operator-api",
        "thingspace",
        "thingspace-listener",
        "tls",
        "ui",
    ]
    assert list((data / "demo").iterdir()) == []  # each demo's state goes with it


def test_a_file_an_older_version_left_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "thingspace").write_bytes(b"SQLite format 3\x00" + bytes(200))
    result = _sim("run", "--headless", "--until", "portal.loaded", tmp=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"mobileplans-sim: error: {data / 'thingspace'} is a file")
    assert "[data-dir.not-a-directory]" in result.stderr


def test_a_users_chromium_flags_no_longer_keep_the_portal_from_loading(tmp_path: Path) -> None:
    result = _sim(
        "run",
        "--headless",
        "--until",
        "portal.loaded",
        "--timeout",
        "60",
        tmp=tmp_path,
        chromium_flags="--no-sandbox --disable-gpu",
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_flows_json_lists_every_flow() -> None:
    import contextlib
    import io

    from simulator.cli import main as cli_main
    from simulator.demos import DEMOS

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["flows", "--json"]) == 0
    listed = json.loads(out.getvalue())
    assert [flow["name"] for flow in listed] == list(DEMOS)
    assert all(flow["summary"] for flow in listed)


def test_a_portal_whose_certificate_is_not_ours_is_refused(tmp_path: Path) -> None:
    # The run hands certificate errors to the page through Qt's certificate-only TLS backend
    # (start-up): a chain from a CA the simulator never made must still be refused.
    now = dt.datetime.now(dt.UTC)
    ca = LocalCa.create(name("Someone else's CA"), now)
    leaf_pem, key_pem = ca.issue(
        name("127.0.0.1"),
        ExtendedKeyUsageOID.SERVER_AUTH,
        now,
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    chain = tmp_path / "chain.pem"
    chain.write_bytes(key_pem + leaf_pem + ca.pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log = tmp_path / "events.jsonl"
    try:
        result = _sim(
            "run",
            "--headless",
            "--portal",
            f"https://127.0.0.1:{server.server_address[1]}/",
            "--events",
            str(log),
            "--until",
            "portal.certificate-refused",
            "--timeout",
            "60",
            tmp=tmp_path,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-2000:]
    kinds = [json.loads(line)["kind"] for line in log.read_text().splitlines()]
    assert "portal.certificate-refused" in kinds
    assert "portal.loaded" not in kinds
