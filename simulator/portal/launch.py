"""How the real app opens a portal (public page "Mobile Plans web portal"): the query string
and the headers ("Mobile Plans eSIM error handling" for `X-MP-LPAError-*`).

Pure: given the device, the operator's service configuration and what happened before, it
returns the URL and headers to use.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit, urlunsplit

from simulator.device import DeviceKind, SimulatedDevice
from simulator.operator_api.iccid_ranges import IccidRange, in_ranges

MAX_TRANSACTION_ID = 64  # "Mobile Plans web portal": "Maximum size is 64 characters."


class CorrelationVector:
    """A Microsoft-style correlation vector: 16 base64 characters, `.n`, n counting launches.

    Our inference: the documented transactionIds (`/7RBTuSJt02OZbX8.4`) are
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
    """One failed download, reported in `X-MP-LPAError-*` on the next launch."""

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
    """Builds each launch of one portal URI for one device.

    ``iccid_ranges`` are the operator's ranges from the service configuration: `iccids` lists
    only the profiles inside them. None means no configuration at all (every profile is sent).
    """

    portal_uri: str
    device: SimulatedDevice
    accept_language: str = "en-us"
    cv: CorrelationVector = field(default_factory=lambda: CorrelationVector(random.Random()))
    iccid_ranges: Sequence[IccidRange] | None = None

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
            if self.iccid_ranges is not None:
                iccids = in_ranges(iccids, self.iccid_ranges)
            # "If there are no ICCIDs matching the MO available on the eSIM, this parameter is
            # not sent."
            if iccids:
                params["iccids"] = ",".join(iccids)
        elif self.device.physical_iccid:
            params["iccid"] = strip_trailing_f(self.device.physical_iccid)
        headers = {"Accept-Language": self.accept_language}
        if lpa_errors:
            headers["X-MP-LPAError-Codes"] = ",".join(e.status_name for e in lpa_errors)
            headers["X-MP-LPAError-TimeStamps"] = ",".join(e.timestamp for e in lpa_errors)
            # "Only one ICCID is passed.": the last attempted one.
            headers["X-MP-LPAError-ICCIDs"] = lpa_errors[-1].iccid
        return PortalLaunch(
            url=with_query(self.portal_uri, params),
            params=params,
            headers=headers,
            transaction_id=transaction_id,
        )


def strip_trailing_f(iccid: str) -> str:
    """ "If an ICCID has trailing 'F', it is removed." (Mobile Plans web portal)"""
    return iccid.rstrip("Ff")


def with_query(uri: str, params: dict[str, str]) -> str:
    """Append `params` to `uri`, keeping any query the operator configured."""
    parts = urlsplit(uri)
    existing = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([*existing, *params.items()], quote_via=quote, safe=",")
    path = parts.path or "/"
    return urlunsplit(SplitResult(parts.scheme, parts.netloc, path, query, parts.fragment))
