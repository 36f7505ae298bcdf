"""``esim smdp serve --workers N``: N SM-DP+ processes on one port, sharing one store.

For teams that use the stub as a load-test target: one Python process is one core, so N
worker processes each listen on the same port with SO_REUSEPORT and the kernel spreads new
connections over them. They share everything that outlives a request through SQLite files
in the data directory: orders (single-use claims are a conditional UPDATE inside
``BEGIN IMMEDIATE``, so an order two workers race for goes to exactly one), notifications seen,
and the RSP sessions themselves (:mod:`esim.smdp.shared_sessions`), since an LPA may send each
ES9+ call of one download over a new connection that lands on another worker.

The supervisor (the process the user started) prepares what the workers would otherwise race
to create (PKI, ES2+ secrets, the store's tables), reserves the port (bound, not listening:
only listening sockets receive connections), starts the workers with ``spawn``, waits for each
to listen, then prints the address once. SIGINT/SIGTERM stops the workers (each finishes its
requests within the grace period); a worker that dies on its own stops the others and the
command fails naming it.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from esim.cli_home import Home

MAX_WORKERS = 64
READY_TIMEOUT_SECONDS = 120.0
"""How long a worker may take to import, compile the ASN.1 codec and listen."""
STOP_TIMEOUT_SECONDS = 10.0
"""How long stopped workers get to exit before they are killed."""


class WorkersError(ValueError):
    """The worker processes could not be started (the CLI reports it like any refusal)."""


@dataclass(frozen=True, slots=True)
class WorkerPlan:
    """What one worker needs to serve (picklable: sent to a spawned process)."""

    data_dir: Path
    pki: Path | None
    curve_name: str | None
    host: str
    port: int
    index: int
    count: int


def reuse_port_supported() -> bool:
    """SO_REUSEPORT that spreads connections over the listeners: Linux's. (macOS has the
    option but hands every connection to one socket; Windows has none.)"""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def check_worker_count(count: int) -> None:
    """Raise :class:`WorkersError` unless ``count`` workers can run here."""
    if not 1 <= count <= MAX_WORKERS:
        raise WorkersError(f"--workers must be 1 to {MAX_WORKERS}, not {count}")
    if count > 1 and not reuse_port_supported():
        raise WorkersError(
            "--workers needs Linux's SO_REUSEPORT, which spreads connections over processes; "
            "here, run one 'esim smdp serve' per port instead"
        )


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound (not listening) to ``host:port`` with SO_REUSEPORT; port 0 picks one.

    It holds the port number for the workers, which bind it too; it never accepts anything.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    reservation = socket.socket(family, socket.SOCK_STREAM)
    try:
        reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        reservation.bind((host, port))
    except OSError:
        reservation.close()
        raise
    return reservation


def _worker_main(plan: WorkerPlan, ready: Connection, lifeline: Connection) -> None:
    """One worker: an SM-DP+ on the shared port and store until SIGTERM, or until the
    supervisor is gone (``lifeline`` reads end-of-file: its other end closed with it), so a
    killed supervisor leaves no worker holding the port."""
    # Ctrl-C reaches the whole process group: the supervisor alone decides, with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from esim.cli_home import Home
    from esim.cli_smdp import prepared_server
    from esim.smdp.shutdown import exit_promptly_on_signals

    home = Home(plan.data_dir, plan.pki, plan.curve_name)
    try:
        server, store = prepared_server(
            home, shared_sessions=True, worker_label=f"{plan.index}/{plan.count}"
        )
    except Exception as error:  # reported to the supervisor, which names this worker
        ready.send(f"{type(error).__name__}: {error}")
        raise SystemExit(1) from None

    import asyncio

    async def run() -> None:
        try:
            await server.start(plan.host, plan.port, reuse_port=True)
        except OSError as error:
            ready.send(f"cannot listen on {plan.host}:{plan.port}: {error}")
            raise SystemExit(1) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        exit_promptly_on_signals(loop, stop, lambda: None)

        def supervisor_gone() -> None:
            loop.remove_reader(lifeline.fileno())
            stop.set()

        loop.add_reader(lifeline.fileno(), supervisor_gone)
        ready.send("ready")
        try:
            await stop.wait()
        finally:
            await server.stop()

    try:
        asyncio.run(run())
    finally:
        store.close()


def _how_it_ended(process: BaseProcess) -> str:
    process.join(5)  # its sentinel fired: it has ended, join() collects the status
    code = process.exitcode
    if code is not None and code < 0:
        return f"{process.name} was killed by {signal.Signals(-code).name}"
    return f"{process.name} exited with status {code}"


@dataclass
class Supervisor:
    """Starts, watches and stops the worker processes of one ``serve --workers N``."""

    home: Home
    host: str
    port: int
    count: int
    processes: list[BaseProcess] | None = None
    _lifelines: list[Connection] = field(default_factory=list)

    def start(self) -> tuple[int, socket.socket]:
        """Start the workers; return the bound port and its reservation (keep it open)."""
        check_worker_count(self.count)
        reservation = reserve_port(self.host, self.port)
        bound = int(reservation.getsockname()[1])
        context = multiprocessing.get_context("spawn")
        self.processes = []
        pending: dict[Any, int] = {}
        for index in range(1, self.count + 1):
            receiving, sending = context.Pipe(duplex=False)
            lifeline, held = context.Pipe(duplex=False)
            plan = WorkerPlan(
                self.home.root,
                self.home.pki,
                self.home.curve_name,
                self.host,
                bound,
                index,
                self.count,
            )
            process = context.Process(
                target=_worker_main, args=(plan, sending, lifeline), name=f"smdp-worker-{index}"
            )
            process.start()
            sending.close()
            lifeline.close()
            self._lifelines.append(held)  # open as long as this process lives
            self.processes.append(process)
            pending[receiving] = index
        try:
            self._await_ready(pending)
        except BaseException:
            self.stop()
            reservation.close()
            raise
        return bound, reservation

    def _await_ready(self, pending: dict[Any, int]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkersError(
                    f"worker(s) {sorted(pending.values())} did not start listening "
                    f"within {READY_TIMEOUT_SECONDS:.0f} s"
                )
            for connection in wait(list(pending), remaining):
                assert isinstance(connection, Connection)
                index = pending.pop(connection)
                try:
                    message = connection.recv()
                except EOFError:
                    message = "it exited before it was ready"
                if message != "ready":
                    raise WorkersError(f"worker {index} failed to start: {message}")

    def watch(self, stop_requested: Callable[[], bool], wakeup: socket.socket) -> str | None:
        """Wait until ``stop_requested()`` (woken through ``wakeup``) or a worker dies; return
        why a worker died, or None for a requested stop."""
        assert self.processes is not None
        sentinels = {process.sentinel: process for process in self.processes}
        while not stop_requested():
            ready = wait([*sentinels, wakeup])
            if wakeup in ready:
                wakeup.recv(512)
            for sentinel in ready:
                if sentinel in sentinels:
                    return _how_it_ended(sentinels[sentinel])
        return None

    def stop(self) -> None:
        """SIGTERM every worker, wait for them, kill those still running after the timeout."""
        for process in self.processes or []:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in self.processes or []:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for held in self._lifelines:
            held.close()
        self._lifelines.clear()
