"""`DeviceOptions`: the simulated PC a test asks for (the `mobile_plans` marker's fields)."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.device import SimulatedDevice


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
