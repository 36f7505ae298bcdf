"""The listeners that subscribe to some kinds of event only act on no other kind.

Each listener is called with a stand-in for its `self` (a `Tripwire`) that notes every call
made through it, every attribute it writes and every truth test of what it reads. An event of
a kind outside the listener's declared kinds must leave nothing noted: delivering it or not
then makes no difference, which is what subscribing by kind assumes. Where a listener hands
the event on (a panel's own `observe`), the real one is run with a stand-in of its own. Each
declared kind is also shown to be acted on, so a stand-in that noted nothing would fail.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import back_office
from simulator.back_office import BackOffice, DeferredBackOffice
from simulator.demo_driver import DEMO_KINDS, DemoDriver
from simulator.demo_stages import StageLog
from simulator.events import KNOWN_KINDS, Event
from simulator.flows.screens import Screen
from simulator.operator_api.experience import MobilePlansService
from simulator.platform_world import PlatformWorld
from simulator.portal.garden_interceptor import GARDEN_WATCH_KINDS
from simulator.portal.walled_garden import GardenWatch
from simulator.report.screens import SCREEN_KINDS, ScreenCollector
from simulator.ui import catalog_step
from simulator.ui.catalog_step import CatalogStep
from simulator.ui.operator_experience import EXPERIENCE_KINDS, OperatorExperienceUi
from simulator.ui.panels.flyout import FlyoutPanel
from simulator.ui.panels.walled_garden import WalledGardenGroup

Noted = list[str]


class Tripwire:
    """Stands for what a listener reaches through `self` (``path``): notes calls, writes, reads
    by index, iterations and truth tests in ``noted``; ``known`` answers chosen paths with real
    values; ``delegates`` runs the real function a path names, with a Tripwire for its owner as
    `self`."""

    def __init__(
        self,
        path: str,
        noted: Noted,
        known: Mapping[str, object],
        delegates: Mapping[str, Callable[..., Any]],
    ) -> None:
        object.__setattr__(self, "_tripwire", (path, noted, known, delegates))

    def _child(self, path: str) -> Tripwire:
        _, noted, known, delegates = object.__getattribute__(self, "_tripwire")
        return Tripwire(path, noted, known, delegates)

    def __getattr__(self, name: str) -> Any:
        path, _, known, _ = object.__getattribute__(self, "_tripwire")
        wanted = f"{path}.{name}"
        return known[wanted] if wanted in known else self._child(wanted)

    def __setattr__(self, name: str, value: object) -> None:
        path, noted, _, _ = object.__getattribute__(self, "_tripwire")
        noted.append(f"{path}.{name} written")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        path, noted, _, delegates = object.__getattribute__(self, "_tripwire")
        if path in delegates:
            return delegates[path](self._child(path.rsplit(".", 1)[0]), *args, **kwargs)
        noted.append(f"{path}() called")
        return self._child(f"{path}()")

    def __getitem__(self, key: object) -> Tripwire:
        path, noted, _, _ = object.__getattribute__(self, "_tripwire")
        noted.append(f"{path}[{key!r}] read")
        return self._child(f"{path}[{key!r}]")

    def __setitem__(self, key: object, value: object) -> None:
        path, noted, _, _ = object.__getattribute__(self, "_tripwire")
        noted.append(f"{path}[{key!r}] written")

    def __iter__(self) -> Iterator[Tripwire]:  # else Python would index it 0, 1, 2, ... forever
        path, noted, _, _ = object.__getattribute__(self, "_tripwire")
        noted.append(f"{path} iterated")
        return iter(())

    def __bool__(self) -> bool:
        path, noted, _, _ = object.__getattribute__(self, "_tripwire")
        noted.append(f"{path} tested")
        return True


@dataclass(frozen=True)
class Case:
    """One listener: how to make it around a Tripwire `self`, and the kinds it subscribes to."""

    make: Callable[[Tripwire, Noted], Callable[[Event], None]]
    kinds: frozenset[str]
    known: Mapping[str, object] = field(default_factory=dict)
    delegates: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def listener(self) -> tuple[Callable[[Event], None], Noted]:
        noted: Noted = []
        me = Tripwire("self", noted, self.known, self.delegates)
        return self.make(me, noted), noted


def _method(function: Callable[..., None]) -> Callable[[Tripwire, Noted], Callable[[Event], None]]:
    return lambda me, _noted: functools.partial(function, me)


def _catalog_watch(me: Tripwire, noted: Noted) -> Callable[[Event], None]:
    """The closure `_continue_after_gateway` subscribes, taken from its subscription."""
    subscribed: list[Callable[[Event], None]] = []

    def subscribe(listener: Callable[[Event], None], kinds: frozenset[str]) -> None:
        subscribed.append(listener)
        assert kinds == catalog_step._GATEWAY_OUTCOMES

    events = Tripwire("events", noted, {"events.subscribe": subscribe}, {})
    simulator = Tripwire("self.simulator", noted, {"self.simulator.events": events}, {})
    owner = Tripwire("self", noted, {"self.simulator": simulator}, {})
    CatalogStep._continue_after_gateway(owner)  # type: ignore[arg-type]
    noted.clear()
    return subscribed[0]


CASES = {
    "operator experience": Case(
        _method(OperatorExperienceUi.observe),
        EXPERIENCE_KINDS,
        delegates={
            "self.panel.observe": FlyoutPanel.observe,
            "self.garden.observe": WalledGardenGroup.observe,
        },
    ),
    "its service": Case(_method(MobilePlansService.observe), MobilePlansService.OBSERVED_KINDS),
    "back office, not built": Case(
        _method(DeferredBackOffice._observe),
        back_office._BUILDING_EVENTS,
        known={"self.built": None},
    ),
    "back office, built": Case(
        _method(DeferredBackOffice._observe),
        back_office._BUILT_EVENTS,
        known={"self.built.platform._closed": False},
        delegates={
            "self.built.observe": BackOffice.observe,
            "self.built.platform.observe": PlatformWorld.observe,
        },
    ),
    "walled garden's watch": Case(_method(GardenWatch.observe), GARDEN_WATCH_KINDS),
    "catalog step's wait": Case(_catalog_watch, catalog_step._GATEWAY_OUTCOMES),
    "report's screens": Case(
        _method(ScreenCollector._observe), SCREEN_KINDS, known={"self._tries": 0}
    ),
    "demo driver": Case(
        _method(DemoDriver._observe),
        DEMO_KINDS,
        known={"self.stages.verdict": None},
        delegates={"self.stages.observe": StageLog.observe},
    ),
}


def _emitted_kinds() -> set[str]:
    """Every kind the simulator's code names in an `emit` (or as a string that looks like one)."""
    root = Path(__file__).resolve().parents[2] / "simulator"
    kinds: set[str] = set()
    for source in root.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        kinds.update(re.findall(r"\"([a-z_]+\.[a-z_]+(?:-[a-z_]+)*)\"", text))
    return kinds


ALL_KINDS = sorted(
    KNOWN_KINDS | _emitted_kinds() | {kind for case in CASES.values() for kind in case.kinds}
)

# Fields that make each declared kind do something (a launch with an EID, an enabled profile,
# the provider's screen, a toast with actions, ...).
RICH_FIELDS: dict[str, Any] = {
    "state": "enabled",
    "screen": str(Screen.PROVIDER),
    "params": {"eid": "89049032123451234512345678901235"},
    "iccid": "8901260000000000001",
    "operation": "op-1",
    "flow": "inline",
    "actions": ["Download"],
    "toast": "t1",
    "text": "Installing",
    "host": "example.com",
    "mode": "report",
    "hosts": ["example.com"],
    "severity": "error",
    "rule": "r",
    "delivered": True,
    "argument": json.dumps({"activationResult": "Success"}),
    "entries": [],
    "balance": "",
    "activation_error": "x",
}

_FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from([str(screen) for screen in Screen]),
    st.sampled_from(["enabled", "failed", "started", "declined", "registered"]),
    st.lists(st.text(max_size=4), max_size=2),
    st.just({"eid": "89049032123451234512345678901235"}),
)
_FIELDS = st.dictionaries(st.sampled_from(sorted(RICH_FIELDS)), _FIELD_VALUES, max_size=6)


@pytest.mark.parametrize("name", sorted(CASES))
@given(other_kind=st.text(max_size=12), fields=_FIELDS)
def test_a_listener_does_nothing_with_a_kind_it_does_not_subscribe_to(
    name: str, other_kind: str, fields: dict[str, Any]
) -> None:
    case = CASES[name]
    acted_on = {}
    for kind in [*ALL_KINDS, other_kind]:  # every kind each time: none left to chance
        if kind in case.kinds:
            continue
        listener, noted = case.listener()
        listener(Event(1, 0.0, "2026-01-01T00:00:00.000+00:00", kind, fields))
        if noted:
            acted_on[kind] = noted
    assert acted_on == {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_kind_a_listener_subscribes_to_is_one_it_acts_on(name: str) -> None:
    case = CASES[name]
    idle = []
    for kind in sorted(case.kinds):
        listener, noted = case.listener()
        listener(Event(1, 0.0, "2026-01-01T00:00:00.000+00:00", kind, dict(RICH_FIELDS)))
        if not noted:
            idle.append(kind)
    assert idle == []


def test_every_kind_the_code_names_is_fed_to_the_listeners() -> None:
    # the scan finds the kinds only the listeners' modules name, so they are among those fed
    assert {"gateway.shown", "flyout.shown", "network.outside-garden", "ui.toast-answered"} <= set(
        ALL_KINDS
    )
