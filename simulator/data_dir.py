"""The data directory (`--data-dir`, default from platformdirs): who owns which sub-path. Pure.

Every command may be pointed at the same directory, the default included; each keeps to its
own part of it, so any mix of them works, at the same time too::

    tls/                   the local portal CA and certificate (run, demo; made once, reused)
    esim/                  this PC's eSIM for `run`: eUICC, test PKI, stub SM-DP+ orders
    thingspace/            the operator platform for `run`: carrier lines, registrations
    operator-api/          the sample operator's GetBalance/GetOffers/GetNotifications service
    demo/<pid>/            one `demo`'s own eSIM and platform, fresh each time, removed at exit
    thingspace-listener/   `mobileplans-sim thingspace listen`: its carrier model
    esim-cli/              the `esim` command's home when it is given no --data-dir
    logs/                  Qt's and Chromium's own messages (qt-chromium.log)
    ui/                    the window's size and dock layout for `run` (window.ini)

A file where a directory belongs, a database that is not SQLite, or a card made for another
EID is found before anything is opened, and reported as a :class:`DataDirProblem` that says
what is wrong and what to do, instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from esim.sqlite_transaction import BUSY_TIMEOUT_MS

APP_NAME = "mobileplans-simulator"
TLS = "tls"
ESIM = "esim"
THINGSPACE = "thingspace"
DEMO = "demo"
THINGSPACE_LISTENER = "thingspace-listener"
ESIM_CLI = "esim-cli"
LOGS = "logs"
UI = "ui"
OPERATOR_API = "operator-api"

_SQLITE_MAGIC = b"SQLite format 3\x00"
_OWNERS = {
    TLS: "the local portal certificates",
    ESIM: "this PC's eSIM (eUICC, test PKI, SM-DP+ orders)",
    THINGSPACE: "the operator platform's carrier lines and registrations",
    DEMO: "the demos' own state",
    LOGS: "Qt's and Chromium's messages",
    UI: "the window's remembered layout",
    OPERATOR_API: "the sample operator's service APIs",
}
_DATABASES = (
    (f"{ESIM}/euicc/euicc.sqlite", "the eUICC's memory"),
    (f"{ESIM}/smdp.sqlite", "the stub SM-DP+'s orders"),
    (f"{THINGSPACE}/carrier.sqlite3", "the carrier lines"),
    (f"{THINGSPACE}/registrations.sqlite3", "the callback registrations"),
)


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataDirProblem:
    """Why a data directory cannot be used as it is: a rule, the path, and what to do."""

    rule: str
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}]"


def _not_a_directory(path: Path, what: str) -> DataDirProblem:
    remedy = " Move the file away, or choose another --data-dir."
    if path.name == THINGSPACE:
        listener = path.parent / THINGSPACE_LISTENER
        remedy = (
            " An older `mobileplans-sim thingspace listen` kept its carrier model in this file;"
            f" it now uses {THINGSPACE_LISTENER}/. To keep its lines: mkdir -p {listener} &&"
            f" mv {path} {listener}/carrier.sqlite3 (or choose another --data-dir)."
        )
    return DataDirProblem(
        "data-dir.not-a-directory",
        path,
        f"{path} is a file, but the simulator keeps {what} in a directory there.{remedy}",
    )


def _not_sqlite(path: Path, what: str) -> DataDirProblem | None:
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_SQLITE_MAGIC))
    except OSError as error:
        return DataDirProblem(
            "data-dir.unreadable", path, f"{path} ({what}) cannot be read: {error.strerror}."
        )
    if head and head != _SQLITE_MAGIC:
        return DataDirProblem(
            "data-dir.not-sqlite",
            path,
            f"{path} should hold {what} as an SQLite database, but holds something else."
            " Move it away (the simulator starts a new one), or choose another --data-dir.",
        )
    return None


def stored_card_eid(euicc_file: Path) -> str | None:
    """The EID an eUICC memory file was made for (read-only; None when unknown)."""
    try:
        db = sqlite3.connect(
            f"{euicc_file.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'eid'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return None if row is None else str(row[0])


def stored_card_iccids(euicc_file: Path) -> list[str]:
    """The ICCIDs installed on an eUICC memory file, in ISD-P order (read-only, as
    `Euicc.profiles()` lists them); empty when the card is new or cannot be read. The launch URL
    needs them before the eSIM world, whose imports cost start-up, exists."""
    if not euicc_file.is_file():
        return []
    try:
        db = sqlite3.connect(
            f"{euicc_file.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return []
    try:
        rows = db.execute("SELECT iccid FROM profiles ORDER BY aid").fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()
    return [str(row[0]) for row in rows]


def card_file(sim_dir: Path) -> Path:
    """The simulator's eUICC memory file under its data directory."""
    return sim_dir / f"{ESIM}/euicc/euicc.sqlite"


def check_app_data(root: Path, sim_dir: Path, eid: str) -> list[DataDirProblem]:
    """What stops `run`/`demo` from using `root` (and its own `sim_dir` in it) as they are."""
    if root.exists() and not root.is_dir():
        return [
            DataDirProblem(
                "data-dir.not-a-directory",
                root,
                f"--data-dir {root} is a file, not a directory; choose a directory.",
            )
        ]
    problems: list[DataDirProblem] = []
    for name in (TLS, LOGS):
        if (root / name).exists() and not (root / name).is_dir():
            problems.append(_not_a_directory(root / name, _OWNERS[name]))
    for name in (ESIM, THINGSPACE):
        path = sim_dir / name
        if path.exists() and not path.is_dir():
            problems.append(_not_a_directory(path, _OWNERS[name]))
    if problems:
        return problems
    for relative, what in _DATABASES:
        path = sim_dir / relative
        if path.is_dir():
            problems.append(
                DataDirProblem(
                    "data-dir.not-a-file",
                    path,
                    f"{path} is a directory, but should be the SQLite file of {what}."
                    " Move it away, or choose another --data-dir.",
                )
            )
        elif path.exists() and (problem := _not_sqlite(path, what)) is not None:
            problems.append(problem)
    card = sim_dir / f"{ESIM}/euicc/euicc.sqlite"
    if not problems and card.exists():
        stored = stored_card_eid(card)
        if stored is not None and stored != eid:
            made_by = ""
            if (sim_dir / ESIM / "settings.json").exists():
                made_by = f" (an older `esim` command kept its card here; it now uses {ESIM_CLI}/)"
            problems.append(
                DataDirProblem(
                    "data-dir.card-of-another-eid",
                    card.parent,
                    f"{card.parent} is the memory of eUICC {stored}{made_by}, not of this"
                    f" run's EID {eid}."
                    f" Start with --eid {stored} to use that card, or choose another --data-dir"
                    " for a card with another EID.",
                )
            )
    return problems


# -- the demos' own state -----------------------------------------------------------------------
def demo_dir(root: Path, pid: int | None = None) -> Path:
    """A demo's own, fresh sub-directory: demos never see each other's or `run`'s profiles."""
    return root / DEMO / str(os.getpid() if pid is None else pid)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # signal 0 would end the process there; leftovers stay until reboot
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare_demo_dir(root: Path, pid: int | None = None) -> Path:
    """Remove what demos that are no longer running left behind; return a fresh directory."""
    parent = root / DEMO
    if parent.is_dir():
        for child in parent.iterdir():
            if child.name.isdigit() and not _alive(int(child.name)):
                shutil.rmtree(child, ignore_errors=True)
    path = demo_dir(root, pid)
    shutil.rmtree(path, ignore_errors=True)  # a reused process id
    path.mkdir(parents=True)
    return path


def remove_demo_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(path)
