"""End-to-end fixtures: a real Simulator, the real QtWebEngine, pages served over HTTPS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Harness
from pytestqt.qtbot import QtBot

from simulator.app import Simulator, SimulatorConfig
from simulator.portal.hosting import INSECURE_HOST, Site
from simulator.runtime import Runtime

PAGES = Path(__file__).parent / "pages"
OTHER_HOST = "other.mobileplans.test"


@pytest.fixture
def make_harness(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> Iterator[Callable[..., Harness]]:
    built: list[Simulator] = []

    def make(portal_dir: Path = PAGES, **config: Any) -> Harness:
        config.setdefault("data_dir", tmp_path / f"simulator-{len(built)}")
        simulator = Simulator(SimulatorConfig(portal_dir=portal_dir, **config), runtime)
        built.append(simulator)
        # The same folder at another host and over plain http, for the origin tests.
        runtime.front.attach(OTHER_HOST, Site(root=portal_dir))
        runtime.front.attach(INSECURE_HOST, Site(root=portal_dir))
        return Harness(simulator, qtbot)

    yield make
    for simulator in built:
        simulator.close()
    runtime.front.detach(OTHER_HOST)
    runtime.front.detach(INSECURE_HOST)
    qtbot.wait(50)


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()
