"""The real stack for LPA tests: emulated eUICC ↔ LPA ↔ stub SM-DP+ over HTTPS on 127.0.0.1.

One test PKI per process (generation is cached); each test gets its own card memory, order
store and server on an ephemeral port. The SM-DP+ host name resolves through the LPA's
resolver table only. Use :func:`running_stack` inside ``asyncio.run``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from esim.euicc import Euicc, EuiccConfig
from esim.lpa import Lpa
from esim.pki import CertificateSet, TestPki
from esim.smdp import OrderBehaviour, OrderStore, ProfileSpec, SmdpConfig, SmdpServer
from esim.smdp.orders import Order
from esim.smdp.profile_package import generate_iccid

EID = "89049032123451234512345678901235"
OTHER_EID = "89049032123451234512345678901332"
SMDP_ADDRESS = "smdp.mobileplans.test"
SMALL_PROFILE = 2048


@lru_cache(maxsize=1)
def certificates() -> CertificateSet:
    return TestPki.generate(EID, [SMDP_ADDRESS])


@lru_cache(maxsize=1)
def foreign_certificates() -> CertificateSet:
    """A set under another CI: its DPtls does not chain to the LPA's trust anchor."""
    return TestPki.generate(EID, [SMDP_ADDRESS])


class Clock:
    """The injected clock of the SM-DP+ (seconds); tests move it."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Stack:
    card: Euicc
    store: OrderStore
    server: SmdpServer
    port: int
    clock: Clock
    lpa: Lpa
    events: list[dict[str, Any]] = field(default_factory=list)

    def order(
        self,
        *,
        eid: str | None = None,
        confirmation_code: str | None = None,
        behaviour: OrderBehaviour | None = None,
        iccid: str | None = None,
        size_bytes: int = SMALL_PROFILE,
    ) -> Order:
        spec = ProfileSpec(iccid=iccid or generate_iccid(), size_bytes=size_bytes)
        return self.store.create_order(
            spec, eid=eid, confirmation_code=confirmation_code, behaviour=behaviour
        )

    def state(self, order: Order) -> str:
        current = self.store.get(order.matching_id)
        assert current is not None
        return str(current.state)


def make_lpa(card: Euicc, port: int, **options: Any) -> Lpa:
    return Lpa(
        card,
        trust_anchors=[certificates().ci.certificate],
        resolver={SMDP_ADDRESS: ("127.0.0.1", port)},
        **options,
    )


@asynccontextmanager
async def running_stack(
    directory: Path,
    *,
    memory_limit_bytes: int | None = None,
    busy: bool = False,
    server_certificates: CertificateSet | None = None,
    **lpa_options: Any,
) -> AsyncIterator[Stack]:
    clock = Clock()
    card = Euicc.open(
        directory / "card",
        EuiccConfig(
            eid=EID,
            certificates=certificates(),
            memory_limit_bytes=memory_limit_bytes,
            busy=busy,
        ),
    )
    store = OrderStore.open(directory / "smdp" / "orders.sqlite", clock=clock)
    config = SmdpConfig(SMDP_ADDRESS, server_certificates or certificates(), directory, clock)
    server = SmdpServer(config, store)
    events: list[dict[str, Any]] = []
    server.add_listener(lambda _name, fields: events.append(fields))
    port = await server.start("127.0.0.1", 0)
    try:
        yield Stack(card, store, server, port, clock, make_lpa(card, port, **lpa_options), events)
    finally:
        await server.stop()
        store.close()
        card.close()
