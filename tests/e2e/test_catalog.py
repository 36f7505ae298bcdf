"""End to end: several operators configured make the app start on the Select Provider page; the
operator picked there becomes the simulator's operator, its Gateway page follows and its button
opens that operator's portal (with the bridge for that portal's host).

Public pages "Mobile Plans" (customer journey: Browse & Welcome) and "Mobile Plans operator
catalog" (alphabetical, by the PC's country, eSIM PCs only). Driven through the pytest plugin's
own helpers (`operator_config`, `start`, `select_provider`), as a portal team would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from simulator.portal.hosting import Site
from simulator.pytest_plugin import MobilePlans, MobilePlansError
from simulator.runtime import Runtime

PAGES = Path(__file__).parent / "pages"
FABRIKAM_HOST = "fabrikam.mobileplans.test"

OPERATORS: dict[str, Any] = {
    "operators": [
        {"brandName": "Contoso Mobile"},  # the bundled portal and sample operator
        {
            "brandName": "Fabrikam Mobile",
            "portalUri": f"https://{FABRIKAM_HOST}/index.html",
            # never called here: the PC holds no profile in Fabrikam's (empty) ICCID ranges
            "moBaseUrl": "https://api.fabrikam.mobileplans.test/v1/",
        },
        {
            "brandName": "Datum Telekom",
            "portalUri": "https://datum.mobileplans.test/",
            "moBaseUrl": "https://api.datum.mobileplans.test/",
            "countries": ["DE"],
        },
    ]
}


@pytest.fixture
def fabrikam_portal(runtime: Runtime) -> Iterator[str]:
    runtime.front.attach(FABRIKAM_HOST, Site(root=PAGES))
    yield FABRIKAM_HOST
    runtime.front.detach(FABRIKAM_HOST)


@pytest.mark.mobile_plans(operator_config=OPERATORS)
def test_pick_an_operator_then_its_gateway_then_its_portal(
    mobile_plans: MobilePlans, fabrikam_portal: str
) -> None:
    screen = mobile_plans.start()
    assert screen["screen"] == "catalog"
    assert screen["text"] == "Select a mobile operator to get online now"
    shown = mobile_plans.wait_for("catalog.shown")
    # alphabetical; Datum Telekom sells only in DE and the PC is in the US
    assert shown["operators"] == ["Contoso Mobile", "Fabrikam Mobile"]
    step = mobile_plans.simulator.operator_experience.catalog
    assert step.page.tile_labels() == ["Contoso Mobile", "Fabrikam Mobile"]
    assert mobile_plans.simulator.window.stack.currentWidget() is step.page

    with pytest.raises(MobilePlansError, match="lists \\['Contoso Mobile', 'Fabrikam Mobile'\\]"):
        mobile_plans.select_provider("Datum Telekom")

    gateway = mobile_plans.select_provider("fabrikam mobile")
    assert gateway["page"] == "standard"  # no enhanced template configured, no profile
    selected = mobile_plans.wait_for("catalog.selected")
    assert selected["operator"] == "Fabrikam Mobile"
    assert selected["portal"] == f"https://{fabrikam_portal}/index.html"
    ui = mobile_plans.simulator.operator_experience
    assert ui.page.brand.text() == "Fabrikam Mobile"
    assert ui.page.choose_operator.isVisibleTo(ui.page)
    assert "Fabrikam Mobile" in mobile_plans.simulator.window.windowTitle()
    assert not mobile_plans.operator_api.sample.requests  # no profile: nothing was asked
    window = mobile_plans.simulator.window
    assert window.stack.currentWidget() is ui.page
    mobile_plans.wait_for("ui.screen", screen="gateway", title="Fabrikam Mobile")

    # changing one's mind on the Gateway page: back to the catalog, the same operator again
    before = len(mobile_plans.events)
    ui.page.choose_operator.click()
    mobile_plans.wait_for("ui.screen", after=before, screen="catalog")
    assert window.stack.currentWidget() is step.page
    mobile_plans.select_provider("Fabrikam Mobile")
    assert window.stack.currentWidget() is ui.page

    before = len(mobile_plans.events)
    ui.page.button.click()  # the Gateway page's button opens the portal
    launch = mobile_plans.simulator.last_launch
    assert launch is not None
    mobile_plans.wait_for("ui.screen", after=before, screen="portal")
    assert window.stack.currentWidget() is window.portal_area
    assert launch.url.startswith(f"https://{fabrikam_portal}/index.html?")
    assert "iccids" not in launch.params
    loaded = mobile_plans.wait_for("portal.loaded", after=before)
    assert loaded["bridge"] is True  # the bridge follows the chosen operator's portal host
    # and so does the walled garden: the chosen operator's portal and GetBalance hosts
    garden = mobile_plans.wait_for("walled_garden.state", state="closed")
    assert fabrikam_portal in garden["hosts"]
    assert "api.fabrikam.mobileplans.test" in garden["hosts"]
    assert "contoso.mobileplans.test" not in garden["hosts"]

    # the portal cancels: back to the provider page, which is the catalog when there is a choice
    before = len(mobile_plans.events)
    mobile_plans.js(
        "MobilePlans.notifyCancelledPurchase({userAccount: 'New', purchaseInstrument: 'New',"
        " moDirectStatus: MobilePlansMoDirectStatus.cancelled, line: 'Bailed', planName: ''}), 1"
    )
    provider = mobile_plans.wait_for("ui.screen", after=before, screen="provider")
    mobile_plans.wait_for("ui.screen", after=provider.seq, screen="catalog")
    assert window.stack.currentWidget() is step.page
    mobile_plans.select_provider("Fabrikam Mobile")

    # the Gateway page's link goes back to the catalog; the first operator keeps its portal
    before = len(mobile_plans.events)
    ui.page.choose_operator.click()
    mobile_plans.wait_for("ui.screen", after=before, screen="catalog")
    assert window.stack.currentWidget() is step.page
    mobile_plans.select_provider("Contoso Mobile")
    assert mobile_plans.launch().url.startswith("https://contoso.mobileplans.test/")
    assert mobile_plans.simulator.window.windowTitle().endswith("Contoso Mobile")


@pytest.mark.mobile_plans(operator_config=OPERATORS, device="psim")
def test_a_physical_sim_pc_has_no_select_provider_page(mobile_plans: MobilePlans) -> None:
    launched = mobile_plans.start()
    assert launched.kind == "portal.launch"
    skipped = mobile_plans.wait_for("catalog.skipped")
    assert "physical SIM" in skipped["reason"]
    with pytest.raises(MobilePlansError, match="no Select Provider page"):
        mobile_plans.select_provider("Fabrikam Mobile")


def test_one_operator_keeps_the_direct_path(mobile_plans: MobilePlans) -> None:
    launched = mobile_plans.start()
    assert launched.kind == "portal.launch"
    assert not mobile_plans.events_of("catalog.shown")
    assert not mobile_plans.events_of("catalog.skipped")


@pytest.mark.mobile_plans(operator_config=OPERATORS)
def test_run_provider_picks_and_continues(mobile_plans: MobilePlans, fabrikam_portal: str) -> None:
    """What `run --provider NAME` does: the catalog, the pick, its Gateway page, Continue."""
    experience = mobile_plans.simulator.operator_experience
    experience.start("Fabrikam Mobile")
    launch = mobile_plans.wait_for("portal.launch")
    assert launch["url"].startswith(f"https://{fabrikam_portal}/")
    kinds = [e.kind for e in mobile_plans.events if e.kind.startswith(("catalog.", "gateway."))]
    assert kinds == ["catalog.shown", "catalog.picked", "catalog.selected", "gateway.shown"]
    mobile_plans.wait_for("ui.screen", screen="portal")


@pytest.mark.mobile_plans(operator_config=OPERATORS)
def test_run_provider_not_listed_stays_on_the_catalog(mobile_plans: MobilePlans) -> None:
    mobile_plans.simulator.operator_experience.start("Datum Telekom")  # sells in DE only
    rejected = mobile_plans.wait_for("catalog.rejected")
    assert "listed: Contoso Mobile, Fabrikam Mobile" in rejected["reason"]
    assert not mobile_plans.events_of("portal.launch")
    mobile_plans.select_provider("Contoso Mobile")  # a later pick does not continue by itself
    assert not mobile_plans.events_of("portal.launch")


DEVICE_FILTERED: dict[str, Any] = {
    "operators": [
        *OPERATORS["operators"][:2],
        {
            "brandName": "Litware Mobile",  # a network the Contoso Laptop 7's modem cannot use
            "portalUri": "https://litware.mobileplans.test/",
            "moBaseUrl": "https://api.litware.mobileplans.test/",
            "hiddenFromDevices": [{"make": "Contoso", "model": "Laptop 7"}],
        },
        {
            "brandName": "Contoso Connect",  # carries the PC maker Contoso's mark
            "portalUri": "https://connect.mobileplans.test/",
            "moBaseUrl": "https://api.connect.mobileplans.test/",
            "oem": "Contoso",
        },
        {
            "brandName": "Proseware Mobile",
            "portalUri": "https://proseware.mobileplans.test/",
            "moBaseUrl": "https://api.proseware.mobileplans.test/",
            "oem": "Proseware",
        },
    ]
}


@pytest.mark.mobile_plans(
    operator_config=DEVICE_FILTERED, device_make="Contoso", device_model="Laptop 7"
)
def test_make_and_model_filter_the_page_and_the_event_says_why(mobile_plans: MobilePlans) -> None:
    mobile_plans.start()
    shown = mobile_plans.wait_for("catalog.shown")
    assert shown["operators"] == ["Contoso Connect", "Contoso Mobile", "Fabrikam Mobile"]
    step = mobile_plans.simulator.operator_experience.catalog
    assert step.page.tile_labels() == shown["operators"]
    hidden = {h["brand"]: h["reason"] for h in shown["hidden"]}
    assert set(hidden) == {"Litware Mobile", "Proseware Mobile"}
    assert "hiddenFromDevices" in hidden["Litware Mobile"]
    assert hidden["Proseware Mobile"].startswith("OEM-branded: shown on Proseware PCs only")
    assert mobile_plans.catalog.hidden() == hidden
    started = mobile_plans.events_of("app.started")[0]
    assert (started["device"]["make"], started["device"]["model"]) == ("Contoso", "Laptop 7")
    panel = mobile_plans.simulator.window.device_panel  # the Device panel names the PC too
    make, model = (panel.findChild(QLabel, f"device-{k}") for k in ("make", "model"))
    assert (make.text(), model.text()) == ("Contoso", "Laptop 7")
    with pytest.raises(MobilePlansError, match=r"page \(hidden from Contoso Laptop 7"):
        mobile_plans.select_provider("Litware Mobile")
    # as `run --provider` picks: the rejection says why too
    mobile_plans.simulator.operator_experience.catalog.select("litware mobile")
    rejected = mobile_plans.wait_for("catalog.rejected")
    assert rejected["reason"].startswith("not on the Select Provider page (hidden from Contoso")


@pytest.mark.mobile_plans(operator_config=DEVICE_FILTERED)
def test_the_default_pc_sees_its_own_makers_operator(mobile_plans: MobilePlans) -> None:
    mobile_plans.start()
    shown = mobile_plans.wait_for("catalog.shown")
    # the simulated PC is a Proseware unless told otherwise
    assert shown["operators"] == [
        "Contoso Mobile",
        "Fabrikam Mobile",
        "Litware Mobile",
        "Proseware Mobile",
    ]
    assert [h["brand"] for h in shown["hidden"]] == ["Contoso Connect"]
