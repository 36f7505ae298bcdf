"""How the real app opens a portal (mobile-plans.md §2): the query string and the headers.

Pure: given the device and what happened before, it returns the URL and headers to use.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit, urlunsplit

from simulator.device import DeviceKind, SimulatedDevice

MAX_TRANSACTION_ID = 64  # mobile-plans.md §2.2: "Maximum size is 64 characters."


class CorrelationVector:
    """A Microsoft-style correlation vector: 16 base64 characters, `.n`, n counting launches.

    mobile-plans.md §2.3 [INFERRED]: the observed transactionIds (`/7RBTuSJt02OZbX8.4`) are
    CVs; the base alphabet includes `/` and `+`, hence the URL-encoding.
    """

    def __init__(self, rng: random.Random) -> None:
        self.base = base64.b64encode(rng.randbytes(12)).decode("ascii")
        self.counter = 0

    def next(self) -> str:
        self.counter += 1
        return f"{self.base}.{self.counter}"

    @property
    def current(self) -> str:
        return f"{self.base}.{self.counter}"


@dataclass(frozen=True)
class LpaErrorReport:
    """One failed download, reported in `X-MP-LPAError-*` on the next launch (§2.4)."""

    status_name: str  # an ESimOperationStatus name, e.g. "ServerFailure"
    timestamp: str  # "5/18/2018 11:17:23 PM" style
    iccid: str


@dataclass(frozen=True)
class PortalLaunch:
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    transaction_id: str


@dataclass
class LaunchBuilder:
    """Builds each launch of one portal URI for one device."""

    portal_uri: str
    device: SimulatedDevice
    accept_language: str = "en-us"
    cv: CorrelationVector = field(default_factory=lambda: CorrelationVector(random.Random()))

    def build(self, lpa_errors: Sequence[LpaErrorReport] = ()) -> PortalLaunch:
        transaction_id = self.cv.next()
        params: dict[str, str] = {
            "market": self.device.market,
            "location": self.device.location,
            "transactionId": transaction_id,
            "imei": str(self.device.imei),
        }
        if self.device.kind is DeviceKind.ESIM:
            params["eid"] = str(self.device.eid)
            iccids = [strip_trailing_f(i) for i in self.device.profile_iccids()]
            if iccids:  # "If there are no ICCIDs … this parameter is not sent."
                params["iccids"] = ",".join(iccids)
        elif self.device.physical_iccid:
            params["iccid"] = strip_trailing_f(self.device.physical_iccid)
        headers = {"Accept-Language": self.accept_language}
        if lpa_errors:
            headers["X-MP-LPAError-Codes"] = ",".join(e.status_name for e in lpa_errors)
            headers["X-MP-LPAError-TimeStamps"] = ",".join(e.timestamp for e in lpa_errors)
            # "Only one ICCID is passed." (§2.4): the last attempted one.
            headers["X-MP-LPAError-ICCIDs"] = lpa_errors[-1].iccid
        return PortalLaunch(
            url=with_query(self.portal_uri, params),
            params=params,
            headers=headers,
            transaction_id=transaction_id,
        )


def strip_trailing_f(iccid: str) -> str:
    """§2.2: "If an ICCID has trailing 'F', it is removed." """
    return iccid.rstrip("Ff")


def with_query(uri: str, params: dict[str, str]) -> str:
    """Append `params` to `uri`, keeping any query the operator configured."""
    parts = urlsplit(uri)
    existing = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([*existing, *params.items()], quote_via=quote, safe=",")
    path = parts.path or "/"
    return urlunsplit(SplitResult(parts.scheme, parts.netloc, path, query, parts.fragment))
