"""--operator-config with an operators list, --walled-garden, and how they reach the simulator's
configuration (public pages "Mobile Plans operator catalog", "Mobile Plans walled garden")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.app import SimulatorConfig
from simulator.cli import parse_run_options
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES
from simulator.portal.walled_garden import GardenMode
from simulator.ui.catalog_step import use_operator_catalog

OPERATORS = {
    "operators": [
        {"brandName": "Contoso Mobile"},
        {
            "brandName": "Fabrikam Mobile",
            "portalUri": "https://fabrikam.example/",
            "moBaseUrl": "https://api.fabrikam.example/",
        },
    ]
}


def _file(tmp_path: Path, document: object) -> str:
    path = tmp_path / "operators.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_an_operators_list_makes_the_catalog(tmp_path: Path) -> None:
    options = parse_run_options(["--operator-config", _file(tmp_path, OPERATORS)])
    catalog = options.args.operator_catalog
    assert [o.brand_name for o in catalog.operators] == ["Contoso Mobile", "Fabrikam Mobile"]
    assert options.args.operator_configuration is None  # the first: the bundled sample's APIs
    config = SimulatorConfig(data_dir=tmp_path / "data")
    use_operator_catalog(config, catalog)
    assert config.operator_catalog is catalog
    assert config.operator_name == "Contoso Mobile"
    assert config.iccid_ranges == SAMPLE_ICCID_RANGES


def test_one_operator_changes_nothing_but_its_service_configuration(tmp_path: Path) -> None:
    one = {"brandName": "Contoso", "moBaseUrl": "https://api.example/", "iccidRanges": ["8949"]}
    options = parse_run_options(["--operator-config", _file(tmp_path, one)])
    assert options.args.operator_configuration.mo_base_url == "https://api.example/"
    assert [str(r) for r in options.args.iccid_ranges] == ["8949"]
    config = SimulatorConfig(data_dir=tmp_path / "data")
    use_operator_catalog(config, options.args.operator_catalog)
    assert config.operator_catalog is None
    assert config.operator_name is None


def test_walled_garden_modes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_run_options([]).args.walled_garden == "report"
    assert GardenMode(parse_run_options(["--walled-garden", "enforce"]).args.walled_garden) is (
        GardenMode.ENFORCE
    )
    with pytest.raises(SystemExit) as exited:
        parse_run_options(["--walled-garden", "sometimes"])
    assert exited.value.code == 2
    assert "--walled-garden" in capsys.readouterr().err


def test_a_bad_operators_file_names_its_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {"operators": [{"brandName": "A"}, {"brandName": "B", "portalUri": "https://b/"}]}
    with pytest.raises(SystemExit) as exited:
        parse_run_options(["--operator-config", _file(tmp_path, bad)])
    assert exited.value.code == 2
    assert "catalog.moBaseUrl.missing" in capsys.readouterr().err


def test_provider_must_be_one_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, OPERATORS)
    ok = parse_run_options(["--operator-config", path, "--provider", "fabrikam mobile"])
    assert ok.args.provider == "fabrikam mobile"
    for argv in (["--operator-config", path, "--provider", "Nope"], ["--provider", "Contoso"]):
        with pytest.raises(SystemExit) as exited:
            parse_run_options(argv)
        assert exited.value.code == 2
        assert "--provider" in capsys.readouterr().err
