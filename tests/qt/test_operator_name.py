"""The operator's name the app shows: --operator-name, else Contoso for the bundled portal,
else the portal's own host (never "Contoso Mobile" for somebody else's portal)."""

from __future__ import annotations

from pathlib import Path

from simulator.app import SAMPLE_OPERATOR, SAMPLE_PORTAL_HOST, SimulatorConfig


def test_operator_name_defaults(tmp_path: Path) -> None:
    assert SimulatorConfig(data_dir=tmp_path).operator == SAMPLE_OPERATOR
    assert (
        SimulatorConfig(data_dir=tmp_path, portal_url="https://mo.fabrikam.example/buy").operator
        == "mo.fabrikam.example"
    )
    portal = tmp_path / "fabrikam-portal"
    portal.mkdir()
    assert SimulatorConfig(data_dir=tmp_path, portal_dir=portal).operator == "fabrikam-portal"
    named = SimulatorConfig(
        data_dir=tmp_path, portal_url="https://mo.fabrikam.example/", operator_name="Fabrikam"
    )
    assert named.operator == "Fabrikam"


def test_the_bundled_portals_own_url_is_still_contoso(tmp_path: Path) -> None:
    config = SimulatorConfig(data_dir=tmp_path, portal_url=f"https://{SAMPLE_PORTAL_HOST}/")
    assert config.operator == SAMPLE_OPERATOR
