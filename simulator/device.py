"""The simulated PC: its identity (IMEI, EID), its SIM (eSIM or physical), market and location.

Pure: no Qt. Values are validated at the edge (`DeviceConfig.parse` raises `IdentifierError`
naming the rule) and stay typed inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from esim.identifiers import Eid, Iccid, IdentifierError, Imei

DEFAULT_IMEI = "001102000315468"  # the docs' eSIM example (Mobile Plans web portal doc); Luhn-valid
DEFAULT_EID = "89033023422130000000000199055797"  # the docs' example; mod 97 = 1
DEFAULT_PHYSICAL_ICCID = "8988247000100003319"  # the docs' physical-SIM example


class DeviceKind(StrEnum):
    ESIM = "esim"
    PSIM = "psim"


def _parse_country(value: str, what: str) -> str:
    text = value.strip()
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise IdentifierError(
            kind=what,
            rule=f"{what}.iso-3166",
            value=value,
            message=f"{what} {value!r} is not a two-letter ISO 3166 country code",
            spec="Mobile Plans web portal doc",
        )
    return text


@dataclass
class SimulatedDevice:
    """What the app knows of the PC it runs on. The eSIM's profiles come from the eUICC."""

    kind: DeviceKind = DeviceKind.ESIM
    imei: Imei = field(default_factory=lambda: Imei.parse(DEFAULT_IMEI))
    eid: Eid = field(default_factory=lambda: Eid.parse(DEFAULT_EID))
    market: str = "US"
    location: str = "US"
    physical_iccid: str | None = DEFAULT_PHYSICAL_ICCID
    profile_iccids: Callable[[], list[str]] = field(default=list, repr=False)

    @classmethod
    def configure(
        cls,
        *,
        kind: str = "esim",
        imei: str | None = None,
        eid: str | None = None,
        market: str = "US",
        location: str = "US",
        physical_iccid: str | None = None,
    ) -> SimulatedDevice:
        """Build a device from command-line text; raises IdentifierError naming the rule."""
        try:
            device_kind = DeviceKind(kind.lower())
        except ValueError:
            raise IdentifierError(
                kind="device",
                rule="device.kind",
                value=kind,
                message=f"device kind {kind!r} is neither 'esim' nor 'psim'",
                spec="Mobile Plans web portal doc",
            ) from None
        return cls(
            kind=device_kind,
            imei=Imei.parse(imei or DEFAULT_IMEI),
            eid=Eid.parse(eid or DEFAULT_EID),
            market=_parse_country(market, "market"),
            location=_parse_country(location, "location"),
            physical_iccid=str(Iccid.parse(physical_iccid or DEFAULT_PHYSICAL_ICCID)),
        )

    def describe(self) -> dict[str, str]:
        info = {
            "kind": self.kind.value,
            "imei": str(self.imei),
            "market": self.market,
            "location": self.location,
        }
        if self.kind is DeviceKind.ESIM:
            info["eid"] = str(self.eid)
            info["profiles"] = ",".join(self.profile_iccids()) or "(none)"
        else:
            info["iccid"] = self.physical_iccid or "(none)"
        return info
