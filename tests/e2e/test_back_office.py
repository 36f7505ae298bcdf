"""The portal's load does not wait for the back office (the operator platform, the operator APIs
and the side panels) nor for the eSIM world: the back office is built once the portal has loaded,
or as soon as something uses it; the eSIM world from the launch on, on a worker thread."""

from __future__ import annotations

from collections.abc import Callable

from e2e_helpers import Harness
from PySide6.QtWidgets import QScrollArea

from esim.identifiers import Iccid

ICCID = str(Iccid.with_check_digit("8999001000000000042"))


def test_first_use_builds_the_back_office_into_docks_laid_out_from_the_start(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_dir=None, time_scale=0)
    sim = harness.simulator
    assert sim.back_office.built is None
    scroller = sim.window.docks["esim"].widget()
    assert isinstance(scroller, QScrollArea)
    assert scroller.widget() is None  # the dock is there, its panel comes later
    assert "mo service" not in sim.window.docks

    panel = sim.euicc_panel

    assert sim.back_office.built is not None
    assert scroller.widget() is panel
    platform_scroller = sim.window.docks["platform"].widget()
    assert isinstance(platform_scroller, QScrollArea)
    assert platform_scroller.widget() is sim.platform_panel
    assert "mo service" in sim.window.docks
    assert sim.operator_experience is sim.back_office.built.operator_experience


def test_the_portal_loads_first_and_the_back_office_follows(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_dir=None, time_scale=0)
    sim = harness.simulator
    sim.launch()
    loaded = harness.wait_for("portal.loaded", timeout=30000)
    assert loaded.fields["bridge"] is True
    harness.qtbot.waitUntil(lambda: sim.back_office.built is not None, timeout=10000)
    # The bundled portal's plans came from its backend, which needed the eSIM world.
    harness.qtbot.waitUntil(
        lambda: harness.js("document.querySelectorAll('#plans .card').length") > 0,
        timeout=20000,
    )
    assert sim.esim.smdp_port > 0


def test_a_profile_enabled_before_the_back_office_still_gets_its_carrier_line(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_dir=None, time_scale=0)
    sim = harness.simulator
    assert sim.back_office.built is None
    assert sim._carrier_line(ICCID) is None  # the sample backend's view: no platform yet

    sim.events.emit(
        "flow.state", flow="inline-download", operation="op-1", state="enabled", iccid=ICCID
    )

    assert sim.back_office.built is not None
    assert sim.platform.carrier.line(ICCID) is not None
    assert sim._carrier_line(ICCID) is not None  # what the sample portal's backend now sees
