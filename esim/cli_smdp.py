"""``esim smdp serve`` and ``esim smdp order``: the stub SM-DP+ from the command line.

The server and the order command share ``<data-dir>/smdp/orders.sqlite`` (SQLite WAL, one
transaction per operation), so orders created in one shell are served by the other. Both use
the wall clock (``time.time``) because the store outlives the processes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esim.cli_home import Home

if TYPE_CHECKING:
    from esim.smdp.server import SmdpServer
    from esim.smdp.store import OrderStore


def _store(home: Home) -> OrderStore:
    from esim.smdp.store import OrderStore

    return OrderStore.open(home.order_store_path, clock=time.time, smdp_address=home.smdp_address())


def prepared_server(
    home: Home, *, shared_sessions: bool = False, worker_label: str | None = None
) -> tuple[SmdpServer, OrderStore]:
    """(SmdpServer, OrderStore) of ``home``, with the ASN.1 codec compiled before it listens."""
    from esim.asn1.codec import rsp_codec
    from esim.smdp.server import SmdpConfig, SmdpServer

    certificates = home.server_certificates()
    store = _store(home)
    config = SmdpConfig(
        home.smdp_address(),
        certificates,
        home.root / "smdp",
        clock=time.time,
        euicc_cis=home.sets.smdp_euicc_cis,
        shared_sessions=shared_sessions,
        worker_label=worker_label,
    )
    server = SmdpServer(config, store)
    rsp_codec()  # ~1 s of schema compilation, paid before the first download rather than in it
    return server, store


def _announce(home: Home, host: str, bound: int, workers: int) -> None:
    """Register the name → port entry for ``esim euicc`` and tell the user where we listen."""
    from esim.smdp.es2_credentials import CREDENTIALS_FILE

    reachable = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    home.register_host(home.smdp_address(), reachable, bound)
    processes = f", {workers} worker processes" if workers > 1 else ""
    print(
        f"SM-DP+ {home.smdp_address()} listening on https://{reachable}:{bound} "
        f"(data {home.root}{processes}); Ctrl-C stops it",
        flush=True,
    )
    print(
        "ES2+ callers send 'Authorization: Bearer <secret>' with their requester ID; "
        f"secrets: {home.root / 'smdp' / CREDENTIALS_FILE}",
        flush=True,
    )


def serve(home: Home, host: str, port: int, workers: int = 1) -> int:
    """Serve until SIGINT/SIGTERM; the name → port entry lives in smdp-hosts.json meanwhile.

    ``workers`` > 1 runs that many processes on the port (:mod:`esim.smdp.workers`).
    """
    from esim.smdp.workers import check_worker_count

    check_worker_count(workers)
    if workers > 1:
        return serve_workers(home, host, port, workers)
    from esim.smdp.shutdown import exit_promptly_on_signals

    address = home.smdp_address()
    server, store = prepared_server(home)

    async def run() -> None:
        bound = await server.start(host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        exit_promptly_on_signals(loop, stop, lambda: home.unregister_host(address))
        _announce(home, host, bound, 1)
        try:
            await stop.wait()
        finally:
            home.unregister_host(address)
            await server.stop()

    try:
        asyncio.run(run())
    finally:
        store.close()
    return 0


def serve_workers(home: Home, host: str, port: int, workers: int) -> int:
    """``serve`` with ``workers`` processes on one port; 1 if a worker dies on its own."""
    import signal
    import socket
    import sys

    from esim.smdp.es2_credentials import load_or_create
    from esim.smdp.es2plus import DEFAULT_OPERATOR_ID
    from esim.smdp.shared_sessions import SharedSessionTable
    from esim.smdp.workers import Supervisor

    # Create once what every worker would otherwise race to create.
    home.server_certificates()
    load_or_create(home.root / "smdp", {DEFAULT_OPERATOR_ID})
    store = _store(home)
    try:
        sessions = SharedSessionTable(store, time.time, 0)
        sessions.clear()  # a restart ends sessions, as they end in memory
        sessions.close()
    finally:
        store.close()

    stopped: list[int] = []
    wakeup_reader, wakeup_writer = socket.socketpair()
    wakeup_writer.setblocking(False)
    previous_wakeup = signal.set_wakeup_fd(wakeup_writer.fileno())
    handlers = {
        signum: signal.signal(signum, lambda signum, _frame: stopped.append(signum))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    supervisor = Supervisor(home, host, port, workers)
    try:
        bound, reservation = supervisor.start()
        try:
            _announce(home, host, bound, workers)
            failure = supervisor.watch(lambda: bool(stopped), wakeup_reader)
        finally:
            home.unregister_host(home.smdp_address())
            supervisor.stop()
            reservation.close()
    finally:
        signal.set_wakeup_fd(previous_wakeup)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        wakeup_reader.close()
        wakeup_writer.close()
    if failure is not None:
        print(f"esim smdp serve: {failure}; the other workers were stopped", file=sys.stderr)
        return 1
    return 0


def profile_spec(
    iccid: str | None,
    profile: Path | None,
    profile_class: str | None,
    profile_name: str | None,
    service_provider: str | None,
) -> Any:
    """What the order installs: a generated profile, or the real package in ``profile``."""
    from esim.smdp.profile_package import MAX_UPP_BYTES, ProfileSpec, generate_iccid

    if profile is None:
        spec = ProfileSpec(iccid=iccid or generate_iccid())
        return replace(
            spec,
            profile_class=profile_class or spec.profile_class,
            profile_name=profile_name or spec.profile_name,
            service_provider=service_provider or spec.service_provider,
        )
    if iccid is not None:
        raise ValueError("--iccid and --profile exclude each other: the package names its ICCID")
    with profile.open("rb") as stream:
        upp = stream.read(MAX_UPP_BYTES + 1)
    options = {"service_provider": service_provider} if service_provider else {}
    return ProfileSpec.from_upp(
        upp, profile_name=profile_name, profile_class=profile_class or "operational", **options
    )


def create_order(
    home: Home,
    iccid: str | None,
    eid: str | None,
    confirmation_code: str | None,
    release_after_minutes: float | None,
    *,
    profile: Path | None = None,
    profile_class: str | None = None,
    profile_name: str | None = None,
    service_provider: str | None = None,
) -> dict[str, Any]:
    """A released (or release-delayed) order; returns what a person or a script needs."""
    from esim.smdp.behaviours import OrderBehaviour

    behaviour = OrderBehaviour()
    if release_after_minutes is not None:
        if release_after_minutes < 0:
            raise ValueError("--release-after cannot be negative")
        behaviour = OrderBehaviour(release_at=time.time() + 60 * release_after_minutes)
    spec = profile_spec(iccid, profile, profile_class, profile_name, service_provider)
    store = _store(home)
    try:
        order = store.create_order(
            spec,
            eid=eid,
            confirmation_code=confirmation_code,
            behaviour=behaviour,
        )
    finally:
        store.close()
    return {
        "activationCode": order.activation_code,
        "matchingId": order.matching_id,
        "iccid": order.iccid,
        "profileName": spec.profile_name,
        "profileClass": spec.profile_class,
        "profilePackage": None if profile is None else str(profile),
        "eid": order.eid,
        "state": str(order.state),
        "confirmationCodeRequired": order.confirmation_code_required,
        "releaseAt": behaviour.release_at,
    }


def release_order_again(home: Home, iccid: str) -> dict[str, Any]:
    """Release the order of ``iccid`` (again), as ES2+ releaseProfile does; ValueError if not."""
    from esim.smdp.expiry import release_order

    store = _store(home)
    try:
        order = store.get_by_iccid(iccid)
        if order is None:
            raise ValueError(f"es2.iccid-unknown: no order for ICCID {iccid}")
        changed = release_order(store, order)
        if changed is None:
            raise ValueError(f"es2.release: an order {order.state} can't be released")
    finally:
        store.close()
    return {"iccid": changed.iccid, "activationCode": changed.activation_code, "state": "released"}
