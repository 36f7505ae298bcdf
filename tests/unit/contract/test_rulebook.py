"""docs/rules.md is the rule table, every rule the checker can raise is in it, and every
example on the page does what the page says (a passing call passes, a failing one breaks it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from simulator.contract import ContractSession
from simulator.contract.rulebook import RULES, Rule
from simulator.contract.rulebook.examples import ICCID_ON_DEVICE, Example
from simulator.contract.rulebook.sources import SECTIONS, sources_of
from simulator.contract.session import CheckResult
from simulator.report.rules_page import render_rules_page

ROOT = Path(__file__).parents[3]
CHECKER = ROOT / "simulator" / "contract"
_FINDINGS = {"error", "flaw", "warning", "info", "add"}
# Raised by the app when it calls the portal back (simulator/flows/portal_session.py), not by
# a check of a call, so no example call can show them.
_AT_CALLBACK_TIME = {"callbacks.unset", "callbacks.not-a-function", "callbacks.not-invoked"}
# The page as a whole: the bridge host (pop-ups) and `mobileplans-sim check` (https).
_ABOUT_THE_PAGE = {"portal.popup", "portal.https", "portal.plain-http"}
# ICCID rules come from esim.identifiers.Iccid.parse through check_iccid.
_FROM_ICCID_PARSER = {"iccid.empty", "iccid.characters", "iccid.length", "iccid.prefix"}
_FROM_ICCID_PARSER |= {"iccid.check-digit"}
_EXPECTED_SEVERITY = {"error": "error", "flaw": "error", "warning": "warning", "info": "info"}
WITH_EXAMPLES = [rule for rule in RULES.values() if rule.failing is not None]


def test_the_page_is_the_table() -> None:
    assert (ROOT / "docs" / "rules.md").read_text("utf-8") == render_rules_page(), (
        "regenerate: python -m simulator.report.rules_page > docs/rules.md"
    )


def _rules_named_in_the_checker() -> set[str]:
    named: set[str] = set()
    for path in CHECKER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            # `findings.error("rule", ...)` and the like, or a Violation made ahead ("rule", ...)
            if (
                isinstance(node, ast.Call)
                and (
                    (isinstance(node.func, ast.Attribute) and node.func.attr in _FINDINGS)
                    or (isinstance(node.func, ast.Name) and node.func.id == "Violation")
                )
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                named.add(node.args[0].value)
    return named


def test_every_rule_the_checker_names_is_in_the_table_and_back() -> None:
    named = _rules_named_in_the_checker()
    assert len(named) > 60
    assert named - set(RULES) == set()
    assert set(RULES) - named == _AT_CALLBACK_TIME | _FROM_ICCID_PARSER | _ABOUT_THE_PAGE


def test_every_rule_says_what_it_checks_and_where_it_comes_from() -> None:
    for rule in RULES.values():
        assert rule.severity in _EXPECTED_SEVERITY, rule.id
        assert len(rule.checks) > 20, rule.id
        assert rule.sources, f"{rule.id}: {rule.sections} names no known section"
        assert (rule.failing is None) == (rule.passing is None), rule.id
        assert rule.failing is not None or rule.example_text, rule.id
        assert rule.failing is not None or rule.id in _AT_CALLBACK_TIME | _ABOUT_THE_PAGE | {
            "contract.internal-error"
        }


def test_every_section_key_names_a_page_and_a_section() -> None:
    for key, sources in SECTIONS.items():
        for source in sources:
            assert source.page, key
            assert source.file, key
            assert source.section, key
            assert "spec" not in source.file
    assert sources_of("§9.9") == ()  # no such section: no made-up source
    assert sources_of("§1.3, §4.4 (x)") == SECTIONS["§1.3"] + SECTIONS["§4.4"]


def _run(example: Example) -> CheckResult:
    session = ContractSession(example.launch(), lambda: frozenset({ICCID_ON_DEVICE}))
    results = [session.check(call) for call in example.portal_calls()]
    for earlier in results[:-1]:
        assert earlier.ok, [v.rule for v in earlier.violations]
    return results[-1]


@pytest.mark.parametrize("rule", WITH_EXAMPLES, ids=[r.id for r in WITH_EXAMPLES])
def test_the_examples_pass_and_break_their_rule(rule: Rule) -> None:
    assert rule.passing is not None
    assert rule.failing is not None
    passed = _run(rule.passing)
    assert passed.ok, [v.rule for v in passed.violations]
    assert rule.id not in {v.rule for v in passed.violations}
    assert not [v for v in passed.violations if str(v.severity) == "error"]
    failed = _run(rule.failing)
    found = {v.rule: str(v.severity) for v in failed.violations}
    assert found.get(rule.id) == _EXPECTED_SEVERITY[rule.severity], found
    if rule.severity == "error":
        assert not failed.ok
    if rule.severity == "flaw":
        assert failed.ok
    for violation in failed.violations:
        assert violation.spec == f"docs/rules.md#{violation.rule}"
        assert violation.rule in RULES
