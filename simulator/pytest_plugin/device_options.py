"""`DeviceOptions`: the simulated PC a test asks for (the `mobile_plans` marker's fields)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.device import SimulatedDevice
from simulator.operator_api.iccid_ranges import IccidRange, IccidRangeError


@dataclass(frozen=True)
class DeviceOptions:
    """The simulated PC: `@pytest.mark.mobile_plans(device="psim", eid=..., imei=..., ...)`."""

    device: str = "esim"
    eid: str | None = None
    imei: str | None = None
    market: str = "US"
    location: str = "US"
    iccid: str | None = None  # the physical SIM's, with device="psim"
    # the PC's make and model (System Information), for the catalog's device filtering
    device_make: str | None = None
    device_model: str | None = None

    def build(self) -> SimulatedDevice:
        return SimulatedDevice.configure(
            kind=self.device,
            imei=self.imei,
            eid=self.eid,
            market=self.market,
            location=self.location,
            physical_iccid=self.iccid,
            make=self.device_make,
            model=self.device_model,
        )


def marker_value_problem(options: dict[str, Any], iccid_ranges: Any) -> str | None:
    """What is wrong with the marker's PC names or ICCID ranges (None: nothing), said before
    anything starts: a number for a make failed deep inside as an AttributeError, and a
    string for the ranges was read one digit per range."""
    for name in ("device_make", "device_model"):
        value = options.get(name)
        if value is not None and not isinstance(value, str):
            return f"{name} is a string as Windows' System Information shows it, not {value!r}"
    if iccid_ranges is None:
        return None
    if isinstance(iccid_ranges, str) or not isinstance(iccid_ranges, Sequence):
        return (
            "iccid_ranges is a list of 'START-END' or 'PREFIX' strings, e.g. "
            f"iccid_ranges=[{iccid_ranges!r}], not {iccid_ranges!r}"
        )
    for text in iccid_ranges:
        if not isinstance(text, str):
            return f"iccid_ranges holds 'START-END' or 'PREFIX' strings, not {text!r}"
        try:
            IccidRange.parse(text)
        except IccidRangeError as error:
            return f"iccid_ranges: {error.rule}: {error.message}"
    return None
