"""The walled garden's group in the "MO service" panel: its mode (a switch), whether it is
closed or open, and the hosts outside it that the portal asked for since the last launch.
Widgets only: :mod:`simulator.portal.walled_garden` decides; the group shows its events.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QWidget

from simulator.events import Event
from simulator.portal.walled_garden import GardenMode
from simulator.ui.style import plain_label

__all__ = ["WalledGardenGroup"]

_MODE_HINTS = {
    GardenMode.REPORT: "requests outside the garden go through and are reported",
    GardenMode.ENFORCE: "a PC with no plan and no Wi-Fi: requests outside the garden are blocked",
    GardenMode.OFF: "no walled garden",
}
_MAX_HOSTS_SHOWN = 8


class WalledGardenGroup(QGroupBox):
    def __init__(
        self,
        mode: GardenMode,
        set_mode: Callable[[GardenMode], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Walled garden", parent)
        self._set_mode = set_mode
        form = QFormLayout(self)
        self.mode = QComboBox(self)
        self.mode.setObjectName("walled-garden-mode")
        for member in GardenMode:
            self.mode.addItem(member.value, member)
        self.mode.setCurrentText(mode.value)
        self.mode.setToolTip(_MODE_HINTS[mode])
        self.mode.currentIndexChanged.connect(self._mode_chosen)
        self.state = plain_label("not launched yet", self)
        self.state.setObjectName("walled-garden-state")
        self.outside = plain_label("", self)
        self.outside.setObjectName("walled-garden-outside")
        self.outside.setWordWrap(True)
        form.addRow("Mode", self.mode)
        form.addRow("State", self.state)
        form.addRow("Outside", self.outside)
        self._hosts: dict[str, bool] = {}  # host -> blocked, since the last launch

    def _mode_chosen(self) -> None:
        mode = GardenMode(self.mode.currentText())
        self.mode.setToolTip(_MODE_HINTS[mode])
        self._set_mode(mode)

    def observe(self, event: Event) -> None:
        fields = event.fields
        if event.kind == "portal.launch":
            self._hosts.clear()
            self._show_hosts()
        elif event.kind == "walled_garden.state":
            self.mode.blockSignals(True)  # a mode set elsewhere (the fixture): show, not re-set
            self.mode.setCurrentText(str(fields.get("mode", self.mode.currentText())))
            self.mode.blockSignals(False)
            state = str(fields.get("state", ""))
            hosts = fields.get("hosts")
            self.state.setText(
                f"closed: {len(hosts)} hosts reachable" if isinstance(hosts, list) else state
            )
            if isinstance(hosts, list):
                self.state.setToolTip("\n".join(str(h) for h in hosts))
        elif event.kind in ("network.blocked", "network.outside-garden"):
            host = str(fields.get("host", ""))
            self._hosts[host] = self._hosts.get(host, False) or event.kind == "network.blocked"
            self._show_hosts()

    def _show_hosts(self) -> None:
        shown = [
            f"{_short(host)} ({'blocked' if blocked else 'let through'})"
            for host, blocked in list(self._hosts.items())[:_MAX_HOSTS_SHOWN]
        ]
        more = len(self._hosts) - len(shown)
        self.outside.setText(", ".join(shown) + (f" and {more} more" if more > 0 else ""))
        self.outside.setToolTip("\n".join(self._hosts))


def _short(host: str, keep: int = 40) -> str:
    """A host name has no space to wrap at; the portal picks them, up to 253 characters, and
    one would widen the whole panel."""
    return host if len(host) <= keep else f"{host[: keep - 12]}…{host[-11:]}"
