"""The Mobile Plans catalog: the operators the app offers on its Select Provider page. Pure.

Public pages "Mobile Plans operator catalog" and "Mobile Plans" (section "Select provider page"):

* the app lists the operators enabled to sell plans in the country the PC is in (network ID on
  cellular, reverse IP on Wi-Fi; here the simulated PC's ``location``);
* the list is sorted alphabetically by the operators' brand names;
* the page exists only on eSIM PCs: a physical SIM's operator cannot change, so with one the app
  goes straight on with that operator;
* an operator may ask to be hidden from devices that cannot use its network (make and model,
  or the eSIM's EID), and an operator whose brand carries a PC maker's mark is shown on that
  maker's devices only (:mod:`simulator.operator_api.catalog_devices`).

The user picks an operator, then sees that operator's Gateway page, whose button opens its
portal. With one operator configured the simulator keeps the app's direct path (no catalog).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from simulator.device import Hardware
from simulator.operator_api.catalog_devices import (
    DeviceMatch,
    OemBrand,
    parse_catalog_device,
    parse_hidden_from_devices,
    parse_oem,
)
from simulator.operator_api.config import ConfigurationError, ServiceConfiguration
from simulator.operator_api.config_file import (
    parse_service_configuration,
    read_configuration_json,
)
from simulator.operator_api.urls import parse_https_url

__all__ = [
    "CATALOG_TITLE",
    "Catalog",
    "CatalogDecision",
    "CatalogOperator",
    "HiddenOperator",
    "OperatorDocument",
    "decide_catalog",
    "load_operator_file",
    "parse_operator_document",
]

# The heading of the docs' screenshot of the Select Provider page.
CATALOG_TITLE = "Select a mobile operator to get online now"
MAX_OPERATORS = 50  # a catalog is a country's handful of operators; a bound keeps input bounded
# Fields of an entry of "operators" that are about the catalog, not the service configuration.
_CATALOG_FIELDS = (
    "portalUri", "countries", "hiddenFromEids", "hiddenFromDevices", "oem", "oemModels",
)  # fmt: skip


@dataclass(frozen=True)
class CatalogOperator:
    """One operator in the catalog.

    ``service`` None: the bundled sample operator answers the service's API calls.
    ``portal_url`` None: the simulator's own portal (``--portal``, ``--portal-dir`` or the bundled
    one). ``countries`` empty: listed in every country. ``oem`` set: an OEM-branded operator,
    shown on that maker's PCs only.
    """

    brand_name: str
    service: ServiceConfiguration | None = None
    portal_url: str | None = None
    countries: tuple[str, ...] = ()
    hidden_from_eids: frozenset[str] = field(default_factory=frozenset)
    hidden_from_devices: tuple[DeviceMatch, ...] = ()
    oem: OemBrand | None = None

    def why_hidden(self, location: str, eid: str | None, hardware: Hardware) -> str | None:
        """Why the Select Provider page leaves this operator out on that PC; None: listed."""
        country = location.upper()
        if self.countries and country not in self.countries:
            return f"sells plans in {', '.join(self.countries)}, not in {country}"
        if eid is not None and eid in self.hidden_from_eids:
            return f"hidden from this eSIM (hiddenFromEids lists EID {eid})"
        device = next((d for d in self.hidden_from_devices if d.matches(hardware)), None)
        if device is not None:
            return f"hidden from {device} (hiddenFromDevices); this PC is a {hardware}"
        if self.oem is not None and not self.oem.offered_on(hardware):
            return f"OEM-branded: shown on {self.oem} only; this PC is a {hardware}"
        return None


@dataclass(frozen=True)
class HiddenOperator:
    """An operator the Select Provider page leaves out, and why."""

    brand_name: str
    reason: str

    def as_event(self) -> dict[str, str]:
        return {"brand": self.brand_name, "reason": self.reason}


@dataclass(frozen=True)
class Catalog:
    """The configured operators in file order; the first is the one the simulator starts with."""

    operators: tuple[CatalogOperator, ...]
    # the document's "device": the PC the catalog is tried on, unless the run states another
    device: Hardware | None = None

    def __post_init__(self) -> None:
        if not self.operators:
            raise ConfigurationError("catalog.empty", "the catalog has no operator")

    @property
    def home(self) -> CatalogOperator:
        return self.operators[0]

    @property
    def offers_a_choice(self) -> bool:
        return len(self.operators) > 1

    def listed(
        self, location: str, eid: str | None, hardware: Hardware
    ) -> tuple[CatalogOperator, ...]:
        """What the Select Provider page shows, alphabetically by brand name."""
        shown = [o for o in self.operators if o.why_hidden(location, eid, hardware) is None]
        return tuple(sorted(shown, key=lambda o: (o.brand_name.casefold(), o.brand_name)))

    def hidden(
        self, location: str, eid: str | None, hardware: Hardware
    ) -> tuple[HiddenOperator, ...]:
        """The operators the page leaves out on that PC, in file order, each with its reason."""
        found = ((o.brand_name, o.why_hidden(location, eid, hardware)) for o in self.operators)
        return tuple(HiddenOperator(brand, reason) for brand, reason in found if reason)

    def find(self, brand_name: str) -> CatalogOperator | None:
        wanted = brand_name.strip().casefold()
        return next((o for o in self.operators if o.brand_name.casefold() == wanted), None)


@dataclass(frozen=True)
class CatalogDecision:
    """Whether the app shows the Select Provider page, with which operators, and why."""

    show: bool
    operators: tuple[CatalogOperator, ...]
    reason: str
    hidden: tuple[HiddenOperator, ...] = ()


def decide_catalog(
    catalog: Catalog | None,
    *,
    esim: bool,
    location: str,
    eid: str | None,
    hardware: Hardware,
) -> CatalogDecision:
    if catalog is None or not catalog.offers_a_choice:
        return CatalogDecision(False, (), "one operator configured: the app opens it directly")
    if not esim:
        return CatalogDecision(
            False,
            (),
            "no Select Provider page on a PC with a physical SIM: its operator cannot change",
        )
    listed = catalog.listed(location, eid, hardware)
    hidden = catalog.hidden(location, eid, hardware)
    if not listed:
        reason = f"no configured operator sells plans in {location.upper()}"
    else:
        reason = f"{len(listed)} of {len(catalog.operators)} operators listed in {location.upper()}"
    return CatalogDecision(True, listed, reason, hidden)


# -- the --operator-config file ----------------------------------------------------------------
@dataclass(frozen=True)
class OperatorDocument:
    """An ``--operator-config`` document (parsed JSON) and the folder its relative file names
    (``clientCertificate``, ``trustedCa``) are read from: what a recording keeps."""

    document: Any
    folder: Path

    @classmethod
    def read(cls, path: Path) -> OperatorDocument:
        return cls(read_configuration_json(path), path.parent.resolve())

    def parse(self) -> Catalog:
        return parse_operator_document(self.document, self.folder)


def load_operator_file(path: Path) -> Catalog:
    """``--operator-config FILE``: one operator's service configuration, or
    ``{"operators": [...]}`` for several (the catalog)."""
    return OperatorDocument.read(path).parse()


def parse_operator_document(document: Any, folder: Path) -> Catalog:
    """A parsed configuration document (a file's JSON, or a test's dict)."""
    if not isinstance(document, Mapping) or "operators" not in document:
        service = parse_service_configuration(document, folder)
        return Catalog((CatalogOperator(service.brand_name, service),))
    extra = sorted(str(k) for k in document if k not in ("operators", "device"))
    if extra:
        raise ConfigurationError(
            "catalog.unknown-field",
            "a file with an operators list has no other top-level field than device; found "
            f"{extra[:10]}",
        )
    entries = document["operators"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_OPERATORS:
        raise ConfigurationError(
            "catalog.operators", f"operators is a list of 1 to {MAX_OPERATORS} operators"
        )
    operators = tuple(_operator(entry, n, folder) for n, entry in enumerate(entries))
    seen: dict[str, int] = {}
    for index, operator in enumerate(operators):
        earlier = seen.setdefault(operator.brand_name.casefold(), index)
        if earlier != index:
            raise ConfigurationError(
                "catalog.duplicate-brand",
                f"operators[{earlier}] and operators[{index}] are both {operator.brand_name!r}; "
                "the catalog tells operators apart by their brand names",
            )
    own_portal = [o.brand_name for o in operators if o.portal_url is None]
    if len(own_portal) > 1:
        raise ConfigurationError(
            "catalog.portal.missing",
            f"{', '.join(own_portal)} have no portalUri; only one operator may use the "
            "simulator's own portal (--portal, --portal-dir or the bundled one)",
        )
    device = parse_catalog_device(document["device"]) if "device" in document else None
    return Catalog(operators, device)


def _operator(entry: Any, index: int, folder: Path) -> CatalogOperator:
    where = f"operators[{index}]"
    if not isinstance(entry, Mapping):
        raise ConfigurationError("catalog.operators", f"{where} is not an object")
    brand = entry.get("brandName")
    if (
        not isinstance(brand, str)
        or not brand.strip()
        or len(brand) > 64
        or not brand.isprintable()
    ):
        raise ConfigurationError(
            "catalog.brandName",
            f"{where}.brandName is the operator's name: 1 to 64 printable characters",
        )
    service_fields = {k: v for k, v in entry.items() if k not in _CATALOG_FIELDS}
    service: ServiceConfiguration | None = None
    if "moBaseUrl" in entry:
        try:
            service = parse_service_configuration(service_fields, folder)
        except ConfigurationError as error:
            raise ConfigurationError(error.rule, f"{where}: {error.message}") from None
        if "iccidRanges" not in entry:
            # An operator claims no profile it was not given: the default ranges are the
            # bundled sample's, which belong to the first operator only.
            service = replace(service, iccid_ranges=()) if index else service
    elif index:
        raise ConfigurationError(
            "catalog.moBaseUrl.missing",
            f"{where} ({brand}) has no moBaseUrl; only the first operator may leave it out "
            "(the bundled sample operator then answers its API calls)",
        )
    elif set(service_fields) - {"brandName"}:
        raise ConfigurationError(
            "catalog.moBaseUrl.missing",
            f"{where} has service fields {sorted(set(service_fields) - {'brandName'})} but no "
            "moBaseUrl",
        )
    return CatalogOperator(
        brand_name=brand.strip(),
        service=service,
        portal_url=_portal(entry.get("portalUri"), where),
        countries=_countries(entry.get("countries", []), where),
        hidden_from_eids=_eids(entry.get("hiddenFromEids", []), where),
        hidden_from_devices=parse_hidden_from_devices(entry.get("hiddenFromDevices", []), where),
        oem=parse_oem(entry, where),
    )


def _portal(value: Any, where: str) -> str | None:
    if value is None:
        return None
    return parse_https_url(value, f"{where}.portalUri", "catalog.portalUri")


def _countries(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > 300:
        raise ConfigurationError("catalog.countries", f"{where}.countries is a list of ISO codes")
    countries = []
    for item in value:
        if not (isinstance(item, str) and len(item) == 2 and item.isascii() and item.isalpha()):
            raise ConfigurationError(
                "catalog.countries",
                f"{where}.countries: {item!r} is not a two-letter ISO 3166 country code",
            )
        countries.append(item.upper())
    return tuple(countries)


def _eids(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or len(value) > 10_000:
        raise ConfigurationError("catalog.hiddenFromEids", f"{where}.hiddenFromEids is a list")
    if not all(isinstance(e, str) and len(e) == 32 and e.isdigit() for e in value):
        raise ConfigurationError(
            "catalog.hiddenFromEids", f"{where}.hiddenFromEids holds 32-digit EIDs"
        )
    return frozenset(value)
