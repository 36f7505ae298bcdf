"""Metadata findings replayed from a remembered check equal the full check, every time.

`KnownMetadata.parse` keeps `parse_metadata`'s outcome per distinct object; these tests hold
the replay equal to checking afresh (the metadata, every finding in order with its wording, the
rejection), over generated objects and over whole sessions of generated calls.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_contract_acceptors import ON_DEVICE, metadata, portal_call

import simulator.contract.known_metadata as known_metadata
from simulator.contract import ContractSession, LaunchContext
from simulator.contract.known_metadata import KEPT, KnownMetadata
from simulator.contract.metadata import FIELD_SPELLINGS, parse_metadata
from simulator.contract.values import JsObject, JsValue
from simulator.contract.violations import Findings

SPELLINGS = [spelling for variants in FIELD_SPELLINGS.values() for spelling in variants]
KEYS = st.sampled_from([*SPELLINGS, "PlanName", "modirectstatus", "x", "k" * 300])
VALUES = st.sampled_from(["Complete", "Cancelled", "New", "Existing", "", " ", "v" * 300])
STRING_OBJECTS = st.lists(st.tuples(KEYS, VALUES | st.text(max_size=6)), max_size=8).map(
    lambda pairs: JsObject(tuple(dict(pairs).items()))
)


def _outcome(findings: Findings, result: object) -> tuple[object, ...]:
    return (
        result,
        findings.violations,
        findings.rejected,
        findings.has_error,
        findings.portal_error,
    )


def _findings(before: int) -> Findings:
    """A call's findings so far: none, a note, or a rejecting error."""
    findings = Findings()
    if before >= 1:
        findings.info("call.legacy-api", "earlier", "§1")
    if before == 2:
        findings.error("call.arity", "earlier", "§1")
    return findings


@settings(max_examples=400)
@given(st.lists(STRING_OBJECTS | metadata(), min_size=1, max_size=6), st.data())
def test_a_remembered_check_records_what_a_fresh_one_records(
    values: list[JsValue], data: st.DataObject
) -> None:
    known = KnownMetadata()
    for value in [*values, *values]:  # each again: the second time from memory
        before = data.draw(st.integers(0, 2))
        fresh, replayed = _findings(before), _findings(before)
        expected = _outcome(fresh, parse_metadata(value, fresh))
        assert _outcome(replayed, known.parse(value, replayed)) == expected, value


def test_a_second_object_of_the_same_content_is_not_checked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The property above would hold with no memory at all: the replay must be real."""
    known = KnownMetadata()
    first = Findings()
    known.parse(JsObject((("planName", "P"),)), first)
    assert [v.rule for v in first.violations] == ["metadata.required.missing"]

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("checked again")

    monkeypatch.setattr(known_metadata, "parse_metadata", never)
    again = Findings()
    assert known.parse(JsObject((("planName", "P"),)), again) is None
    assert again.violations == first.violations
    assert again.rejected


def test_the_memory_is_bounded() -> None:
    known = KnownMetadata()
    for index in range(KEPT * 3):
        known.parse(JsObject((("planName", str(index)),)), Findings())
        assert len(known._outcomes) <= KEPT


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["esim", "psim"]))
def test_sessions_with_and_without_the_memory_give_the_same_verdicts(
    data: st.DataObject, device: str
) -> None:
    def new_session() -> ContractSession:
        return ContractSession(
            LaunchContext("t.1", device),  # type: ignore[arg-type]
            lambda: frozenset({ON_DEVICE}),
        )

    remembering, fresh = new_session(), new_session()
    fresh._known_metadata.parse = parse_metadata  # type: ignore[method-assign]  # no memory
    issued: list[str] = []
    calls = [data.draw(portal_call(issued, [*fresh._operations])) for _ in range(8)]
    for call in [*calls, *calls]:
        assert remembering.check(call) == fresh.check(call), call
