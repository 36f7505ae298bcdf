"""Command-line parsing: usage errors name the rule (exit 2), values are typed at the edge."""

from __future__ import annotations

import pytest

from simulator.cli import parse_network_option, parse_run_options
from simulator.network import NetworkPlan, Registration


def test_network_option_for_every_profile_or_one() -> None:
    assert parse_network_option("roaming") == (None, NetworkPlan(Registration.ROAMING, 8.0))
    assert parse_network_option("8988247000100003319=denied:30") == (
        "8988247000100003319",
        NetworkPlan(Registration.DENIED, 30.0),
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [("searching", "home, roaming"), ("home:soon", "seconds"), ("home:-1", "negative")],
)
def test_network_option_rejections_say_why(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_network_option(text)


def test_bad_identifiers_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_run_options(["run", "--imei", "001102000315469"])
    assert exit_info.value.code == 2
    assert "IMEI" in capsys.readouterr().err


def test_demo_defaults_to_its_last_event_and_the_stepped_clock() -> None:
    options = parse_run_options(["demo", "inline-download"])
    assert options.until is not None
    assert options.until.kind == "flow.state"
    assert options.args.time_scale == 0.0


def test_plain_options_mean_run() -> None:
    options = parse_run_options(["--headless", "--market", "GB"])
    assert options.args.command == "run"
    assert options.device.market == "GB"


def test_step_needs_a_window(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_run_options(["demo", "inline-download", "--step", "--headless"])
    assert exit_info.value.code == 2
    assert "--step waits for a presenter to click Next" in capsys.readouterr().err
    options = parse_run_options(["demo", "inline-download", "--step", "--exit-at-end"])
    assert (options.args.step, options.args.exit_at_end) == (True, True)
    assert parse_run_options(["run"]).args.step is False


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        parse_run_options([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


COMMANDS = ("run", "demo", "flows", "check", "thingspace")


def test_top_level_help_lists_every_command_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys)
    assert text.startswith("usage: mobileplans-sim [-h] COMMAND ...")
    listed = {
        line.split()[0]: line
        for line in text.split("commands:")[1].split("examples:")[0].splitlines()
        if line.startswith("    ") and line.split()
    }
    assert set(COMMANDS) <= set(listed)
    assert "(the default command)" in listed["run"]
    assert "  mobileplans-sim demo inline-download --headless" in text


@pytest.mark.parametrize(
    "command",
    [
        ("run",),
        ("demo",),
        ("flows",),
        ("check",),
        ("thingspace",),
        ("thingspace", "listen"),
        ("thingspace", "send"),
    ],
)
def test_each_commands_help_has_an_example(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    text = _help(capsys, *command)
    examples = text.split("\nexample")[-1]
    assert f"  mobileplans-sim {' '.join(command)}" in examples
