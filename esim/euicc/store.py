"""The eUICC's non-volatile memory: profiles, ISD-P AIDs, notifications, counters, addresses.

SQLite (stdlib), WAL journal, and one transaction per card operation (DESIGN.md §3): every
public method that changes state runs inside :meth:`EuiccStore.transaction`, so a process killed
at any instant leaves either the state before or the state after the operation. A profile is
written in the same transaction as its ISD-P AID and its install notification, only once the
last segment of its package verified (SGP.22 §3.1.3).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from esim.euicc.config import isdp_aid
from esim.euicc.records import (
    NOTIFICATION_EVENTS,
    NotificationRecord,
    NotificationTarget,
    OperatorId,
    ProfileClass,
    ProfilePolicyRule,
    ProfileRecord,
)
from esim.sqlite_transaction import open_database

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
    iccid TEXT PRIMARY KEY,
    aid TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    nickname TEXT,
    service_provider TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    icon_type INTEGER,
    icon BLOB,
    profile_class INTEGER NOT NULL,
    notification_configuration TEXT NOT NULL,
    profile_owner TEXT,
    policy_rules INTEGER NOT NULL,
    dp_oid TEXT,
    metadata BLOB NOT NULL,
    package BLOB NOT NULL,
    installed_at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_enabled_profile ON profiles (enabled) WHERE enabled = 1;
CREATE TABLE IF NOT EXISTS notifications (
    seq_number INTEGER PRIMARY KEY,
    event TEXT NOT NULL,
    address TEXT NOT NULL,
    iccid TEXT,
    metadata BLOB NOT NULL,
    pending BLOB NOT NULL,
    created_at REAL NOT NULL
);
"""
_PROFILE_COLUMNS = (
    "iccid, aid, enabled, nickname, service_provider, profile_name, icon_type, icon, "
    "profile_class, notification_configuration, profile_owner, policy_rules, dp_oid, "
    "length(package), installed_at"
)
_NOTIFICATION_COLUMNS = "seq_number, event, address, iccid, metadata, pending, created_at"


class EuiccStore:
    """One card's SQLite file (``<data_dir>/euicc.sqlite``)."""

    def __init__(self, path: Path) -> None:
        # Autocommit mode: transactions are explicit BEGIN IMMEDIATE … COMMIT below.
        # synchronous=NORMAL in WAL mode: a commit appends to the WAL without an fsync (the WAL
        # is synced at checkpoints). A killed process loses nothing committed (the WAL is in the
        # OS's page cache); a power cut may lose the last transactions but never tears one: the
        # card comes back at a consistent earlier state, as after a card pulled mid-operation.
        self._db = open_database(path, synchronous="NORMAL")
        self._depth = 0
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic operation; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        self._db.execute("COMMIT")

    # -- settings and counters ----------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_setting(self, key: str, value: str | None) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _next(self, name: str) -> int:
        """Return the counter's value and advance it (inside the caller's transaction)."""
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        value = 0 if row is None else int(row[0])
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value + 1),
        )
        return value

    def next_sequence_number(self) -> int:
        """The next notification seqNumber: global, increasing, never reused (§3.7)."""
        return self._next("notification_seq")

    def next_isdp_aid(self) -> bytes:
        """A fresh ISD-P AID; AIDs of deleted profiles are not reused (§4.3)."""
        return isdp_aid(self._next("isdp_index"))

    # -- profiles --------------------------------------------------------------------------------

    def profiles(self) -> list[ProfileRecord]:
        rows = self._db.execute(f"SELECT {_PROFILE_COLUMNS} FROM profiles ORDER BY aid").fetchall()
        return [_profile(row) for row in rows]

    def profile_count(self) -> int:
        row = self._db.execute("SELECT count(*) FROM profiles").fetchone()
        return int(row[0])

    def profile_by_iccid(self, iccid: str) -> ProfileRecord | None:
        row = self._db.execute(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE iccid = ?", (iccid,)
        ).fetchone()
        return None if row is None else _profile(row)

    def profile_by_aid(self, aid: bytes) -> ProfileRecord | None:
        row = self._db.execute(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE aid = ?", (aid.hex().upper(),)
        ).fetchone()
        return None if row is None else _profile(row)

    def enabled_profile(self) -> ProfileRecord | None:
        row = self._db.execute(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE enabled = 1"
        ).fetchone()
        return None if row is None else _profile(row)

    def used_bytes(self) -> int:
        row = self._db.execute("SELECT coalesce(sum(length(package)), 0) FROM profiles").fetchone()
        return int(row[0])

    def profile_package(self, iccid: str) -> bytes | None:
        row = self._db.execute("SELECT package FROM profiles WHERE iccid = ?", (iccid,)).fetchone()
        return None if row is None else bytes(row[0])

    def insert_profile(
        self,
        *,
        iccid: str,
        aid: bytes,
        metadata: dict[str, Any],
        metadata_der: bytes,
        dp_oid: str | None,
        package: bytes,
        installed_at: float,
    ) -> None:
        """Add a Disabled profile from its decoded StoreMetadataRequest (inside a transaction)."""
        owner = metadata.get("profileOwner")
        self._db.execute(
            "INSERT INTO profiles (iccid, aid, enabled, nickname, service_provider, profile_name,"
            " icon_type, icon, profile_class, notification_configuration, profile_owner,"
            " policy_rules, dp_oid, metadata, package, installed_at)"
            " VALUES (?, ?, 0, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                iccid,
                aid.hex().upper(),
                metadata["serviceProviderName"],
                metadata["profileName"],
                metadata.get("iconType"),
                metadata.get("icon"),
                int(metadata.get("profileClass", ProfileClass.OPERATIONAL)),
                json.dumps(
                    [
                        {
                            "events": sorted(_events(entry["profileManagementOperation"])),
                            "address": entry["notificationAddress"],
                        }
                        for entry in metadata.get("notificationConfigurationInfo", [])
                    ]
                ),
                None
                if owner is None
                else json.dumps({key: value.hex() for key, value in owner.items()}),
                _bits_to_int(metadata.get("profilePolicyRules")),
                dp_oid,
                metadata_der,
                package,
                installed_at,
            ),
        )

    def set_enabled(self, iccid: str, enabled: bool) -> None:
        self._db.execute(
            "UPDATE profiles SET enabled = ? WHERE iccid = ?", (1 if enabled else 0, iccid)
        )

    def set_nickname(self, iccid: str, nickname: str | None) -> None:
        with self.transaction():
            self._db.execute("UPDATE profiles SET nickname = ? WHERE iccid = ?", (nickname, iccid))

    def delete_profile(self, iccid: str) -> None:
        self._db.execute("DELETE FROM profiles WHERE iccid = ?", (iccid,))

    # -- notifications ---------------------------------------------------------------------------

    def add_notification(self, record: NotificationRecord) -> None:
        self._db.execute(
            f"INSERT INTO notifications ({_NOTIFICATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.seq_number,
                record.event,
                record.address,
                record.iccid,
                record.metadata,
                record.pending,
                record.created_at,
            ),
        )

    def notifications(self) -> list[NotificationRecord]:
        rows = self._db.execute(
            f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications ORDER BY seq_number"
        ).fetchall()
        return [
            NotificationRecord(
                int(row[0]), row[1], row[2], row[3], bytes(row[4]), bytes(row[5]), float(row[6])
            )
            for row in rows
        ]

    def remove_notification(self, seq_number: int) -> bool:
        with self.transaction():
            cursor = self._db.execute(
                "DELETE FROM notifications WHERE seq_number = ?", (seq_number,)
            )
            return cursor.rowcount > 0


def _events(value: tuple[bytes, int]) -> set[str]:
    data, length = value
    return {
        NOTIFICATION_EVENTS[i]
        for i in range(min(length, len(NOTIFICATION_EVENTS)))
        if data[i // 8] & (0x80 >> (i % 8))
    }


def _bits_to_int(value: tuple[bytes, int] | None) -> int:
    if value is None:
        return 0
    data, length = value
    return sum(1 << i for i in range(length) if data[i // 8] & (0x80 >> (i % 8)))


def _profile(row: tuple[Any, ...]) -> ProfileRecord:
    (
        iccid,
        aid,
        enabled,
        nickname,
        provider,
        name,
        icon_type,
        icon,
        profile_class,
        configuration,
        owner,
        rules,
        dp_oid,
        size,
        installed_at,
    ) = row
    owner_fields = None if owner is None else json.loads(owner)
    return ProfileRecord(
        iccid=iccid,
        aid=aid,
        state="enabled" if enabled else "disabled",
        nickname=nickname,
        service_provider=provider,
        profile_name=name,
        profile_class=ProfileClass(profile_class).name.lower(),
        icon_type=icon_type,
        icon=None if icon is None else bytes(icon),
        notification_configuration=tuple(
            NotificationTarget(frozenset(entry["events"]), entry["address"])
            for entry in json.loads(configuration)
        ),
        profile_owner=None
        if owner_fields is None
        else OperatorId(
            bytes.fromhex(owner_fields["mccMnc"]),
            bytes.fromhex(owner_fields["gid1"]) if "gid1" in owner_fields else None,
            bytes.fromhex(owner_fields["gid2"]) if "gid2" in owner_fields else None,
        ),
        policy_rules=frozenset(rule for rule in ProfilePolicyRule if rules & (1 << rule)),
        dp_oid=dp_oid,
        size_bytes=int(size),
        installed_at=float(installed_at),
    )
