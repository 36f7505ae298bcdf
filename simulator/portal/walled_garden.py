"""The walled garden: which hosts a PC without a data plan can reach. Pure, no Qt.

Public pages "Mobile Plans walled garden", "Mobile Plans integration" and the MO Direct
walkthrough of the "Mobile Plans" appendix: when the user has no balance and no other connection
(no Wi-Fi, no Ethernet), the operator's network lets through only a short list of host names —
Microsoft's fixed endpoints (certificate revocation, connectivity test, sign-in, the Mobile Plans
service), the operator's MO Direct portal and its GetBalance endpoint, and whatever else the
operator adds to its own garden. Host names only: the architecture supports no IP ranges. Once a
plan is bought and the line is registered, the garden opens.

Whether a given user is in the garden depends on their connection, which the docs leave open
("via Walled Garden or a Wi-Fi or Ethernet connection"), so the simulator has three modes:
``enforce`` (the PC has only its cellular line: requests elsewhere are blocked), ``report``
(the default: requests go through, and each host outside the garden is reported once per
launch, so a team sees what would break) and ``off``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from simulator.events import Event, EventLog

__all__ = [
    "DOCS_ANCHOR",
    "MICROSOFT_ENDPOINTS",
    "GardenHost",
    "GardenHostError",
    "GardenMode",
    "GardenOperator",
    "GardenVerdict",
    "GardenWatch",
    "WalledGarden",
]

DOCS_PAGE = "docs/catalog-and-walled-garden.md"
DOCS_ANCHOR = f"{DOCS_PAGE}#walled-garden.host-not-allowed"
RULE = "walled-garden.host-not-allowed"

# The endpoints table of "Mobile Plans walled garden" (host names as listed there).
MICROSOFT_ENDPOINTS = (
    "ctldl.windowsupdate.com",
    "cdp1.public-trust.com",
    "ocsp.omniroot.com",
    "vassg142.ocsp.omniroot.com",
    "vassg142.crl.omniroot.com",
    "mscrl.microsoft.com",
    "crl.microsoft.com",
    "www.msftconnecttest.com",
    "crl3.digicert.com",
    "ocsp.digicert.com",
    "login.live.com",
    "storagetos.datamart.windows.com",
    "mps.datamart.windows.com",
    "staging.datamart.windows.com",
    "*smartscreen.microsoft.com",
)
# Schemes that never leave the PC (or are the app's own): not the garden's business.
_LOCAL_SCHEMES = frozenset({"data", "blob", "about", "qrc", "chrome", "devtools", "file"})
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class GardenHostError(ValueError):
    """A garden entry that is not a host name; ``rule`` names what is wrong."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class GardenMode(StrEnum):
    ENFORCE = "enforce"
    REPORT = "report"
    OFF = "off"


@dataclass(frozen=True)
class GardenHost:
    """A host name, or ``*suffix`` for every host ending so (the docs' ``*smartscreen...``)."""

    name: str
    wildcard: bool = False

    @classmethod
    def parse(cls, text: str) -> GardenHost:
        raw = text.strip().lower().rstrip(".")
        wildcard = raw.startswith("*")
        name = raw.lstrip("*").lstrip(".") if wildcard else raw
        if _is_ip(name) or _is_ip(name.partition("/")[0]):
            raise GardenHostError(
                "walled-garden.host.ip",
                f"{text!r} is an IP address; the walled garden allows host names only",
            )
        if any(c in name for c in ":/?#@[]"):
            raise GardenHostError(
                "walled-garden.host.format",
                f"{text!r}: write a host name only, without scheme, port or path",
            )
        labels = name.split(".")
        if len(name) > 253 or not name or not all(_LABEL.match(label) for label in labels):
            raise GardenHostError(
                "walled-garden.host.format", f"{text!r} is not a host name (letters, digits, -)"
            )
        if wildcard and len(labels) < 2:
            # "*com" would let the whole top-level domain through the garden.
            raise GardenHostError(
                "walled-garden.host.format",
                f"{text!r} covers a whole top-level domain; a wildcard ends in a domain of its "
                "own, as in *smartscreen.microsoft.com",
            )
        return cls(name, wildcard)

    def matches(self, host: str) -> bool:
        return host.endswith(self.name) if self.wildcard else host == self.name

    def __str__(self) -> str:
        return f"*{self.name}" if self.wildcard else self.name


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class GardenVerdict:
    """What the garden does with one request: ``outside`` it, and then whether ``blocked``."""

    host: str
    outside: bool
    blocked: bool


class WalledGarden:
    """The garden of one portal launch: its hosts, whether it is open, what each request gets."""

    def __init__(self, mode: GardenMode = GardenMode.REPORT) -> None:
        self.mode = mode
        self.hosts: tuple[GardenHost, ...] = ()
        self.open = False

    def configure(
        self, portal_url: str, balance_url: str | None, operator_hosts: Iterable[str] = ()
    ) -> None:
        """The garden for the chosen operator: its portal's host, its GetBalance host, the hosts
        it added itself, and Microsoft's endpoints. An IP host (the loopback sample operator)
        is never a garden entry."""
        hosts = [GardenHost.parse(h) for h in MICROSOFT_ENDPOINTS]
        hosts += [GardenHost.parse(h) for h in operator_hosts]
        for url in (portal_url, balance_url):
            host = (urlsplit(url).hostname or "") if url else ""
            if host and not _is_ip(host):
                hosts.append(GardenHost(host.lower()))
        self.hosts = tuple(dict.fromkeys(hosts))

    @property
    def in_force(self) -> bool:
        return self.mode is not GardenMode.OFF and not self.open

    def allows_host(self, host: str) -> bool:
        return any(h.matches(host.lower().rstrip(".")) for h in self.hosts)

    def judge(self, url: str) -> GardenVerdict | None:
        """None when the garden has nothing to say (open, off, or a request that stays local)."""
        if not self.in_force:
            return None
        parts = urlsplit(url)
        if parts.scheme.lower() in _LOCAL_SCHEMES or not parts.scheme:
            return None
        host = (parts.hostname or "").lower()
        if self.allows_host(host):
            return GardenVerdict(host, outside=False, blocked=False)
        return GardenVerdict(host, outside=True, blocked=self.mode is GardenMode.ENFORCE)


# Per launch: a page with a thousand assets outside the garden still gives a readable log.
MAX_REQUEST_EVENTS = 100


@dataclass(frozen=True)
class GardenOperator:
    """What the garden needs of the operator chosen now."""

    portal_url: str
    balance_url: str | None
    extra_hosts: tuple[str, ...] = ()


class GardenWatch:
    """Applies the garden to the portal's requests and says what it did.

    ``operator()`` gives the operator of the next launch (the catalog may change it);
    ``line_connected()`` whether the PC has a registered line (a plan: the garden opens).
    Events: ``walled_garden.state`` (closed/open, when it changes), ``network.blocked`` (a
    request the garden stopped) or ``network.outside-garden`` (report mode: it went through),
    and one ``contract.violation`` ``walled-garden.host-not-allowed`` per host and launch.
    """

    def __init__(
        self,
        events: EventLog,
        garden: WalledGarden,
        operator: Callable[[], GardenOperator],
        line_connected: Callable[[], bool],
    ) -> None:
        self.events = events
        self.garden = garden
        self._operator = operator
        self._line_connected = line_connected
        self._reported_hosts: set[str] = set()
        self._request_events = 0
        self._state: str | None = None

    @property
    def mode(self) -> GardenMode:
        return self.garden.mode

    def set_mode(self, mode: GardenMode) -> None:
        self.garden.mode = mode
        self._reported_hosts.clear()
        self._announce("mode changed")

    def observe(self, event: Event) -> None:
        if event.kind == "portal.launch":
            operator = self._operator()
            self.garden.configure(operator.portal_url, operator.balance_url, operator.extra_hosts)
            self._reported_hosts.clear()
            self._request_events = 0
            self.garden.open = self._line_connected()
            self._announce("portal launched")
        elif event.kind == "network.registration":
            self.garden.open = self._line_connected()
            self._announce(f"line {event.fields.get('iccid')} {event.fields.get('state')}")

    def _announce(self, reason: str) -> None:
        state = "off" if self.mode is GardenMode.OFF else ("open" if self.garden.open else "closed")
        if state == self._state:
            return
        self._state = state
        fields: dict[str, Any] = {"state": state, "mode": str(self.mode), "reason": reason}
        if state == "closed":
            fields["hosts"] = [str(h) for h in self.garden.hosts]
        self.events.emit("walled_garden.state", **fields)

    def request(self, url: str, resource: str) -> bool:
        """One request of the portal's web view; True when the garden blocks it."""
        verdict = self.garden.judge(url)
        if verdict is None or not verdict.outside:
            return False
        if self._request_events < MAX_REQUEST_EVENTS:
            self._request_events += 1
            self.events.emit(
                "network.blocked" if verdict.blocked else "network.outside-garden",
                url=url[:2048],
                host=verdict.host,
                resource=resource,
                mode=str(self.mode),
            )
        if verdict.host not in self._reported_hosts:
            self._reported_hosts.add(verdict.host)
            self._violation(verdict, url)
        return verdict.blocked

    def _violation(self, verdict: GardenVerdict, url: str) -> None:
        what = (
            "was blocked: the PC is in the walled garden (no plan, no other connection)"
            if verdict.blocked
            else "would be blocked for a user in the walled garden (no plan, no Wi-Fi)"
        )
        why = (
            "an IP address is never in the walled garden, which allows host names only"
            if _is_ip(verdict.host)
            else "only the portal's host, the GetBalance host, Microsoft's endpoints and the "
            "operator's walledGardenHosts are reachable"
        )
        self.events.emit(
            "contract.violation",
            rule=RULE,
            severity="error" if verdict.blocked else "warning",
            message=f"a request to {verdict.host} {what}; {why}",
            spec=DOCS_ANCHOR,
            field=url[:2048],
            object="walled garden",
            method=verdict.host,
        )
