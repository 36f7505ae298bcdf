"""The Device panel: the simulated PC as the portal sees it at launch."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from simulator.device import SimulatedDevice

_LABELS = {
    "kind": "SIM",
    "imei": "IMEI",
    "eid": "EID",
    "iccid": "ICCID (physical SIM)",
    "profiles": "eSIM profiles",
    "market": "Market",
    "location": "Location",
    "make": "Make (System Information)",
    "model": "Model",
}


class DevicePanel(QWidget):
    def __init__(self, device: SimulatedDevice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._device = device
        self._layout = QFormLayout(self)
        self._values: dict[str, QLabel] = {}
        self.refresh()

    def refresh(self) -> None:
        for key, value in self._device.describe().items():
            label = self._values.get(key)
            if label is None:
                label = QLabel(self)
                label.setObjectName(f"device-{key}")
                label.setTextInteractionFlags(label.textInteractionFlags().TextSelectableByMouse)
                self._values[key] = label
                self._layout.addRow(_LABELS.get(key, key), label)
            label.setText(
                "eSIM" if value == "esim" else "physical SIM" if value == "psim" else value
            )
