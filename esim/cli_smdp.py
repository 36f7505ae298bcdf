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
from typing import Any

from esim.cli_home import Home


def _store(home: Home) -> Any:
    from esim.smdp.store import OrderStore

    return OrderStore.open(home.order_store_path, clock=time.time, smdp_address=home.smdp_address())


def serve(home: Home, host: str, port: int) -> int:
    """Serve until SIGINT/SIGTERM; the name → port entry lives in smdp-hosts.json meanwhile."""
    from esim.smdp.es2_credentials import CREDENTIALS_FILE
    from esim.smdp.server import SmdpConfig, SmdpServer
    from esim.smdp.shutdown import exit_promptly_on_signals

    certificates = home.server_certificates()
    address = home.smdp_address()
    store = _store(home)
    config = SmdpConfig(
        address,
        certificates,
        home.root / "smdp",
        clock=time.time,
        euicc_cis=home.sets.smdp_euicc_cis,
    )
    server = SmdpServer(config, store)

    async def run() -> None:
        bound = await server.start(host, port)
        reachable = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
        home.register_host(address, reachable, bound)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        exit_promptly_on_signals(loop, stop, lambda: home.unregister_host(address))
        print(
            f"SM-DP+ {address} listening on https://{reachable}:{bound} "
            f"(data {home.root}); Ctrl-C stops it",
            flush=True,
        )
        print(
            "ES2+ callers send 'Authorization: Bearer <secret>' with their requester ID; "
            f"secrets: {home.root / 'smdp' / CREDENTIALS_FILE}",
            flush=True,
        )
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
