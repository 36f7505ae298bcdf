"""The catalog (Select Provider page) as configured: public page "Mobile Plans operator catalog"
(alphabetical by brand name, by the PC's country, eSIM PCs only, device filtering by EID)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.device import Hardware
from simulator.operator_api.catalog import (
    Catalog,
    CatalogOperator,
    decide_catalog,
    load_operator_file,
    parse_operator_document,
)
from simulator.operator_api.config import ConfigurationError
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES

EID = "89049032123451234512345678901235"

THREE = {
    "operators": [
        {"brandName": "Fabrikam Mobile", "portalUri": "https://fabrikam.example/"},
        {
            "brandName": "Contoso Cellular",
            "moBaseUrl": "https://api.contoso.example/v1",
            "portalUri": "https://portal.contoso.example/",
            "countries": ["us", "CA"],
        },
        {
            "brandName": "Datum Telekom",
            "moBaseUrl": "https://api.datum.example/",
            "portalUri": "https://datum.example/",
            "countries": ["DE"],
            "hiddenFromEids": [EID],
            "iccidRanges": ["894900"],
        },
    ]
}


def test_the_catalog_is_alphabetical_and_by_country() -> None:
    catalog = parse_operator_document(THREE, Path("."))
    assert catalog.home.brand_name == "Fabrikam Mobile"  # the first in the file
    assert catalog.home.service is None  # the bundled sample operator answers its APIs
    assert [o.brand_name for o in catalog.listed("US", None, Hardware())] == [
        "Contoso Cellular",
        "Fabrikam Mobile",
    ]
    assert [o.brand_name for o in catalog.listed("de", None, Hardware())] == [
        "Datum Telekom",
        "Fabrikam Mobile",
    ]
    assert [o.brand_name for o in catalog.listed("DE", EID, Hardware())] == ["Fabrikam Mobile"]


def test_operators_claim_only_their_own_iccid_ranges() -> None:
    catalog = parse_operator_document(THREE, Path("."))
    contoso, datum = catalog.find("contoso cellular"), catalog.find("Datum Telekom")
    assert contoso is not None
    assert contoso.service is not None
    assert datum is not None
    assert datum.service is not None
    # not the sample's ranges: they belong to the operator the simulator starts with
    assert contoso.service.iccid_ranges == ()
    assert [str(r) for r in datum.service.iccid_ranges] == ["894900"]
    assert contoso.service.mo_base_url == "https://api.contoso.example/v1/"


def test_the_page_is_for_esim_pcs_with_a_choice() -> None:
    catalog = parse_operator_document(THREE, Path("."))
    shown = decide_catalog(catalog, esim=True, location="US", eid=None, hardware=Hardware())
    assert shown.show
    assert len(shown.operators) == 2
    psim = decide_catalog(catalog, esim=False, location="US", eid=None, hardware=Hardware())
    assert not psim.show
    assert "physical SIM" in psim.reason
    one = Catalog((CatalogOperator("Contoso Mobile"),))
    assert not decide_catalog(one, esim=True, location="US", eid=None, hardware=Hardware()).show
    assert not decide_catalog(None, esim=True, location="US", eid=None, hardware=Hardware()).show
    nowhere = decide_catalog(catalog, esim=True, location="JP", eid=None, hardware=Hardware())
    assert nowhere.show
    assert [o.brand_name for o in nowhere.operators] == ["Fabrikam Mobile"]


def test_a_single_operator_file_is_a_catalog_of_one(tmp_path: Path) -> None:
    path = tmp_path / "operator.json"
    path.write_text(json.dumps({"brandName": "Contoso", "moBaseUrl": "https://api.example/"}))
    catalog = load_operator_file(path)
    assert not catalog.offers_a_choice
    assert catalog.home.service is not None
    assert catalog.home.service.iccid_ranges == SAMPLE_ICCID_RANGES


@pytest.mark.parametrize(
    ("document", "rule"),
    [
        ({"operators": []}, "catalog.operators"),
        ({"operators": "Contoso"}, "catalog.operators"),
        ({"operators": [{"brandName": "A"}], "brandName": "x"}, "catalog.unknown-field"),
        ({"operators": [{"brandName": ""}]}, "catalog.brandName"),
        ({"operators": [{}]}, "catalog.brandName"),
        ({"operators": [{"brandName": "Contoso\nMobile"}]}, "catalog.brandName"),
        (
            {
                "operators": [
                    {"brandName": "A"},
                    {"brandName": "a", "moBaseUrl": "https://a/", "portalUri": "https://a/"},
                ]
            },
            "catalog.duplicate-brand",
        ),
        (
            {"operators": [{"brandName": "A"}, {"brandName": "B", "portalUri": "https://b/"}]},
            "catalog.moBaseUrl.missing",
        ),
        ({"operators": [{"brandName": "A", "basicAuth": "u:p"}]}, "catalog.moBaseUrl.missing"),
        (
            {
                "operators": [
                    {"brandName": "A"},
                    {"brandName": "B", "moBaseUrl": "https://b.example/"},
                ]
            },
            "catalog.portal.missing",
        ),
        ({"operators": [{"brandName": "A", "portalUri": "http://a/"}]}, "catalog.portalUri"),
        ({"operators": [{"brandName": "A", "countries": ["USA"]}]}, "catalog.countries"),
        ({"operators": [{"brandName": "A", "countries": "US"}]}, "catalog.countries"),
        ({"operators": [{"brandName": "A", "hiddenFromEids": ["1"]}]}, "catalog.hiddenFromEids"),
        (
            {"operators": [{"brandName": "A", "moBaseUrl": "http://a/"}]},
            "config.moBaseUrl",
        ),
        (
            {
                "operators": [
                    {
                        "brandName": "A",
                        "moBaseUrl": "https://a.example/",
                        "walledGardenHosts": ["10.0.0.0/8"],
                    }
                ]
            },
            "walled-garden.host.ip",
        ),
    ],
)
def test_bad_catalogs_name_their_rule(document: dict[str, Any], rule: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_operator_document(document, Path("."))
    assert raised.value.rule == rule


def test_an_unreadable_file_names_its_rule(tmp_path: Path) -> None:
    path = tmp_path / "operators.json"
    path.write_bytes(b"\xff{")
    with pytest.raises(ConfigurationError) as raised:
        load_operator_file(path)
    assert raised.value.rule == "config.file.unreadable"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(
                        ["operators", "brandName", "portalUri", "countries", "moBaseUrl",
                         "hiddenFromEids", "iccidRanges"]), inner, max_size=5),
                    max_leaves=20))  # fmt: skip
def test_any_document_is_a_catalog_or_a_named_error(document: Any) -> None:
    failure: ConfigurationError | None = None
    try:
        catalog = parse_operator_document({"operators": document}, Path("."))
    except ConfigurationError as error:
        failure = error
    if failure is None:
        assert catalog.operators
    else:
        assert failure.rule
        assert failure.message
