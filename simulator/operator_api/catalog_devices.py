"""Which PCs an operator of the catalog is shown on, by make and model. Pure.

Public page "Mobile Plans operator catalog":

* device filtering: an operator whose network a device (its modem, its eSIM) cannot use may ask
  to be left out of the list on that device; it gives the make and model as Windows' System
  Information shows them (or the eSIM's EID, see ``hiddenFromEids``);
* OEM branding: an operator whose brand carries a PC maker's mark is shown on that maker's
  devices only; the operator or the maker gives the makes and models it is offered on.

In an entry of ``operators``: ``"hiddenFromDevices": [{"make": "Contoso", "model": "Laptop 7"},
{"make": "Litware"}]`` (no model: every model of the make) and ``"oem": "Contoso"`` with, if it
is offered on some of the maker's models only, ``"oemModels": ["Laptop 7"]``. The document's
top-level ``"device": {"make": ..., "model": ...}`` is the PC the catalog is tried on (the
command line's ``--device-make``/``--device-model`` win).

Names compare as System Information's text, without regard to case or runs of spaces (ours:
the docs do not say how the service compares them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from esim.identifiers import IdentifierError
from simulator.device import MAX_HARDWARE_NAME, Hardware, parse_hardware_name
from simulator.operator_api.config import ConfigurationError

__all__ = [
    "MAX_DEVICE_ENTRIES",
    "DeviceMatch",
    "OemBrand",
    "parse_catalog_device",
    "parse_hidden_from_devices",
    "parse_oem",
    "same_name",
]

# An operator lists the few device families its network cannot serve; a bound keeps a file bounded.
MAX_DEVICE_ENTRIES = 1000


def same_name(a: str, b: str) -> bool:
    """Two System Information names for the same thing: case and runs of spaces aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class DeviceMatch:
    """A make, or one model of it, in ``hiddenFromDevices``."""

    make: str
    model: str | None = None  # None: every model of the make

    def matches(self, hardware: Hardware) -> bool:
        if not same_name(self.make, hardware.make):
            return False
        return self.model is None or same_name(self.model, hardware.model)

    def __str__(self) -> str:
        return f"{self.make} {self.model}" if self.model else f"every {self.make} PC"


@dataclass(frozen=True)
class OemBrand:
    """An OEM-branded operator: shown on ``make``'s PCs only (of ``models``, when listed)."""

    make: str
    models: tuple[str, ...] = ()

    def offered_on(self, hardware: Hardware) -> bool:
        if not same_name(self.make, hardware.make):
            return False
        return not self.models or any(same_name(m, hardware.model) for m in self.models)

    def __str__(self) -> str:
        if not self.models:
            return f"{self.make} PCs"
        return f"{self.make} {', '.join(self.models)}"


def _name(value: Any, where: str, rule: str) -> str:
    if isinstance(value, str):
        try:
            return parse_hardware_name(value, "name")
        except IdentifierError:
            pass
    raise ConfigurationError(
        rule,
        f"{where} is a name as Windows' System Information shows it: 1 to {MAX_HARDWARE_NAME} "
        f"printable characters, not {_shown(value)}",
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bounded_list(value: Any, where: str, rule: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_DEVICE_ENTRIES:
        raise ConfigurationError(
            rule, f"{where} is a list of at most {MAX_DEVICE_ENTRIES} entries, not {_shown(value)}"
        )
    return value


def parse_hidden_from_devices(value: Any, where: str) -> tuple[DeviceMatch, ...]:
    """``hiddenFromDevices``: the makes (and models) the operator asks to be hidden from."""
    rule = "catalog.hiddenFromDevices"
    matches = []
    for index, item in enumerate(_bounded_list(value, f"{where}.hiddenFromDevices", rule)):
        at = f"{where}.hiddenFromDevices[{index}]"
        if not isinstance(item, Mapping):
            raise ConfigurationError(rule, f'{at} is an object: {{"make": ..., "model": ...}}')
        unknown = sorted(str(k) for k in item if k not in ("make", "model"))
        if unknown:
            raise ConfigurationError(
                rule, f"{at} has make and (optionally) model only; found {unknown[:5]}"
            )
        make = _name(item.get("make"), f"{at}.make", rule)
        model = None if item.get("model") is None else _name(item["model"], f"{at}.model", rule)
        matches.append(DeviceMatch(make, model))
    return tuple(matches)


def parse_oem(entry: Mapping[str, Any], where: str) -> OemBrand | None:
    """``oem`` (the maker whose mark the brand carries) and ``oemModels`` (its models the
    operator is offered on; left out: all of them)."""
    if "oem" not in entry:
        if "oemModels" in entry:
            raise ConfigurationError(
                "catalog.oemModels", f"{where}.oemModels needs oem: the maker they are models of"
            )
        return None
    make = _name(entry["oem"], f"{where}.oem", "catalog.oem")
    models = tuple(
        _name(item, f"{where}.oemModels[{index}]", "catalog.oemModels")
        for index, item in enumerate(
            _bounded_list(entry.get("oemModels", []), f"{where}.oemModels", "catalog.oemModels")
        )
    )
    return OemBrand(make, models)


def parse_catalog_device(value: Any) -> Hardware:
    """The document's ``device``: the PC the catalog is tried on."""
    if not isinstance(value, Mapping) or set(value) - {"make", "model"} or "make" not in value:
        raise ConfigurationError(
            "catalog.device",
            'device is the PC the catalog is tried on: {"make": ..., "model": ...} (model '
            f"optional), not {_shown(value)}",
        )
    for name in ("make", "model"):
        if name in value and not isinstance(value[name], str):
            raise ConfigurationError(
                "catalog.device", f"device.{name} is a string, not {_shown(value[name])}"
            )
    try:
        return Hardware.parse(value["make"], value.get("model"))
    except IdentifierError as error:
        raise ConfigurationError("catalog.device", error.message) from None
