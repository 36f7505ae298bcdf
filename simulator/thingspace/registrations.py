"""Callback listener registrations per account and service (ThingSpace SOAP registration doc).

Rules, each rejected with a named :class:`RegistrationError`:

* one listener per service per account; deregister before registering another (§2.2);
* a service registered through SOAP cannot be registered again through REST (§2.2), and the
  REST-only services cannot be registered through SOAP (§1.1 table);
* username and password are 40 characters or fewer (§2.2);
* the URL is ``http``/``https`` on a documented port: 80, 443, 9001–9006, 28200–28220,
  50551–50559 (§2.1). A local simulator's listeners bind ephemeral ports, so loopback hosts
  are exempt from the port list unless ``strict_ports`` is set.

Stored in SQLite (WAL, one transaction per operation) so registrations survive a restart.
"""

from __future__ import annotations

import ipaddress
import sqlite3
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from esim.sqlite_transaction import BUSY_TIMEOUT_MS, immediate_transaction

from .codec import CallbackDecodeError, ServiceName, canonical_service_name
from .codec.errors import RuleError, shown, spec_ref

MAX_CREDENTIAL_LENGTH = 40
ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOWED_PORTS = frozenset({80, 443, *range(9001, 9007), *range(28200, 28221), *range(50551, 50560)})
REST_ONLY_SERVICES = frozenset(
    {
        ServiceName.STATE_SERVICE,
        ServiceName.NIDD_SERVICE,
        ServiceName.DEVICE_PROFILE_SERVICE,
        ServiceName.DIAGNOSTICS_SERVICE,
        ServiceName.SUBSCRIPTION_NOTIFICATION_SERVICE,
        ServiceName.INTELLIGENCE_SERVICE,
    }
)
SANDBOX_ACCOUNT = "TestAccount-2"  # the account name of Verizon's REST sandbox (§2.2)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS registrations (
    account TEXT NOT NULL,
    service TEXT NOT NULL,
    url TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    via TEXT NOT NULL,
    PRIMARY KEY (account, service)
);
"""


class RegisteredVia(StrEnum):
    """Which API made the registration; it also picks the callbacks' wire format."""

    SOAP = "soap"
    REST = "rest"


class RegistrationError(RuleError):
    """A registration request broke a rule; ``status`` is the HTTP status to answer with."""


@dataclass(frozen=True)
class Registration:
    account: str
    service: ServiceName
    url: str
    username: str = ""
    password: str = field(default="", repr=False)  # listed in clear by REST GET (§2.2)
    via: RegisteredVia = RegisteredVia.REST


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): a listener on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listener_url(url: str, *, strict_ports: bool = False) -> None:
    """Raise :class:`RegistrationError` unless *url* is an allowed listener URL (§2.1)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise RegistrationError(
            "registration.url-scheme",
            f"Listener URL {shown(url)} must be an absolute http:// or https:// URL.",
            spec=spec_ref("§2.1"),
        )
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise RegistrationError(
            "registration.url-port",
            f"Listener URL {shown(url)} has an invalid port.",
            spec=spec_ref("§2.1"),
        ) from None
    if port in ALLOWED_PORTS or (not strict_ports and is_loopback_host(parts.hostname)):
        return
    raise RegistrationError(
        "registration.url-port",
        f"Listener port {port} is not allowed; use 80, 443, 9001-9006, 28200-28220 or 50551-50559.",
        spec=spec_ref("§2.1"),
    )


def _check_credential(name: str, value: str) -> None:
    if len(value) > MAX_CREDENTIAL_LENGTH:
        raise RegistrationError(
            "registration.credential-length",
            f"Callback {name} has {len(value)} characters; it must be "
            f"{MAX_CREDENTIAL_LENGTH} characters or fewer.",
            spec=spec_ref("§2.2"),
        )


def service_from_wire(name: str) -> ServiceName:
    try:
        return canonical_service_name(name.strip())
    except CallbackDecodeError as error:
        raise RegistrationError(
            "registration.service-unknown", error.message, spec=error.spec
        ) from None


class RegistrationStore:
    """Registrations keyed by (account, service); every method is one transaction."""

    def __init__(self, connection: sqlite3.Connection, *, strict_ports: bool = False) -> None:
        self._db = connection
        self._lock = threading.Lock()
        self.strict_ports = strict_ports

    @classmethod
    def open(
        cls, path: Path | str | None = None, *, strict_ports: bool = False
    ) -> RegistrationStore:
        """The store in SQLite file *path* (a directory gets ``registrations.sqlite3``)."""
        target: Path | str = ":memory:"
        if path is not None:
            target = Path(path)
            if target.is_dir():
                target = target / "registrations.sqlite3"
            target.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # wait for another writer
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        return cls(db, strict_ports=strict_ports)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def register(
        self,
        account: str,
        service: ServiceName | str,
        url: str,
        *,
        username: str = "",
        password: str = "",
        via: RegisteredVia = RegisteredVia.REST,
    ) -> Registration:
        account = account.strip()
        if not account:
            raise RegistrationError(
                "registration.account-missing", "AccountName is empty.", spec=spec_ref("§2.1")
            )
        name = service if isinstance(service, ServiceName) else service_from_wire(service)
        if via is RegisteredVia.SOAP and name in REST_ONLY_SERVICES:
            raise RegistrationError(
                "registration.rest-only",
                f"{name.value} can be registered only through the REST API.",
                spec=spec_ref("§1.1"),
            )
        _check_credential("username", username)
        _check_credential("password", password)
        check_listener_url(url, strict_ports=self.strict_ports)
        with immediate_transaction(self._db, self._lock):
            existing = self._lookup(account, name)
            if existing is not None:
                raise _conflict(existing, via)
            self._db.execute(
                "INSERT INTO registrations VALUES (?,?,?,?,?,?)",
                (account, name.value, url, username, password, via.value),
            )
        return Registration(account, name, url, username, password, via)

    def unregister(self, account: str, service: ServiceName | str) -> Registration:
        name = service if isinstance(service, ServiceName) else service_from_wire(service)
        with self._lock:
            existing = self._lookup(account.strip(), name)
            if existing is None:
                raise RegistrationError(
                    "registration.not-registered",
                    f"Account {shown(account)} has no listener for {name.value}.",
                    spec=spec_ref("§2.1, §2.2"),
                    status=404,
                )
            self._db.execute(
                "DELETE FROM registrations WHERE account=? AND service=?", (existing.account, name)
            )
        return existing

    def lookup(self, account: str, service: ServiceName) -> Registration | None:
        with self._lock:
            return self._lookup(account, service)

    def for_account(self, account: str, *, via: RegisteredVia | None = None) -> list[Registration]:
        """The account's registrations; REST lists only REST-registered ones (§2.2)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT account, service, url, username, password, via FROM registrations"
                " WHERE account=? ORDER BY service",
                (account,),
            ).fetchall()
        found = [_row(row) for row in rows]
        return [r for r in found if via is None or r.via is via]

    def _lookup(self, account: str, service: ServiceName) -> Registration | None:
        row = self._db.execute(
            "SELECT account, service, url, username, password, via FROM registrations"
            " WHERE account=? AND service=?",
            (account, service.value),
        ).fetchone()
        return None if row is None else _row(row)


def _row(row: tuple[str, str, str, str, str, str]) -> Registration:
    return Registration(row[0], ServiceName(row[1]), row[2], row[3], row[4], RegisteredVia(row[5]))


def _conflict(existing: Registration, via: RegisteredVia) -> RegistrationError:
    if existing.via is RegisteredVia.SOAP and via is RegisteredVia.REST:
        return RegistrationError(
            "registration.soap-exists",
            f"{existing.service.value} is registered through SOAP for {existing.account}; it "
            "cannot be registered again through REST.",
            spec=spec_ref("§2.2"),
            status=409,
        )
    return RegistrationError(
        "registration.already-registered",
        f"{existing.account} already has a listener for {existing.service.value} "
        f"({existing.url}); only one per service per account: deregister it first.",
        spec=spec_ref("§2.2"),
        status=409,
    )
