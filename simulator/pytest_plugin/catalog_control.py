"""The fixture's handle on the catalog (Select Provider page) and the operators behind it.

``@pytest.mark.mobile_plans(operator_config="operators.json")`` (or the same document as a
dict) configures one operator or several, exactly as ``--operator-config`` does;
``mobile_plans.start()`` opens the app as a person does (the catalog first when it offers a
choice) and ``mobile_plans.select_provider("Fabrikam Mobile")`` picks a tile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from simulator.events import Event
from simulator.operator_api.catalog import Catalog, OperatorDocument
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.pytest_plugin.failures import MobilePlansError
from simulator.ui.catalog_step import use_operator_catalog

if TYPE_CHECKING:
    from simulator.app import Simulator, SimulatorConfig
    from simulator.replay import SessionRecorder

__all__ = ["CatalogControl", "OperatorConfig", "apply_operator_config", "operator_document"]

# A file name, the parsed document itself, or a document with its folder (a replay's)
OperatorConfig = Path | str | Mapping[str, Any] | OperatorDocument


def operator_document(value: OperatorConfig) -> OperatorDocument:
    """The document and its folder (a dict's relative file names: from the current folder)."""
    if isinstance(value, OperatorDocument):
        return value
    if isinstance(value, Mapping):
        return OperatorDocument(value, Path.cwd())
    return OperatorDocument.read(Path(value))


def load_operator_config(value: OperatorConfig) -> Catalog:
    return operator_document(value).parse()


def apply_operator_config(
    config: SimulatorConfig,
    value: OperatorConfig,
    iccid_ranges: tuple[IccidRange, ...] | None = None,
) -> None:
    """As ``--operator-config``: one operator's service configuration, or the catalog.
    ``iccid_ranges`` (the marker's) win over the file's, as ``--iccid-range`` does."""
    catalog = load_operator_config(value)
    service = catalog.home.service
    if service is not None:
        if iccid_ranges is not None:
            service = replace(service, iccid_ranges=iccid_ranges)
        config.operator_configuration = service
        config.iccid_ranges = service.iccid_ranges
    use_operator_catalog(config, catalog)
    if iccid_ranges is not None:
        config.iccid_ranges = iccid_ranges


class _Owner(Protocol):
    @property
    def simulator(self) -> Simulator: ...

    def wait_for(
        self, kind: str, timeout: float | None = None, *, after: int = 0, **fields: Any
    ) -> Event: ...

    @property
    def recorder(self) -> SessionRecorder: ...


class CatalogControl:
    def __init__(self, owner: _Owner) -> None:
        self._owner = owner

    def start(self, timeout: float | None = None) -> Event:
        """Open the app: returns the catalog's ``ui.screen`` event, or (no catalog) the
        ``portal.launch`` event of the portal opened directly."""
        simulator = self._owner.simulator
        before = len(simulator.events)
        self._owner.recorder.note("start")  # noted before it is taken, as every step
        simulator.operator_experience.start()
        if simulator.operator_experience.catalog.decision().show:
            return self._owner.wait_for("ui.screen", timeout, after=before, screen="catalog")
        return self._owner.wait_for("portal.launch", timeout, after=before)

    def listed(self) -> list[str]:
        """The operators the Select Provider page shows, in its order."""
        decision = self._owner.simulator.operator_experience.catalog.decision()
        return [o.brand_name for o in decision.operators]

    def hidden(self) -> dict[str, str]:
        """The configured operators the page leaves out on this PC, each with why (another
        country, ``hiddenFromEids``, ``hiddenFromDevices``, an OEM's brand)."""
        decision = self._owner.simulator.operator_experience.catalog.decision()
        return {h.brand_name: h.reason for h in decision.hidden}

    def select(self, name: str, timeout: float | None = None) -> Event:
        """Click ``name``'s tile; returns the ``gateway.shown`` event of its Gateway page."""
        __tracebackhide__ = True
        simulator = self._owner.simulator
        step = simulator.operator_experience.catalog
        if not step.decision().show:
            raise MobilePlansError(
                f"there is no Select Provider page to pick {name!r} on: "
                f"{step.decision().reason} (configure several operators with"
                " @pytest.mark.mobile_plans(operator_config=...))"
            )
        tile = step.page.tiles.get(name) or next(
            (t for n, t in step.page.tiles.items() if n.casefold() == name.strip().casefold()),
            None,
        )
        if tile is None:
            why = next(
                (f" ({r})" for b, r in self.hidden().items() if b.casefold() == name.casefold()),
                "",
            )
            raise MobilePlansError(
                f"{name!r} is not on the Select Provider page{why}; it lists {self.listed()}"
                " (call start() first to show it)"
                if step.page.tiles
                else f"the Select Provider page is not shown yet; call start() before "
                f"select_provider({name!r})"
            )
        before = len(simulator.events)
        tile.click()
        return self._owner.wait_for("gateway.shown", timeout, after=before)
