"""What an order store says to SQLite, for the tests that count its statements."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smdp_es9_harness import FakeClock

from esim.smdp import OrderStore


@contextmanager
def statements(store: OrderStore) -> Iterator[list[str]]:
    """Every SQL statement the store runs inside the block, in order."""
    seen: list[str] = []
    db: sqlite3.Connection = store._db
    db.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.set_trace_callback(None)


def new_store(directory: Path) -> OrderStore:
    # A clock that does not move: a change made "at the same time" must still be noticed.
    return OrderStore.open(directory / "orders.sqlite", clock=FakeClock())
