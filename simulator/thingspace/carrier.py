"""The operator's carrier model: lines, plans, promotions, billing cycles; SQLite, pure (no Qt).

A line links ICCID, MDN, IMEI and MSISDN to a plan, its promotions (each with an end date), a
billing cycle and a status. The platform side closes billing cycles and reports each promotion
that ended as a ``PromoChange`` (ThingSpace PromoChange sample doc); the listener side applies
callbacks to the lines. One SQLite transaction per operation (DESIGN.md §3), so a crash never
leaves half a change.

Dates are naive calendar datetimes, like ``ChangeDate`` (§1.2.1). The simulated calendar starts
on :data:`CALENDAR_START`, so the seed's ``4/1/2017 12:00:00 AM`` is the first cycle end.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from esim.identifiers import Iccid, Imei, Mdn, Msisdn
from esim.sqlite_transaction import BUSY_TIMEOUT_MS, immediate_transaction

from .billing import BillingCycle
from .carrier_apply import AppliedChange, ChangePlan, plan_change
from .codec import CallbackMessage, DeviceId, DeviceKind, PromoChange, format_change_date
from .codec.errors import RuleError

__all__ = [
    "CALENDAR_START",
    "AppliedChange",
    "BillingCycle",
    "CarrierError",
    "CarrierModel",
    "Line",
    "LineStatus",
    "Promotion",
]

CALENDAR_START = datetime(2017, 3, 1)
_SPEC = "ThingSpace callback docs"
# NXX 555, lines 0100-0199: the NANP numbers reserved for fiction, never a real subscriber.
_TEST_NPAS = ("312", "212", "415", "617", "202", "303", "404", "503", "612", "713")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lines (
    id INTEGER PRIMARY KEY,
    iccid TEXT NOT NULL UNIQUE,
    mdn TEXT NOT NULL UNIQUE,
    imei TEXT,
    msisdn TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    cycle_day INTEGER,
    cycle_days INTEGER,
    cycle_start TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS promotions (
    line_id INTEGER NOT NULL REFERENCES lines(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (line_id, code)
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    request_id TEXT NOT NULL,
    devices TEXT NOT NULL,
    applied INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    iccid TEXT
);
"""


class CarrierError(RuleError):
    """A request to the carrier model broke a rule (e.g. a duplicate ICCID)."""

    def __init__(self, rule: str, message: str, *, spec: str = _SPEC) -> None:
        super().__init__(rule, message, spec=spec)


class LineStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class Promotion:
    """A promotional code on a line's plan and the date it ends (§1.2.1 note)."""

    code: str
    ends_on: datetime
    reported: bool = False  # the platform already sent its PromoChange


@dataclass(frozen=True)
class Line:
    iccid: Iccid
    mdn: Mdn
    msisdn: Msisdn
    plan: str
    status: LineStatus
    billing: BillingCycle
    cycle_start: datetime
    imei: Imei | None = None
    promotions: tuple[Promotion, ...] = ()

    @property
    def promotion_codes(self) -> tuple[str, ...]:
        return tuple(promotion.code for promotion in self.promotions)

    def device_ids(self) -> tuple[DeviceId, ...]:
        ids = [DeviceId.of(self.iccid), DeviceId.of(self.mdn), DeviceId.of(self.msisdn)]
        if self.imei is not None:
            ids.append(DeviceId.of(self.imei))
        return tuple(ids)


class CarrierModel:
    """Lines in one SQLite file (WAL); every public method is one transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path | str) -> CarrierModel:
        """Open (creating if needed) the model at *path*: a file, or a directory to hold one."""
        target = Path(path)
        if target.is_dir() or str(path).endswith(("/", "\\")):
            target.mkdir(parents=True, exist_ok=True)
            target = target / "carrier.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # wait for another writer
        db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a crashed process loses nothing committed and the file stays
        # consistent; only a power cut may drop the last commits. FULL costs an fsync each.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(_SCHEMA)
        return cls(db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db, self._lock)

    # -- lines -------------------------------------------------------------------------------
    def create_line(
        self,
        iccid: Iccid | str,
        plan: str,
        promotions: Iterable[Promotion] = (),
        *,
        mdn: Mdn | str | None = None,
        imei: Imei | str | None = None,
        msisdn: Msisdn | str | None = None,
        billing: BillingCycle | None = None,
        cycle_start: datetime = CALENDAR_START,
        status: LineStatus = LineStatus.ACTIVE,
    ) -> Line:
        """Add a line; without *mdn* a fictional NANP number (NXX 555, 0100-0199) is allocated."""
        iccid = iccid if isinstance(iccid, Iccid) else Iccid.parse(iccid)
        imei = imei if imei is None or isinstance(imei, Imei) else Imei.parse(imei)
        billing = billing or BillingCycle(day_of_month=1)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM lines WHERE iccid=?", (str(iccid),)).fetchone():
                raise CarrierError("line.iccid-taken", f"A line with ICCID {iccid} exists.")
            if mdn is None:
                mdn = self._allocate_mdn(db)
            mdn = mdn if isinstance(mdn, Mdn) else Mdn.parse(mdn)
            if db.execute("SELECT 1 FROM lines WHERE mdn=?", (str(mdn),)).fetchone():
                raise CarrierError("line.mdn-taken", f"MDN {mdn} already belongs to a line.")
            if msisdn is None:
                msisdn = Msisdn.parse("1" + str(mdn))
            msisdn = msisdn if isinstance(msisdn, Msisdn) else Msisdn.parse(msisdn)
            cursor = db.execute(
                "INSERT INTO lines (iccid, mdn, imei, msisdn, plan, status, cycle_day,"
                " cycle_days, cycle_start) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    str(iccid),
                    str(mdn),
                    None if imei is None else str(imei),
                    str(msisdn),
                    plan,
                    status.value,
                    billing.day_of_month,
                    billing.period_days,
                    cycle_start.isoformat(),
                ),
            )
            db.executemany(
                "INSERT INTO promotions (line_id, code, ends_on, reported) VALUES (?,?,?,?)",
                [
                    (cursor.lastrowid, p.code, p.ends_on.isoformat(), int(p.reported))
                    for p in promotions
                ],
            )
            return self._load(db, "iccid", str(iccid))

    @staticmethod
    def _allocate_mdn(db: sqlite3.Connection) -> Mdn:
        taken = {row[0] for row in db.execute("SELECT mdn FROM lines")}
        for npa in _TEST_NPAS:
            for line in range(100, 200):
                candidate = f"{npa}5550{line}"
                if candidate not in taken:
                    return Mdn.parse(candidate)
        raise CarrierError("line.mdn-exhausted", "Every fictional test MDN is in use.")

    def lines(self) -> list[Line]:
        with self._transaction() as db:
            iccids = [row[0] for row in db.execute("SELECT iccid FROM lines ORDER BY id")]
            return [self._load(db, "iccid", iccid) for iccid in iccids]

    def line(self, iccid: Iccid | str) -> Line | None:
        key = str(iccid) if isinstance(iccid, Iccid) else str(Iccid.parse(iccid, check_luhn=False))
        with self._transaction() as db:
            return self._load_optional(db, "iccid", key)

    def find(self, device: DeviceId) -> Line | None:
        """The line a callback's device identifier names, if any (kinds per §3.1)."""
        column = _DEVICE_COLUMNS.get(device.kind)
        if column is None:
            return None
        with self._transaction() as db:
            return self._load_optional(db, column, device.value)

    def _load_optional(self, db: sqlite3.Connection, column: str, value: str) -> Line | None:
        row = db.execute(f"SELECT iccid FROM lines WHERE {column}=?", (value,)).fetchone()
        return None if row is None else self._load(db, "iccid", row[0])

    @staticmethod
    def _load(db: sqlite3.Connection, column: str, value: str) -> Line:
        row = db.execute(
            "SELECT id, iccid, mdn, imei, msisdn, plan, status, cycle_day, cycle_days,"
            f" cycle_start FROM lines WHERE {column}=?",
            (value,),
        ).fetchone()
        promotions = tuple(
            Promotion(code, datetime.fromisoformat(ends_on), bool(reported))
            for code, ends_on, reported in db.execute(
                "SELECT code, ends_on, reported FROM promotions WHERE line_id=? ORDER BY ends_on,"
                " code",
                (row[0],),
            )
        )
        return Line(
            iccid=Iccid.parse(row[1], check_luhn=False),
            mdn=Mdn.parse(row[2], nanp=False),
            imei=None if row[3] is None else Imei.parse(row[3]),
            msisdn=Msisdn.parse(row[4]),
            plan=row[5],
            status=LineStatus(row[6]),
            billing=BillingCycle(day_of_month=row[7], period_days=row[8]),
            cycle_start=datetime.fromisoformat(row[9]),
            promotions=promotions,
        )

    # -- callbacks ---------------------------------------------------------------------------
    def apply(self, callback: CallbackMessage) -> AppliedChange:
        """Apply one accepted callback to its line; anything not modelled is recorded only."""
        with self._transaction() as db:
            line = None
            for device in callback.devices:
                column = _DEVICE_COLUMNS.get(device.kind)
                if column is not None:
                    line = self._load_optional(db, column, device.value)
                if line is not None:
                    break
            change = plan_change(callback, line)
            if change.applied and line is not None:
                self._write(db, line, change.plan)
            db.execute(
                "INSERT INTO changes (service, request_id, devices, applied, outcome, detail,"
                " iccid) VALUES (?,?,?,?,?,?,?)",
                (
                    "" if callback.service is None else callback.service.value,
                    callback.request_id or "",
                    " ".join(f"{d.kind.value}:{d.value}" for d in callback.devices),
                    int(change.applied),
                    change.outcome,
                    change.message,
                    None if line is None else str(line.iccid),
                ),
            )
            return change

    @staticmethod
    def _write(db: sqlite3.Connection, line: Line, plan: ChangePlan | None) -> None:
        if plan is None:
            return
        (line_id,) = db.execute("SELECT id FROM lines WHERE iccid=?", (str(line.iccid),)).fetchone()
        for code in plan.remove_promotions:
            db.execute("DELETE FROM promotions WHERE line_id=? AND code=?", (line_id, code))
        for column, value in plan.updates:
            clash = db.execute(
                f"SELECT 1 FROM lines WHERE {column}=? AND id<>?", (value, line_id)
            ).fetchone()
            if clash and column in ("iccid", "mdn"):
                raise CarrierError(
                    "line.identifier-taken", f"{column.upper()} {value} belongs to another line."
                )
            db.execute(f"UPDATE lines SET {column}=? WHERE id=?", (value, line_id))

    def changes(self) -> list[tuple[str, str, bool, str, str]]:
        """Every callback applied or recorded: (service, request_id, applied, outcome, detail)."""
        with self._transaction() as db:
            return [
                (row[0], row[1], bool(row[2]), row[3], row[4])
                for row in db.execute(
                    "SELECT service, request_id, applied, outcome, detail FROM changes ORDER BY id"
                )
            ]

    # -- billing -----------------------------------------------------------------------------
    def next_cycle_end(self) -> datetime | None:
        """The soonest billing-cycle end among lines that are not deactivated."""
        ends = [
            line.billing.next_end(line.cycle_start)
            for line in self.lines()
            if line.status is not LineStatus.DEACTIVATED
        ]
        return min(ends, default=None)

    def end_billing_cycle(self, now: datetime) -> list[CallbackMessage]:
        """Close every cycle that ended by *now*; one PromoChange per promotion that ended.

        §1.2.1: the platform sends PromoChange "shortly after the end of a device's billing
        cycle if a promotional package was removed during the billing cycle". The promotion is
        marked reported here; the listener's ``apply`` removes it from the plan.
        """
        messages: list[CallbackMessage] = []
        with self._transaction() as db:
            rows = db.execute(
                "SELECT id, iccid FROM lines WHERE status<>? ORDER BY id",
                (LineStatus.DEACTIVATED.value,),
            ).fetchall()
            for line_id, iccid in rows:
                line = self._load(db, "iccid", iccid)
                start = line.cycle_start
                while (end := line.billing.next_end(start)) <= now:
                    for promotion in line.promotions:
                        if promotion.reported or promotion.ends_on > end:
                            continue
                        db.execute(
                            "UPDATE promotions SET reported=1 WHERE line_id=? AND code=?",
                            (line_id, promotion.code),
                        )
                        messages.append(_promo_change(line, promotion))
                    line = self._load(db, "iccid", iccid)
                    start = end
                if start != line.cycle_start:
                    db.execute(
                        "UPDATE lines SET cycle_start=? WHERE id=?", (start.isoformat(), line_id)
                    )
        return messages


_DEVICE_COLUMNS: dict[DeviceKind, str] = {
    DeviceKind.ICCID: "iccid",
    DeviceKind.MDN: "mdn",
    DeviceKind.MIN: "mdn",
    DeviceKind.IMEI: "imei",
    DeviceKind.MSISDN: "msisdn",
}


def _promo_change(line: Line, promotion: Promotion) -> CallbackMessage:
    return CallbackMessage(
        data=PromoChange(
            change=f"PromoCode Dropped: {promotion.code}",
            change_date=format_change_date(promotion.ends_on),
        ),
        request_id=str(uuid.uuid4()),
        devices=(DeviceId.of(line.mdn, label="Mdn"),),
    )
