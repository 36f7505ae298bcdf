"""The `mobile_plans` marker's PC names and ICCID ranges are checked before anything starts
(no Qt): a slip is a usage error naming the field, never a crash deep inside or a silently
different configuration."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.pytest_plugin.device_options import marker_value_problem


@pytest.mark.parametrize(
    ("options", "ranges", "problem"),
    [
        ({"device_make": 5}, None, "device_make is a string as Windows' System Information"),
        ({"device_model": ["Laptop 7"]}, None, "device_model is a string"),
        ({}, "8999001", "iccid_ranges is a list of 'START-END' or 'PREFIX' strings, e.g."),
        ({}, [8999001], "iccid_ranges holds 'START-END' or 'PREFIX' strings, not 8999001"),
        ({}, ["8999002-8999001"], "iccid_ranges: iccid-range.reversed:"),
    ],
)
def test_a_slip_in_the_marker_is_named(options: dict[str, Any], ranges: Any, problem: str) -> None:
    found = marker_value_problem(options, ranges)
    assert found is not None
    assert found.startswith(problem)


def test_good_values_pass() -> None:
    options = {"device_make": "Contoso", "device_model": "Laptop 7"}
    assert marker_value_problem(options, ["8999001", "894411-894412"]) is None
    assert marker_value_problem({}, None) is None
    assert marker_value_problem({}, ("8999001",)) is None
