"""``esim smdp serve`` exits promptly on SIGTERM while a client holds a request half-sent."""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
DEADLINE_SECONDS = 15
"""Generous for a loaded CI machine; the server itself gives requests 2 s, then forces at 5 s."""


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "esim.cli",
            "--data-dir",
            str(data_dir),
            "smdp",
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"https://127\.0\.0\.1:(\d+)", line)
    assert found, line
    return process, int(found.group(1))


def half_sent_request(port: int) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test only needs the bytes to arrive
    connection = context.wrap_socket(
        socket.create_connection(("127.0.0.1", port), timeout=10),
        server_hostname="smdp.mobileplans.test",
    )
    connection.sendall(
        b"POST /gsma/rsp2/es9plus/initiateAuthentication HTTP/1.1\r\n"
        b"Host: smdp.mobileplans.test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n{"
    )
    return connection


def test_sigterm_with_a_stuck_request_exits_promptly(tmp_path: Path) -> None:
    process, port = start_server(tmp_path)
    stuck = half_sent_request(port)
    idle = socket.create_connection(("127.0.0.1", port), timeout=10)  # not even TLS
    try:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=DEADLINE_SECONDS)
        print(f"exited {code} {time.monotonic() - started:.2f} s after SIGTERM")
        assert code in (0, 128 + signal.SIGTERM)
    finally:
        stuck.close()
        idle.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


BUSY_SERVER = """
import asyncio
from esim.smdp.shutdown import exit_promptly_on_signals

async def main() -> None:
    loop = asyncio.get_running_loop()
    exit_promptly_on_signals(loop, asyncio.Event(), lambda: print("forced", flush=True), 1.0)
    print("ready", flush=True)
    while True:  # a request that never yields to the event loop
        pass

asyncio.run(main())
"""


def test_sigterm_while_a_request_never_yields_forces_the_exit() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", BUSY_SERVER], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=DEADLINE_SECONDS) == 128 + signal.SIGTERM
        assert process.stdout.read().strip() == "forced"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
