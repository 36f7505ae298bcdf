"""The one way a store here opens and writes SQLite.

:func:`open_database`: autocommit mode (``isolation_level=None``), WAL, and an explicit busy
timeout, so a second process on the same file waits for the lock instead of failing at once
with "database is locked". :func:`immediate_transaction`: ``BEGIN IMMEDIATE`` … ``COMMIT``
under a lock; ``BEGIN IMMEDIATE`` takes the write lock up front, so two writers never both
read and then fail to upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer's lock before "database is locked"."""


def open_database(
    path: Path, *, synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
) -> sqlite3.Connection:
    """A connection to ``path`` (created with its directory) in WAL mode with a busy timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        str(path),
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    # Set as a PRAGMA too: it is what every later connection setting is checked against.
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    return db


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
