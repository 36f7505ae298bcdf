"""``esim smdp serve --workers 2``: two processes on one port serve downloads together.

Every ES9+ call goes over a new TCP connection (as lpac makes them), so the kernel spreads
the calls of one download over both workers and the sessions must be shared; two eUICCs that
race for one order through the two workers cannot both get it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import smdp_fake_euicc
from smdp_es9_harness import run_download
from smdp_fake_euicc import ADDRESS, FakeEuicc

from esim.cli_home import Home
from esim.smdp import OrderState, OrderStore, ProfileSpec, generate_iccid
from esim.smdp.server import WORKER_HEADER
from esim.smdp.workers import reuse_port_supported

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="needs SO_REUSEPORT")


class NewConnectionPerCall:
    """An LPA that opens a new TLS connection for every ES9+ call; records who answered."""

    def __init__(self, port: int) -> None:
        self.base = f"https://127.0.0.1:{port}/gsma/rsp2/es9plus/"
        self.workers: list[str] = []

    async def call(self, function: str, body: dict[str, Any]) -> httpx.Response:
        context = smdp_fake_euicc._client_context()
        async with httpx.AsyncClient(verify=context, timeout=30) as client:
            response = await client.post(
                self.base + function,
                json=body,
                headers={"Host": ADDRESS, "X-Admin-Protocol": "gsma/rsp/v2.2.2"},
                extensions={"sni_hostname": ADDRESS},
            )
        self.workers.append(response.headers.get(WORKER_HEADER, "?"))
        return response


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, int]]:
    """``esim smdp serve --workers 2`` on a fresh data directory; the card uses its PKI."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from _served(tmp_path_factory.mktemp("workers"), monkeypatch)


def _served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Home, int]]:
    home = Home(tmp_path)
    home.server_certificates()  # generated here, before two processes could race for it
    monkeypatch.setattr(smdp_fake_euicc, "test_certificates", home.certificates)
    smdp_fake_euicc._client_context.cache_clear()
    command = [sys.executable, "-m", "esim.cli", "smdp", "serve", "--data-dir", str(tmp_path)]
    server = subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "2 worker processes" in line, line
        yield home, int(line.split("https://127.0.0.1:")[1].split(" ")[0])
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
        assert home.hosts() == {}  # the name → port entry went with the server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()
        smdp_fake_euicc._client_context.cache_clear()


def test_two_workers_serve_the_calls_of_one_download_in_turn(served: tuple[Home, int]) -> None:
    home, port = served
    store = OrderStore.open(home.order_store_path, clock=time.time)
    lpa = NewConnectionPerCall(port)
    crossed = 0

    async def downloads() -> None:
        nonlocal crossed
        # Which worker takes a connection is the kernel's hash of its source port: go on
        # until a download has crossed between the workers (nearly always the first one).
        for _ in range(30):
            order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
            start = len(lpa.workers)
            outcome = await run_download(lpa, FakeEuicc(), order.matching_id)  # type: ignore[arg-type]
            assert outcome.ok, outcome.responses
            installed = store.get(order.matching_id)
            assert installed is not None
            assert installed.state is OrderState.INSTALLED
            crossed += len(set(lpa.workers[start:])) > 1
            if crossed >= 2 and set(lpa.workers) == {"1/2", "2/2"}:
                return

    try:
        asyncio.run(downloads())
    finally:
        store.close()
    assert set(lpa.workers) == {"1/2", "2/2"}
    assert crossed >= 2


def test_an_order_raced_for_through_both_workers_goes_to_one_euicc(
    served: tuple[Home, int],
) -> None:
    home, port = served
    store = OrderStore.open(home.order_store_path, clock=time.time)

    async def race() -> list[Any]:
        order = store.create_order(ProfileSpec(generate_iccid(), size_bytes=2000))
        cards = [FakeEuicc.with_new_eid() for _ in range(6)]
        lpas = [NewConnectionPerCall(port) for _ in cards]
        outcomes = await asyncio.gather(
            *(
                run_download(lpa, card, order.matching_id, stop_after="authenticateClient")  # type: ignore[arg-type]
                for lpa, card in zip(lpas, cards, strict=True)
            )
        )
        return [outcome.code for outcome in outcomes]

    try:
        codes = asyncio.run(race())
        claimed = [order for order in store.orders() if order.state is OrderState.DOWNLOADING]
    finally:
        store.close()
    assert codes.count(None) == 1, codes
    assert set(codes) - {None} == {("8.1.1", "3.1")}  # the others: EID already associated
    assert len(claimed) == 1


def test_a_killed_supervisor_leaves_no_worker_on_the_port(tmp_path: Path) -> None:
    Home(tmp_path).server_certificates()
    command = [sys.executable, "-m", "esim.cli", "smdp", "serve", "--data-dir", str(tmp_path)]
    supervisor = subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert supervisor.stdout is not None
    with supervisor.stdout:
        line = supervisor.stdout.readline()
    port = int(line.split("https://127.0.0.1:")[1].split(" ")[0])
    supervisor.kill()  # SIGKILL: no chance to stop its workers itself
    supervisor.wait()
    listening = True
    for _ in range(150):  # the workers notice within a second or two; give them 30 s
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        except ConnectionRefusedError:
            listening = False
            break
        time.sleep(0.2)
    assert not listening, f"a worker still listens on {port} after its supervisor died"
