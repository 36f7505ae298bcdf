"""The one way a store here writes SQLite: ``BEGIN IMMEDIATE`` … ``COMMIT`` under a lock.

``BEGIN IMMEDIATE`` takes the write lock up front, so two writers never both read and then fail
to upgrade; the connection is in autocommit mode (``isolation_level=None``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any


@contextmanager
def immediate_transaction(
    db: sqlite3.Connection, lock: AbstractContextManager[Any]
) -> Iterator[sqlite3.Connection]:
    """One transaction on *db* while holding *lock*; any exception rolls it back."""
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
