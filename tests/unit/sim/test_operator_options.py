"""--operator-name, --smdp-host and --euicc-capacity: parsing, and where they lead."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import parse_capacity, parse_run_options, parse_smdp_host
from simulator.esim_world import SMDP_ADDRESS, route_activation_code


def test_capacity_sizes() -> None:
    assert parse_capacity("300000") == 300000
    assert parse_capacity("512K") == 512 * 1024
    assert parse_capacity("512 kb") == 512 * 1024
    assert parse_capacity("1.5M") == 1536 * 1024
    for bad in ("", "lots", "12 GB", "-5K", "0", "65M", "1e9"):
        with pytest.raises(ValueError, match="--euicc-capacity"):
            parse_capacity(bad)


def test_smdp_host_names() -> None:
    assert parse_smdp_host(" SMDP.Example.COM. ") == "smdp.example.com"
    for bad in ("", "https://smdp.example.com", "smdp example", "a" * 70 + ".com", "-x.com"):
        with pytest.raises(ValueError, match="--smdp-host"):
            parse_smdp_host(bad)


def test_run_options_carry_the_three(tmp_path: Path) -> None:
    options = parse_run_options(
        [
            "--operator-name",
            "  Fabrikam   Wireless ",
            "--smdp-host",
            "smdp.fabrikam.example",
            "--smdp-host",
            "RSP.Fabrikam.example",
            "--euicc-capacity",
            "2M",
        ]
    )
    assert options.args.operator_name == "Fabrikam Wireless"
    assert options.args.smdp_hosts == ("smdp.fabrikam.example", "rsp.fabrikam.example")
    assert options.args.euicc_capacity_bytes == 2 * 1024 * 1024
    defaults = parse_run_options([])
    assert defaults.args.operator_name is None
    assert defaults.args.smdp_hosts == ()
    assert defaults.args.euicc_capacity_bytes is None


@pytest.mark.parametrize(
    "argv",
    [
        ["--euicc-capacity", "huge"],
        ["--smdp-host", "not a host"],
        ["--operator-name", "   "],
    ],
)
def test_bad_values_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_run_options(argv)
    assert exit_.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_routing_activation_codes() -> None:
    ours = f"1${SMDP_ADDRESS}$ABC-123"
    assert route_activation_code(ours, ()) == (ours, None)
    mapped = "1$SMDP.Fabrikam.example$ABC-123$$1"
    assert route_activation_code(mapped, ("smdp.fabrikam.example",)) == (
        f"1${SMDP_ADDRESS}$ABC-123$$1",
        None,
    )
    code, why = route_activation_code("1$smdp.unknown.example$ABC-123", ("smdp.fabrikam.example",))
    assert code == "1$smdp.unknown.example$ABC-123"
    assert why is not None
    assert "smdp.unknown.example" in why
    assert "--smdp-host smdp.unknown.example" in why
    # A malformed code is left for the LPA to report with its own rule.
    assert route_activation_code("2$nonsense", ()) == ("2$nonsense", None)
