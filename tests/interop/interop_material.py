"""Where the real peers' material lives: ``../shared/interop`` next to the repository.

The material (SGP.26 test certificates, TS.48 profiles, lpac's stdio exchanges) is third-party
test data kept outside the repository. CI checks it out beside the repository; on a developer
machine it may sit beside any parent directory (``<parent>/shared/interop``), or be named with
``MOBILEPLANS_INTEROP_DIR``. Without it the interop tests skip and say where they looked.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from esim.crypto.ecka import Curve
from esim.euicc import Euicc, EuiccConfig
from esim.lpa import Lpa
from esim.pki import CertificateSet, TestPki
from esim.smdp import OrderStore, SmdpConfig, SmdpServer

REPOSITORY = Path(__file__).resolve().parents[2]


def _find() -> Path | None:
    named = os.environ.get("MOBILEPLANS_INTEROP_DIR")
    if named:
        return Path(named)
    for parent in REPOSITORY.parents:
        candidate = parent / "shared" / "interop"
        if candidate.is_dir():
            return candidate
    return None


INTEROP = _find()


def material(*parts: str) -> Path:
    """A path inside the interop material; skips the test when the material is absent."""
    if INTEROP is None or not INTEROP.is_dir():
        pytest.skip("interop material not found (../shared/interop or MOBILEPLANS_INTEROP_DIR)")
    path = INTEROP.joinpath(*parts)
    assert path.exists(), f"{path} is missing from the interop material"
    return path


# -- a running stack: emulated eUICC ↔ LPA ↔ stub SM-DP+ over HTTPS on 127.0.0.1 -------------

EID = "89049032123451234512345678901235"
SMDP_ADDRESS = "smdp.mobileplans.test"


@lru_cache(maxsize=4)
def our_certificates(
    curve: Curve = Curve.NIST_P256, tls_curve: Curve = Curve.NIST_P256
) -> CertificateSet:
    return TestPki.generate(EID, [SMDP_ADDRESS], curve=curve, tls_curve=tls_curve)


@dataclass
class Stack:
    card: Euicc
    store: OrderStore
    server: SmdpServer
    lpa: Lpa
    events: list[tuple[str, dict[str, Any]]]


@asynccontextmanager
async def running_stack(
    directory: Path,
    *,
    server_certificates: CertificateSet | None = None,
    card_options: dict[str, Any] | None = None,
    card_certificates: CertificateSet | None = None,
    trust_anchors: list[x509.Certificate] | None = None,
    smdp_options: dict[str, Any] | None = None,
    lpa_options: dict[str, Any] | None = None,
    address: str = SMDP_ADDRESS,
) -> AsyncIterator[Stack]:
    card = Euicc.open(
        directory / "card",
        EuiccConfig(
            eid=EID,
            certificates=card_certificates or our_certificates(),
            **(card_options or {}),
        ),
    )
    store = OrderStore.open(directory / "orders.sqlite", clock=time.time)
    server_set = server_certificates or our_certificates()
    config = SmdpConfig(address, server_set, directory, time.time, **(smdp_options or {}))
    server = SmdpServer(config, store)
    events: list[tuple[str, dict[str, Any]]] = []
    server.add_listener(lambda name, fields: events.append((name, fields)))
    port = await server.start("127.0.0.1", 0)
    lpa = Lpa(
        card,
        trust_anchors=trust_anchors or [server_set.ci.certificate],
        resolver={address: ("127.0.0.1", port)},
        **(lpa_options or {}),
    )
    try:
        yield Stack(card, store, server, lpa, events)
    finally:
        await server.stop()
        store.close()
        card.close()
