"""The plugin's fixtures, registered by `pytest_configure` after every other plugin (see
`simulator.pytest_plugin`): `mobile_plans_runtime`, `qapp_args`, `mobile_plans` and
`mobile_plans_replay`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from simulator.pytest_plugin.device_options import marker_value_problem
from simulator.pytest_plugin.driver import DeviceOptions, MobilePlans
from simulator.pytest_plugin.reports import write_test_report
from simulator.pytest_plugin.stash import DRIVER
from simulator.replay import Recording, ReplayResult, replay

if TYPE_CHECKING:
    from simulator.pytest_plugin.catalog_control import OperatorConfig
    from simulator.runtime import Runtime


@pytest.fixture(scope="session")
def mobile_plans_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """Sockets, TLS and the server loop: once per process (per xdist worker), before Qt."""
    from simulator.runtime import Runtime

    runtime = Runtime.start(tmp_path_factory.mktemp("mobile-plans-runtime"))
    yield runtime
    runtime.stop()


@pytest.fixture(scope="session")
def qapp_args(mobile_plans_runtime: Runtime) -> list[str]:
    """pytest-qt builds the QApplication from these: Chromium resolves the simulator's host
    names to this process's sockets. Override it only by extending it."""
    return mobile_plans_runtime.qapp_argv(program="pytest")


@pytest.fixture
def mobile_plans(
    request: pytest.FixtureRequest,
    qapp: Any,
    mobile_plans_runtime: Runtime,
    tmp_path: Path,
) -> Iterator[MobilePlans]:
    """An isolated simulated PC with the Mobile Plans app, for this test only."""
    marker = request.node.get_closest_marker("mobile_plans")
    options = dict(marker.kwargs) if marker is not None else {}
    portal_url = options.pop("portal_url", None)
    portal_dir = options.pop("portal_dir", None)
    iccid_ranges = options.pop("iccid_ranges", None)
    operator_config = options.pop("operator_config", None)
    walled_garden = options.pop("walled_garden", "report")
    if walled_garden not in ("enforce", "report", "off"):
        raise pytest.UsageError(
            "@pytest.mark.mobile_plans: walled_garden is 'enforce', 'report' or 'off', not "
            f"{walled_garden!r}"
        )
    problem = marker_value_problem(options, iccid_ranges)
    if problem is not None:
        raise pytest.UsageError(f"@pytest.mark.mobile_plans: {problem}")
    try:
        device = DeviceOptions(**options)
    except TypeError as error:
        raise pytest.UsageError(f"@pytest.mark.mobile_plans: {error}") from None
    driver = MobilePlans(
        mobile_plans_runtime,
        tmp_path / "mobile-plans",
        device=device,
        portal_url=portal_url,
        portal_dir=portal_dir,
        iccid_ranges=iccid_ranges,
        operator_config=operator_config,
        walled_garden=walled_garden,
        default_timeout=float(request.config.getini("mobile_plans_timeout")),
    )
    request.node.stash[DRIVER] = driver
    try:
        yield driver
        report_dir = request.config.getoption("--mobile-plans-report")
        if report_dir and driver.built:
            write_test_report(request.node, driver, Path(report_dir))
    finally:
        driver.close()


@pytest.fixture
def mobile_plans_replay(
    qapp: Any, mobile_plans_runtime: Runtime, tmp_path: Path
) -> Iterator[Callable[..., ReplayResult]]:
    """`mobile_plans_replay("bug.json")` replays a recording against its portal (or
    `portal_dir=`/`portal_url=` instead: the portal's new version) and returns the
    `ReplayResult`; every result is closed when the test ends."""
    results: list[ReplayResult] = []

    def run_replay(
        recording: Recording | Path | str,
        *,
        portal_url: str | None = None,
        portal_dir: Path | str | None = None,
        timeout: float = 30.0,
        operator_config: OperatorConfig | None = None,
    ) -> ReplayResult:
        result = replay(
            recording,
            mobile_plans_runtime,
            tmp_path / f"mobile-plans-replay-{len(results) + 1}",
            portal_url=portal_url,
            portal_dir=portal_dir,
            timeout=timeout,
            operator_config=operator_config,
        )
        results.append(result)
        return result

    try:
        yield run_replay
    finally:
        for result in results:
            result.close()
