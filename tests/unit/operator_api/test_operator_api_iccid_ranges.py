"""The operator's ICCID ranges and the `iccids` launch parameter."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.cli import parse_run_options
from simulator.device import SimulatedDevice
from simulator.operator_api.iccid_ranges import (
    SAMPLE_ICCID_RANGES,
    IccidRange,
    IccidRangeError,
    in_ranges,
)
from simulator.portal.launch import CorrelationVector, LaunchBuilder

OURS = "8988247000101867183"
THEIRS = "8944110000000000017"


def _launch(iccids: list[str], ranges: tuple[IccidRange, ...] | None) -> dict[str, list[str]]:
    builder = LaunchBuilder(
        "https://portal.example/",
        SimulatedDevice(profile_iccids=lambda: iccids),
        cv=CorrelationVector(random.Random(3)),
        iccid_ranges=ranges,
    )
    return parse_qs(urlsplit(builder.build().url).query)


def test_iccids_lists_only_profiles_in_the_operators_ranges() -> None:
    """Public pages "Mobile Plans web portal" (`iccids`: "list of ICCIDs from the available
    profile on an eSIM"; "If there are no ICCIDs matching the MO available on the eSIM, this
    parameter is not sent") and "Mobile Plans service configuration" (the operator's ICCID
    range or ranges)."""
    ranges = (IccidRange.parse("8988247000100000000-8988247000199999999"),)
    query = _launch([THEIRS, OURS + "F"], ranges)
    assert query["iccids"] == [OURS]
    assert "iccids" not in _launch([THEIRS], ranges)  # none match: not sent at all
    assert query["eid"]  # the rest of the launch is unchanged


def test_several_ranges_and_prefixes() -> None:
    ranges = (IccidRange.parse("894411"), IccidRange.parse("898824 - 898824"))
    assert _launch([THEIRS, OURS], ranges)["iccids"] == [f"{THEIRS},{OURS}"]


def test_without_a_configuration_every_profile_is_sent() -> None:
    assert _launch([THEIRS, OURS], None)["iccids"] == [f"{THEIRS},{OURS}"]


def test_sample_range_covers_the_bundled_smdp_iccids() -> None:
    from esim.smdp import generate_iccid

    assert in_ranges([generate_iccid()], SAMPLE_ICCID_RANGES)
    assert not in_ranges([OURS], SAMPLE_ICCID_RANGES)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("89x1", "iccid-range.not-digits"),
        ("", "iccid-range.empty"),
        ("1" * 21, "iccid-range.length"),
        ("8988-89", "iccid-range.unequal-lengths"),
        ("8999-8988", "iccid-range.reversed"),
        ("8988-", "iccid-range.no-end"),
        ("８９８８", "iccid-range.not-digits"),
    ],
)
def test_bad_ranges_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(IccidRangeError) as caught:
        IccidRange.parse(text)
    assert caught.value.rule == rule


@given(st.text(max_size=40))
def test_parse_never_crashes(text: str) -> None:
    try:
        found = IccidRange.parse(text)
    except IccidRangeError:
        return
    assert found.contains(found.start)
    assert found.contains(found.end + "0")


@given(st.text(alphabet="0123456789F ", max_size=25))
def test_contains_never_crashes(iccid: str) -> None:
    assert IccidRange("8", "8").contains(iccid) in (True, False)


def test_command_line_option() -> None:
    options = parse_run_options(["--iccid-range", "894411", "--iccid-range", "8988-8989"])
    assert [str(r) for r in options.args.iccid_ranges] == ["894411", "8988-8989"]
    assert parse_run_options([]).args.iccid_ranges is None
    with pytest.raises(SystemExit) as exit_info:
        parse_run_options(["--iccid-range", "8999-8988"])
    assert exit_info.value.code == 2


def test_operator_api_option() -> None:
    options = parse_run_options(["--operator-api", "https://staging.example.com/v1/"])
    assert options.args.operator_api == "https://staging.example.com/v1/"
    assert parse_run_options([]).args.operator_api is None
    with pytest.raises(SystemExit) as exit_info:
        parse_run_options(["--operator-api", "http://staging.example.com/v1/"])
    assert exit_info.value.code == 2
