from typing import Any

import pytest
from conftest import js, metadata  # type: ignore[import-not-found]

from simulator.contract.metadata import parse_metadata
from simulator.contract.values import UNDEFINED, JsValue
from simulator.contract.violations import Findings, Severity


def check(value: JsValue, **kwargs: Any) -> tuple[Any, Findings]:
    findings = Findings()
    return parse_metadata(value, findings, **kwargs), findings


def rule_set(findings: Findings) -> dict[str, Severity]:
    return {v.rule: v.severity for v in findings.violations}


def test_canonical_spellings_clean() -> None:
    md, findings = check(metadata())
    assert findings.violations == []
    assert md.line == "New"
    assert md.mo_direct_status == "Complete"
    assert md.plan_name == "2GB Monthly"
    assert dict(md.spellings)["line"] == "line"


def test_inline_spellings_accepted_and_reported() -> None:
    value = js({"userAccount": "New", "purchaseInstrument": "New", "lineType": "Existing",
                "modirectStatus": "Complete", "planName": "My Plan"})  # fmt: skip
    md, findings = check(value)
    assert md.line == "Existing"
    assert md.mo_direct_status == "Complete"
    assert dict(md.spellings) == {"userAccount": "userAccount", "purchaseInstrument":
        "purchaseInstrument", "line": "lineType", "moDirectStatus": "modirectStatus",
        "planName": "planName"}  # fmt: skip
    assert rule_set(findings) == {"metadata.spelling.variant": Severity.INFO}


def test_both_spellings_same_and_conflicting() -> None:
    md, findings = check(metadata(lineType="New"))
    assert md is not None
    assert rule_set(findings)["metadata.spelling.both"] is Severity.WARNING
    md, findings = check(metadata(modirectStatus="ServiceError"))
    assert md is None
    assert "metadata.spelling.conflict" in rule_set(findings)


def test_value_case_warns_with_expected_value() -> None:
    md, findings = check(metadata(moDirectStatus="complete", line="NEW"))
    assert md.mo_direct_status == "Complete"
    assert md.line == "New"
    messages = [v.message for v in findings.violations if v.rule == "metadata.enum.case"]
    assert len(messages) == 2
    assert any("'Complete'" in m for m in messages)


def test_invalid_sim_value() -> None:
    md, _ = check(metadata(moDirectStatus="InvalidSIM", planName=""))
    assert md.mo_direct_status == "InvalidSIM"


@pytest.mark.parametrize("status", ["Cancelled", "Bailed", "None", "BillingError"])
def test_all_status_values_accepted(status: str) -> None:
    md, findings = check(metadata(moDirectStatus=status, planName=""))
    assert md.mo_direct_status == status
    assert findings.violations == []


def test_unknown_enum_value() -> None:
    md, findings = check(metadata(moDirectStatus="Done"))
    assert md is None
    assert rule_set(findings)["metadata.enum.unknown"] is Severity.ERROR
    md, findings = check(metadata(userAccount="Returning"))
    assert md is not None  # reporting-only field: flagged, the call still stands
    assert md.user_account is None
    assert rule_set(findings)["metadata.enum.unknown"] is Severity.ERROR
    assert not findings.rejected


def test_enum_not_a_string() -> None:
    md, findings = check(metadata(moDirectStatus=js({"complete": "Complete"})))
    assert md is None
    assert "metadata.enum.not-a-string" in rule_set(findings)


def test_required_status_missing_or_undefined(drop: object) -> None:
    for value in (drop, UNDEFINED):
        md, findings = check(metadata(moDirectStatus=value))
        assert md is None
        assert "metadata.required.missing" in rule_set(findings)


def test_optional_fields_may_be_absent_in_current_api(drop: object) -> None:
    md, findings = check(metadata(userAccount=drop, purchaseInstrument=drop, line=drop))
    assert md.user_account is None
    assert findings.violations == []


def test_legacy_requires_all_four(drop: object) -> None:
    md, findings = check(metadata(line=drop), legacy=True)
    assert md is None
    assert "metadata.required.missing" in rule_set(findings)


def test_plan_name_rules(drop: object) -> None:
    _, findings = check(metadata(planName=""))
    assert rule_set(findings) == {"metadata.planName.empty-on-success": Severity.ERROR}
    assert not findings.rejected
    _, findings = check(metadata(planName=drop))
    assert "metadata.planName.empty-on-success" in rule_set(findings)
    _, findings = check(metadata(moDirectStatus="ServiceError", planName="2GB"))
    assert rule_set(findings) == {"metadata.planName.not-empty-on-failure": Severity.ERROR}
    _, findings = check(metadata(planName=5))
    assert "metadata.planName.not-a-string" in rule_set(findings)
    # legacy: success comes from the payload flag
    _, findings = check(metadata(planName=""), success=False)
    assert findings.violations == []


def test_not_an_object_and_unknown_keys() -> None:
    md, findings = check("metadata")
    assert md is None
    assert "metadata.not-an-object" in rule_set(findings)
    _, findings = check(metadata(PlanName="x", extra=1))
    assert rule_set(findings)["metadata.field.misspelt"] is Severity.WARNING
    assert rule_set(findings)["metadata.field.unknown"] is Severity.INFO


def test_every_violation_links_to_its_rule() -> None:
    _, findings = check(metadata(moDirectStatus="complete", planName="", lineType="New"))
    assert findings.violations
    assert all(v.spec == f"docs/rules.md#{v.rule}" for v in findings.violations)
