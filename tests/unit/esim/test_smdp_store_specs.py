"""Specs live beside the orders (written once), and orders of older stores, whose spec is in
their own row, still read the same."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from esim.smdp import OrderStore, ProfileSpec, generate_iccid
from esim.smdp.orders import OrderState

EID = "89049032123451234512345678901235"


def test_an_order_of_a_store_made_before_order_specs_keeps_its_spec(tmp_path: Path) -> None:
    path = tmp_path / "orders.sqlite"
    spec = ProfileSpec(generate_iccid(), profile_name="Legacy", size_bytes=4096)
    with sqlite3.connect(path) as db:  # the table as earlier versions wrote it
        db.execute(
            "CREATE TABLE orders (order_id INTEGER PRIMARY KEY AUTOINCREMENT, matching_id TEXT"
            " NOT NULL UNIQUE, iccid TEXT NOT NULL, state TEXT NOT NULL, spec TEXT NOT NULL, eid"
            " TEXT, cc_hash BLOB, behaviour TEXT NOT NULL, fail_at TEXT, created_at REAL NOT NULL,"
            " updated_at REAL NOT NULL, transaction_id TEXT, downloaded_by TEXT, euicc_certificate"
            " BLOB, cc_failures INTEGER NOT NULL DEFAULT 0, last_error TEXT)"
        )
        db.execute(
            "INSERT INTO orders (matching_id, iccid, state, spec, behaviour, created_at,"
            " updated_at) VALUES ('OLD-1', ?, 'released', ?, '{}', 1.0, 1.0)",
            (spec.iccid, json.dumps(spec.to_dict())),
        )
    store = OrderStore.open(path, clock=time.time)
    try:
        old = store.get("OLD-1")
        assert old is not None
        assert old.spec == spec
        new = store.create_order(ProfileSpec(generate_iccid(), profile_name="New"))
        claimed = store.claim(new, EID, "AB" * 16, b"")
        assert (claimed.state, claimed.spec.profile_name) == (OrderState.DOWNLOADING, "New")
        assert store.get("OLD-1") == old
    finally:
        store.close()


def test_a_spec_is_read_the_same_by_another_process_store(tmp_path: Path) -> None:
    path = tmp_path / "orders.sqlite"
    writer, reader = OrderStore.open(path), OrderStore.open(path)
    try:
        spec = ProfileSpec(generate_iccid(), service_provider="Elsewhere", size_bytes=9000)
        created = writer.create_order(spec)
        found = reader.get(created.matching_id)
        assert found is not None
        assert found.spec == spec
        rows = reader.read("SELECT spec FROM orders WHERE order_id = ?", (created.order_id,))
        assert rows == [("",)]  # the order's own row stays small: its updates stay cheap
    finally:
        writer.close()
        reader.close()
