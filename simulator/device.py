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
# The PC's make and model as Windows' System Information shows them (System Manufacturer,
# System Model): what the catalog's device filtering and OEM-branded operators go by. The app
# reports no make or model anywhere else; Proseware is one of Microsoft's fictitious names.
DEFAULT_MAKE = "Proseware"
DEFAULT_MODEL = "Proseware Book 13 5G"
MAX_HARDWARE_NAME = 100  # System Information's strings are a vendor's name, never a paragraph


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


def parse_hardware_name(value: str, what: str, *, optional: bool = False) -> str:
    text = " ".join(value.split())
    if (not text and not optional) or len(text) > MAX_HARDWARE_NAME or not value.isprintable():
        raise IdentifierError(
            kind=what,
            rule=f"device.{what}",
            value=value,
            message=f"the PC's {what} {_quoted(value)} is not 1 to {MAX_HARDWARE_NAME} printable "
            "characters (as Windows' System Information shows it)",
            spec="Mobile Plans operator catalog",
        )
    return text


def _quoted(value: str) -> str:
    """``value`` as an error message may quote it: a megabyte of junk stays one line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Hardware:
    """The PC's make and model (System Manufacturer and System Model in Windows' System
    Information). ``model`` empty: a PC of that make whose model is not stated."""

    make: str = DEFAULT_MAKE
    model: str = DEFAULT_MODEL

    @classmethod
    def parse(cls, make: str, model: str | None = None) -> Hardware:
        """Whitespace runs collapse; raises IdentifierError (``device.make``, ``device.model``)
        for an empty, over-long or non-printable name."""
        return cls(
            parse_hardware_name(make, "make"),
            parse_hardware_name(model or "", "model", optional=True),
        )

    def __str__(self) -> str:
        return f"{self.make} {self.model}" if self.model else self.make


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
    # None: not stated (`run --device-make`, the marker's device_make=, the operators file's
    # "device"), so the simulator's default PC, which an operators file may replace
    stated_hardware: Hardware | None = None

    @property
    def hardware(self) -> Hardware:
        return self.stated_hardware or Hardware()

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
        make: str | None = None,
        model: str | None = None,
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
            stated_hardware=_stated_hardware(make, model),
        )

    def describe(self) -> dict[str, str]:
        info = {
            "kind": self.kind.value,
            "imei": str(self.imei),
            "market": self.market,
            "location": self.location,
            "make": self.hardware.make,
            "model": self.hardware.model or "(not stated)",
        }
        if self.kind is DeviceKind.ESIM:
            info["eid"] = str(self.eid)
            info["profiles"] = ",".join(self.profile_iccids()) or "(none)"
        else:
            info["iccid"] = self.physical_iccid or "(none)"
        return info


def _stated_hardware(make: str | None, model: str | None) -> Hardware | None:
    if make is None and model is None:
        return None
    if make is None:
        raise IdentifierError(
            kind="model",
            rule="device.model",
            value=model or "",
            message="a model is a model of a make: give the PC's make too",
            spec="Mobile Plans operator catalog",
        )
    return Hardware.parse(make, model)
