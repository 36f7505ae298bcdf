"""Legacy and removed APIs are marked as such, in the surface and on its docs page.

Public pages: "Mobile Plans legacy callback notifications" opens with "Please use this as
reference only and do not implement this code going forward" and documents
MobilePlansInlineProfile(Download).notifyInlineProfileDownload, MobilePlans.notifyBalanceAddition
(the two-argument one that hands control back) and DataMart.notifyPurchaseResult. The other
DataMart names became MobilePlans in 2018-12; "Mobile Plans asynchronous fulfillment"
(notifyPurchaseDelayedProfile) was deleted in 2019-04; the Data Marketplace pages
(window.external.notify) in 2018-01.
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator.contract.surface import OBJECTS, ApiStatus, surface_json

PAGE = Path(__file__).resolve().parents[3] / "docs" / "javascript-surface.md"

LEGACY = {
    ("MobilePlans", "notifyBalanceAddition"),
    ("DataMart", "notifyPurchaseResult"),
    ("MobilePlansInlineProfile", "notifyInlineProfileDownload"),
    ("MobilePlansInlineProfileDownload", "notifyInlineProfileDownload"),
}
CURRENT = {
    ("MobilePlans", "createPurchaseMetaData"),
    ("MobilePlans", "notifyPurchaseWithProfileDownload"),
    ("MobilePlans", "notifyCancelledPurchase"),
    ("MobilePlansInlineOperations", "notifyProfileDownload"),
    ("MobilePlansInlineOperations", "notifyOperationCancel"),
    ("MobilePlansInlineOperations", "notifyBalanceAddition"),
}


def _statuses() -> dict[tuple[str, str], ApiStatus]:
    return {(o.name, m.name): m.status for o in OBJECTS.values() for m in o.methods}


def _page_statuses() -> dict[tuple[str, str], str]:
    """(object, method) -> the page's status cell, from the methods table."""
    rows: dict[tuple[str, str], str] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            name = cells[0].strip("`").replace("window.external", "external")
            rows[(name, cells[1].strip("`"))] = cells[4]
    return rows


def test_the_surface_marks_the_legacy_page_as_legacy_and_the_rest_as_removed() -> None:
    statuses = _statuses()
    assert {key for key, s in statuses.items() if s is ApiStatus.LEGACY} == LEGACY
    assert {key for key, s in statuses.items() if s is ApiStatus.CURRENT} == CURRENT
    removed = {key for key, s in statuses.items() if s is ApiStatus.REMOVED}
    assert removed == set(statuses) - LEGACY - CURRENT
    assert ("MobilePlans", "notifyPurchaseDelayedProfile") in removed
    assert ("external", "notify") in removed
    assert ("DataMartInlineProfile", "notifyInlineProfileDownload") in removed


def test_every_non_current_method_says_what_to_use_or_when_it_went() -> None:
    for obj in OBJECTS.values():
        for method in obj.methods:
            assert bool(method.note) == (method.status is not ApiStatus.CURRENT), method


def test_the_docs_page_matches_the_surface_flags() -> None:
    page = _page_statuses()
    assert set(page) == set(_statuses())
    for key, status in _statuses().items():
        cell = page[key]
        if status is ApiStatus.CURRENT:
            assert cell == "current", key
        elif status is ApiStatus.LEGACY:
            assert cell.startswith("**legacy**: reference only; do not implement going forward")
        else:
            assert cell.startswith("**removed**"), key


def test_legacy_and_removed_methods_are_still_injected() -> None:
    injected = json.loads(surface_json())["objects"]
    for name, method in LEGACY | {("external", "notify"), ("DataMart", "createPurchaseMetaData")}:
        assert method in injected[name]["methods"]
