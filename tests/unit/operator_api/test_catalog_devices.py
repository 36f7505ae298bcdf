"""Make-and-model filtering and OEM-branded operators in the catalog: public page "Mobile Plans
operator catalog" (sections "Mobile operator branding" and "Device filtering": the make and
model as Windows' System Information shows them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.identifiers import IdentifierError
from simulator.app import SimulatorConfig
from simulator.cli import parse_run_options
from simulator.device import DEFAULT_MAKE, DEFAULT_MODEL, Hardware, SimulatedDevice
from simulator.operator_api.catalog import decide_catalog, parse_operator_document
from simulator.operator_api.catalog_devices import MAX_DEVICE_ENTRIES
from simulator.operator_api.config import ConfigurationError
from simulator.ui.catalog_step import use_operator_catalog

CONTOSO_LAPTOP = Hardware("Contoso", "Laptop 7")


def _catalog(**fabrikam: Any) -> Any:
    return parse_operator_document(
        {
            "operators": [
                {"brandName": "Adatum Mobile"},
                {
                    "brandName": "Fabrikam Mobile",
                    "portalUri": "https://fabrikam.example/",
                    "moBaseUrl": "https://api.fabrikam.example/",
                    **fabrikam,
                },
            ]
        },
        Path.cwd(),
    )


def _listed(catalog: Any, hardware: Hardware) -> list[str]:
    return [o.brand_name for o in catalog.listed("US", None, hardware)]


def test_hidden_from_a_whole_make_or_one_model() -> None:
    whole_make = _catalog(hiddenFromDevices=[{"make": "Contoso"}])
    assert _listed(whole_make, CONTOSO_LAPTOP) == ["Adatum Mobile"]
    assert _listed(whole_make, Hardware("Contoso", "Tablet 2")) == ["Adatum Mobile"]
    assert _listed(whole_make, Hardware()) == ["Adatum Mobile", "Fabrikam Mobile"]
    one_model = _catalog(hiddenFromDevices=[{"make": "contoso ", "model": "LAPTOP  7"}])
    # System Information's text, case and runs of spaces aside
    assert _listed(one_model, CONTOSO_LAPTOP) == ["Adatum Mobile"]
    assert _listed(one_model, Hardware("Contoso", "Tablet 2")) == [
        "Adatum Mobile",
        "Fabrikam Mobile",
    ]


def test_an_oem_branded_operator_is_shown_on_that_makers_pcs_only() -> None:
    oem = _catalog(oem="Contoso")
    assert _listed(oem, CONTOSO_LAPTOP) == ["Adatum Mobile", "Fabrikam Mobile"]
    assert _listed(oem, Hardware("Litware", "Laptop 7")) == ["Adatum Mobile"]
    some_models = _catalog(oem="Contoso", oemModels=["Tablet 2"])
    assert _listed(some_models, CONTOSO_LAPTOP) == ["Adatum Mobile"]
    assert _listed(some_models, Hardware("Contoso", "tablet 2")) == [
        "Adatum Mobile",
        "Fabrikam Mobile",
    ]


def test_the_decision_says_why_each_operator_was_left_out() -> None:
    catalog = parse_operator_document(
        {
            "operators": [
                {"brandName": "Adatum Mobile"},
                {
                    "brandName": "Fabrikam Mobile",
                    "portalUri": "https://fabrikam.example/",
                    "moBaseUrl": "https://api.fabrikam.example/",
                    "hiddenFromDevices": [{"make": "Contoso", "model": "Laptop 7"}],
                },
                {
                    "brandName": "Contoso Mobile by Litware",
                    "portalUri": "https://litware.example/",
                    "moBaseUrl": "https://api.litware.example/",
                    "oem": "Litware",
                },
                {
                    "brandName": "Datum Telekom",
                    "portalUri": "https://datum.example/",
                    "moBaseUrl": "https://api.datum.example/",
                    "countries": ["DE"],
                },
            ]
        },
        Path.cwd(),
    )
    decision = decide_catalog(catalog, esim=True, location="US", eid=None, hardware=CONTOSO_LAPTOP)
    assert [o.brand_name for o in decision.operators] == ["Adatum Mobile"]
    reasons = {h.brand_name: h.reason for h in decision.hidden}
    assert reasons == {
        "Fabrikam Mobile": "hidden from Contoso Laptop 7 (hiddenFromDevices); this PC is a "
        "Contoso Laptop 7",
        "Contoso Mobile by Litware": "OEM-branded: shown on Litware PCs only; this PC is a "
        "Contoso Laptop 7",
        "Datum Telekom": "sells plans in DE, not in US",
    }
    assert decision.hidden[0].as_event() == {
        "brand": "Fabrikam Mobile",
        "reason": reasons["Fabrikam Mobile"],
    }
    litware = decide_catalog(
        catalog, esim=True, location="US", eid=None, hardware=Hardware("Litware", "Go 3")
    )
    assert [o.brand_name for o in litware.operators] == [
        "Adatum Mobile",
        "Contoso Mobile by Litware",
        "Fabrikam Mobile",
    ]


def test_the_pc_has_a_default_make_and_model_and_a_stated_one() -> None:
    device = SimulatedDevice()
    assert device.hardware == Hardware(DEFAULT_MAKE, DEFAULT_MODEL)
    assert device.stated_hardware is None
    assert device.describe()["make"] == DEFAULT_MAKE
    stated = SimulatedDevice.configure(make="  Contoso ", model="Laptop   7")
    assert stated.hardware == CONTOSO_LAPTOP
    assert SimulatedDevice.configure(make="Contoso").describe()["model"] == "(not stated)"


@pytest.mark.parametrize(
    ("make", "model", "rule"),
    [
        ("", None, "device.make"),
        ("Contoso\x00", "Laptop", "device.make"),
        ("Contoso", "Laptop\n7", "device.model"),
        ("x" * 101, None, "device.make"),
        (None, "Laptop 7", "device.model"),  # a model without its make
    ],
)
def test_a_bad_make_or_model_names_its_rule(make: str | None, model: str | None, rule: str) -> None:
    with pytest.raises(IdentifierError) as raised:
        SimulatedDevice.configure(make=make, model=model)
    assert raised.value.rule == rule


def test_the_command_line_names_the_pc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = parse_run_options(["--device-make", "Contoso", "--device-model", "Laptop 7"])
    assert options.device.hardware == CONTOSO_LAPTOP
    with pytest.raises(SystemExit) as exited:
        parse_run_options(["--device-model", "Laptop 7"])
    assert exited.value.code == 2
    assert "give the PC's make too" in capsys.readouterr().err


def test_the_operators_file_may_name_the_pc_and_the_run_wins(tmp_path: Path) -> None:
    document = {
        "device": {"make": "Contoso", "model": "Laptop 7"},
        "operators": [
            {"brandName": "Adatum Mobile"},
            {"brandName": "B", "portalUri": "https://b.example/", "moBaseUrl": "https://b/"},
        ],
    }
    path = tmp_path / "operators.json"
    path.write_text(json.dumps(document))
    from_file = parse_run_options(["--operator-config", str(path)])
    config = SimulatorConfig(data_dir=tmp_path, device=from_file.device)
    use_operator_catalog(config, from_file.args.operator_catalog)
    assert config.device.hardware == CONTOSO_LAPTOP
    stated = parse_run_options(["--operator-config", str(path), "--device-make", "Litware"])
    config = SimulatorConfig(data_dir=tmp_path, device=stated.device)
    use_operator_catalog(config, stated.args.operator_catalog)
    assert config.device.hardware == Hardware("Litware", "")


@pytest.mark.parametrize(
    ("fields", "rule", "words"),
    [
        ({"hiddenFromDevices": {"make": "Contoso"}}, "catalog.hiddenFromDevices", "a list"),
        (
            {"hiddenFromDevices": [{"make": "C"}] * (MAX_DEVICE_ENTRIES + 1)},
            "catalog.hiddenFromDevices",
            f"at most {MAX_DEVICE_ENTRIES}",
        ),
        ({"hiddenFromDevices": ["Contoso"]}, "catalog.hiddenFromDevices", "is an object"),
        ({"hiddenFromDevices": [{"model": "X"}]}, "catalog.hiddenFromDevices", "make is a name"),
        ({"hiddenFromDevices": [{"make": 7}]}, "catalog.hiddenFromDevices", "not 7"),
        (
            {"hiddenFromDevices": [{"make": "Contoso", "modle": "X"}]},
            "catalog.hiddenFromDevices",
            "['modle']",
        ),
        (
            {"hiddenFromDevices": [{"make": "Con\u0007toso"}]},
            "catalog.hiddenFromDevices",
            "printable",
        ),
        ({"oem": ""}, "catalog.oem", "1 to 100 printable"),
        ({"oem": ["Contoso"]}, "catalog.oem", "oem is a name"),
        ({"oemModels": ["Laptop 7"]}, "catalog.oemModels", "needs oem"),
        ({"oem": "Contoso", "oemModels": "Laptop 7"}, "catalog.oemModels", "a list"),
        ({"oem": "Contoso", "oemModels": ["L\r\n"]}, "catalog.oemModels", "oemModels[0]"),
    ],
)
def test_hostile_device_fields_get_a_named_error(
    fields: dict[str, Any], rule: str, words: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _catalog(**fields)
    assert raised.value.rule == rule
    assert words in raised.value.message
    assert "operators[1]" in raised.value.message
    assert len(raised.value.message) < 400  # a huge value is not echoed whole


@pytest.mark.parametrize(
    "device",
    [
        "Contoso",
        {"model": "Laptop 7"},
        {"make": "Contoso", "serial": "1"},
        {"make": 1},
        {"make": "Contoso", "model": "\x1b[31m"},
        {"make": "C" * 1_000_000},
    ],
)
def test_a_bad_document_device_is_refused(device: Any) -> None:
    document = {
        "device": device,
        "operators": [{"brandName": "A"}, {"brandName": "B", "portalUri": "https://b/",
                                            "moBaseUrl": "https://b/"}],
    }  # fmt: skip
    with pytest.raises(ConfigurationError) as raised:
        parse_operator_document(document, Path.cwd())
    assert raised.value.rule == "catalog.device"
    assert len(raised.value.message) < 300


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    hidden=_JSON,
    oem=_JSON,
    models=_JSON,
    device=_JSON,
)
def test_any_json_in_the_device_fields_is_parsed_or_refused_by_rule(
    hidden: Any, oem: Any, models: Any, device: Any
) -> None:
    document = {
        "device": device,
        "operators": [
            {"brandName": "A"},
            {
                "brandName": "B",
                "portalUri": "https://b.example/",
                "moBaseUrl": "https://b.example/",
                "hiddenFromDevices": hidden,
                "oem": oem,
                "oemModels": models,
            },
        ],
    }
    try:
        catalog = parse_operator_document(document, Path.cwd())
    except ConfigurationError as error:
        refused = error.rule
    else:
        catalog.listed("US", None, catalog.device or Hardware())
        return
    assert refused.startswith("catalog.")
