"""The example suite a portal team copies runs, and passes, as part of `make test`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import plugin_args

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_the_example_suite_passes_under_xdist(pytester: pytest.Pytester) -> None:
    for source in EXAMPLES.iterdir():
        if source.suffix in (".py", ".ini"):
            shutil.copy(source, pytester.path / source.name)
    result = pytester.runpytest_subprocess(
        *plugin_args(), "-n", "2", "-p", "no:cacheprovider", timeout=300
    )
    result.assert_outcomes(passed=8)
