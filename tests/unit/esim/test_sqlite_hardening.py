"""SQLite stores: explicit busy timeouts and WAL everywhere, and the eUICC's final install
transaction re-checking free memory against what another process installed meanwhile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from euicc_harness import ICCID_A, ICCID_B, Lpa, download, open_card

from esim.asn1 import messages
from esim.euicc import es10b_install
from esim.euicc.store import EuiccStore
from esim.smdp.store import OrderStore
from esim.sqlite_transaction import BUSY_TIMEOUT_MS, open_database

INSUFFICIENT_MEMORY = 10  # ErrorReason.insufficientMemory (SGP.22 §5.7.6)


def test_every_store_sets_wal_and_an_explicit_busy_timeout(tmp_path: Path) -> None:
    euicc = EuiccStore(tmp_path / "euicc.sqlite")
    orders = OrderStore.open(tmp_path / "orders.sqlite")
    plain = open_database(tmp_path / "other.sqlite")
    try:
        for db in (euicc._db, orders._db, plain):
            assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        euicc.close()
        orders.close()
        plain.close()


def test_the_final_install_rechecks_free_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process fills the card between the last segment's check and the commit."""
    limit = {"memory_limit_bytes": 4500}
    card = open_card(tmp_path, **limit)
    other_process = open_card(tmp_path, **limit)
    check_package = es10b_install._check_package
    raced: list[bytes] = []

    def check_then_race(installer: Any) -> None:
        check_package(installer)
        if not raced:
            raced.append(b"")
            raced.append(download(Lpa(other_process).open(), ICCID_B))

    monkeypatch.setattr(es10b_install, "_check_package", check_then_race)
    try:
        result = download(Lpa(card).open(), ICCID_A)
        other = messages.PROFILE_INSTALLATION_RESULT.decode(raced[1])
        assert other["profileInstallationResultData"]["finalResult"][0] == "successResult"
        final = messages.PROFILE_INSTALLATION_RESULT.decode(result)
        kind, error = final["profileInstallationResultData"]["finalResult"]
        assert kind == "errorResult"
        assert error["errorReason"] == INSUFFICIENT_MEMORY
        assert [profile.iccid for profile in card.profiles()] == [ICCID_B]
    finally:
        other_process.close()
        card.close()


def test_the_simulator_side_stores_set_a_busy_timeout_too(tmp_path: Path) -> None:
    from simulator.thingspace.carrier import CarrierModel
    from simulator.thingspace.registrations import RegistrationStore

    carrier = CarrierModel.open(tmp_path / "carrier")
    registrations = RegistrationStore.open(tmp_path / "registrations.sqlite3")
    try:
        for db in (carrier._db, registrations._db):
            assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        carrier.close()
        registrations.close()
