"""`mobileplans-sim check`: the bundled portal passes, a portal breaking the rules fails."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from simulator.check import add_check_command, run_check, run_check_command
from simulator.portal.hosting import INSECURE_HOST, Site
from simulator.resources import resource_path
from simulator.runtime import Runtime

BAD = Path(__file__).parent / "bad_portal"


@pytest.fixture
def hosted(runtime: Runtime) -> Iterator[None]:
    runtime.front.attach("good.mobileplans.test", Site(root=Path(resource_path("portal"))))
    runtime.front.attach("bad.mobileplans.test", Site(root=BAD))
    runtime.front.attach(INSECURE_HOST, Site(root=BAD))
    yield
    for host in ("good.mobileplans.test", "bad.mobileplans.test", INSECURE_HOST):
        runtime.front.detach(host)


def test_the_bundled_portal_passes(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, hosted: None
) -> None:
    report = run_check(
        "https://good.mobileplans.test/", runtime=runtime, data_dir=tmp_path, settle=0.5
    )
    assert report.ok, report.render()
    assert report.origin == "https://good.mobileplans.test"
    assert report.bridge
    assert report.calls >= 2  # the portal sets its callback properties on load
    assert "result   OK" in report.render()


@pytest.mark.qt_log_ignore("bad portal: something went wrong", "^Mixed Content: ")
def test_a_portal_breaking_the_rules_fails_with_each_reason(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, hosted: None
) -> None:
    report = run_check(
        "https://bad.mobileplans.test/", runtime=runtime, data_dir=tmp_path, settle=0.5
    )
    assert not report.ok
    assert report.plain_http == [f"http://{INSECURE_HOST}/pixel.gif"]
    assert report.popups == ["https://bad.mobileplans.test/terms.html"]
    assert report.console_errors[0].startswith("bad portal: something went wrong")
    rules = {v["rule"] for v in report.violations}
    assert "metadata.required.missing" in rules
    text = report.render()
    assert "FAILED" in text
    assert "popup: tried to open a pop-up or new window to https://bad.mobileplans" in text
    assert "docs/rules.md#portal.popup" in text


def test_the_command_refuses_plain_http_and_parses_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser(prog="mobileplans-sim")
    add_check_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", "http://portal.example/", "--settle", "1"])
    assert args.settle == 1.0
    assert run_check_command(args) == 2
    assert "must be an https URL" in capsys.readouterr().err
