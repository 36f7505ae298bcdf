"""The acceptors (the fast path for calls that break no rule) against the full checker.

Two sessions take the same calls in the same order: one through `check` (acceptor first), one
through the full checker only. Every verdict (command, findings with their rule, severity,
message, link and field, in order; the portal's error) and the session's state after each call
must be equal. The calls are generated near the valid ones, where the two paths part.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.contract import ContractSession, LaunchContext, PortalCall
from simulator.contract.accept import build_acceptors
from simulator.contract.session import _ACCEPTORS, _CURRENT_OBJECTS, _REMOVED_METHODS
from simulator.contract.surface import OBJECTS, SCRIPT_PROPERTIES
from simulator.contract.values import UNDEFINED, JsArray, JsFunction, JsObject, JsValue

ON_DEVICE = "8988247000101997790"
ENUM = st.sampled_from(["New", "Existing", "Bailed", "None", "new", "NEW", "Nope", ""])
STATUS = st.sampled_from(
    ["Complete", "Complete", "Cancelled", "Bailed", "ServiceError", "complete", "Done", ""]
)
ODD = st.sampled_from([UNDEFINED, None, True, 15.0, JsFunction("f"), JsArray(()), JsObject(())])
PLAN = st.sampled_from(["2GB Monthly", "", "  ", "x"]) | ODD
FIELDS = {
    "userAccount": ENUM | ODD,
    "purchaseInstrument": ENUM | ODD,
    "line": ENUM | ODD,
    "moDirectStatus": STATUS | ODD,
    "planName": PLAN,
}
EXTRA_KEYS = st.sampled_from(["lineType", "modirectStatus", "PlanName", "Id", "x", "__proto__"])
CODES = (
    st.sampled_from(
        [
            "1$smdp.example.com$ABC-123",
            "1$SMDP.example.com$0123456789",
            "LPA:1$smdp.example.com$ABC-123",
            "1$smdp.example.com$ABC-123$1.2.3",
            "1$smdp.example.com$ABC-123$$1",
            "1$smdp.example.com$",
            "1$smdp.example.com$ABC$$$key",
            "smdp.example.com",
            "2$smdp.example.com$X",
            "1$$X",
            "",
            " 1$smdp.example.com$ABC-123 ",
            "1$smdp.example.com$A B",
        ]
    )
    | ODD
)
MINUTES = (
    st.sampled_from(
        [0.0, 15.0, 30.0, 16.0, 15.5, -1.0, -0.0, 2.0**32, 2.0**32 - 1, math.inf, math.nan, "15"]
    )
    | ODD
)
ICCIDS = (
    st.sampled_from(
        [
            ON_DEVICE,
            ON_DEVICE + "F",
            " " + ON_DEVICE,
            "8988247000101997791",
            "89000000000000000000",
            "12345",
            "8988247000101997790x",
        ]
    )
    | ODD
)
SCRIPT_NAMES = st.sampled_from(["onDone", "on_done$1", "", "1abc", "a.b", "é", "a\n"]) | ODD


VALID_FIELDS = {
    "userAccount": st.sampled_from(["New", "Existing", "Bailed", "None"]),
    "purchaseInstrument": st.sampled_from(["New", "Existing"]),
    "line": st.sampled_from(["New", "Existing"]),
    "moDirectStatus": st.sampled_from(["Complete", "Complete", "Complete", "Cancelled", "Bailed"]),
    "planName": st.sampled_from(["2GB Monthly", "2GB Monthly", ""]),
}


@st.composite
def metadata(draw: st.DrawFn) -> JsValue:
    """Mostly a valid object (all fields, or some left out), then none to two flaws."""
    if draw(st.integers(0, 9)) == 0:
        return draw(ODD)
    fields: dict[str, JsValue] = {}
    for key, values in VALID_FIELDS.items():
        if key in ("moDirectStatus", "planName") or draw(st.integers(0, 3)):
            fields[key] = draw(values)
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 0, 1, 2]))):
        flaw = draw(st.integers(0, 2))
        if flaw == 0:
            key = draw(st.sampled_from(list(FIELDS)))
            fields[key] = draw(FIELDS[key])
        elif flaw == 1:
            fields[draw(EXTRA_KEYS)] = draw(ENUM)
        else:
            fields.pop(draw(st.sampled_from(list(FIELDS))), None)
    entries = list(fields.items())
    if draw(st.booleans()):
        entries.reverse()
    return JsObject(tuple(entries))


@st.composite
def portal_call(draw: st.DrawFn, issued: list[str], operations: list[str]) -> PortalCall:
    inline = "MobilePlansInlineOperations"
    mostly_current = st.sampled_from([inline, inline, inline, "MobilePlans"])
    obj = draw(mostly_current | st.sampled_from(list(OBJECTS)))
    spec = OBJECTS[obj]
    kind = "set" if spec.script_properties and draw(st.integers(0, 2)) == 0 else "call"
    if kind == "set":
        member = draw(st.sampled_from(spec.script_properties))
        args: tuple[JsValue, ...] = (draw(SCRIPT_NAMES),)
    else:
        method = draw(st.sampled_from(spec.methods))
        member = method.name
        count = draw(st.sampled_from(method.arities)) if draw(st.integers(0, 19)) else 4
        args = tuple(draw(_argument(member, index, operations)) for index in range(count))
    operation_id = f"op-{len(issued)}" if draw(st.booleans()) else None
    if operation_id is not None:
        issued.append(operation_id)
    return PortalCall(obj, member, kind, args, operation_id, "https://p.example/", len(issued))


def _argument(member: str, index: int, operations: list[str]) -> st.SearchStrategy[Any]:
    if member == "notifyOperationCancel":
        ids = st.sampled_from([*operations[-3:], "nope"]) | ODD
        keys = st.sampled_from(["Id", "id"])
        return st.builds(lambda key, value: JsObject(((key, value),)), keys, ids) | ODD
    if index == 0:
        return metadata()
    if index == 1 and member == "notifyBalanceAddition":
        return st.just(ON_DEVICE) | ICCIDS
    if index == 1 and member == "notifyPurchaseDelayedProfile":
        return st.just(15.0) | MINUTES
    if index == 1:
        return st.just("1$smdp.example.com$ABC-123") | CODES
    return st.sampled_from([15.0, 30.0]) | MINUTES


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["esim", "esim", "esim", "psim"]))
def test_acceptors_agree_with_the_full_checker(data: st.DataObject, device: str) -> None:
    def new_session() -> ContractSession:
        return ContractSession(
            LaunchContext("t.1", device),  # type: ignore[arg-type]
            lambda: frozenset({ON_DEVICE}),
        )

    fast, full = new_session(), new_session()
    issued: list[str] = []
    if data.draw(st.booleans()):  # the callbacks first, as the sample portal does
        for seq, script_property in enumerate(SCRIPT_PROPERTIES):
            setup = PortalCall(
                "MobilePlansInlineOperations", script_property, "set", ("onDone",), None, "", seq
            )
            assert fast.check(setup) == full._check_in_full(setup)
    for _ in range(data.draw(st.integers(1, 12))):
        call = data.draw(portal_call(issued, [*full._operations]))
        got, expected = fast.check(call), full._check_in_full(call)
        assert got == expected, call
        assert (fast.handed_back, fast._scripts_set, fast._operations, fast._scripts) == (
            full.handed_back,
            full._scripts_set,
            full._operations,
            full._scripts,
        )


def test_plain_calls_take_the_acceptors() -> None:
    """The property test above would pass with no acceptor at all: these calls must be
    accepted by theirs (the full checker never runs), so the fast path is real."""
    session = ContractSession(LaunchContext("t.1", "esim"), lambda: frozenset({ON_DEVICE}))
    session._check_in_full = None  # type: ignore[assignment, method-assign]  # must not run
    md = JsObject(
        (
            ("userAccount", "New"),
            ("purchaseInstrument", "Existing"),
            ("line", "New"),
            ("moDirectStatus", "Complete"),
            ("planName", "2GB Monthly"),
        )
    )
    code = "1$smdp.example.com$ABC-123"
    inline = "MobilePlansInlineOperations"
    calls = [
        ("MobilePlans", "createPurchaseMetaData", "call", ()),
        (inline, "registrationChangedScript", "set", ("onRegistration",)),
        (inline, "profileActivationCompleteScript", "set", ("onActivation",)),
        (inline, "notifyProfileDownload", "call", (md, code, 15.0)),
        (inline, "notifyOperationCancel", "call", (JsObject((("Id", "op-4"),)),)),
        (inline, "notifyBalanceAddition", "call", (md, ON_DEVICE)),
        (inline, "notifyProfileDownload", "call", (md, code)),
    ]
    for seq, (obj, member, kind, args) in enumerate(calls, 1):
        call = PortalCall(obj, member, kind, args, f"op-{seq}", "", seq)  # type: ignore[arg-type]
        result = session.check(call)
        assert result.ok, call
        assert not result.violations
    assert session._operations == {"op-4": False, "op-6": False, "op-7": False}


def test_every_member_that_can_be_plain_has_an_acceptor() -> None:
    members = {key[:2] for key in _ACCEPTORS}
    for spec in OBJECTS.values():
        for method in spec.methods:
            plain_possible = spec.name in _CURRENT_OBJECTS and (
                (spec.name, method.name) not in _REMOVED_METHODS
            )
            assert ((spec.name, method.name) in members) is plain_possible, method.name
        for script_property in spec.script_properties:
            assert (spec.name, script_property) in members
    assert build_acceptors(_CURRENT_OBJECTS, _REMOVED_METHODS).keys() == _ACCEPTORS.keys()


VALID_MD = JsObject(
    (
        ("userAccount", "New"),
        ("purchaseInstrument", "Existing"),
        ("line", "New"),
        ("moDirectStatus", "Complete"),
        ("planName", "2GB Monthly"),
    )
)
CANCEL_MD = JsObject((("moDirectStatus", "Cancelled"), ("planName", "")))
CODE = "1$smdp.example.com$ABC-123"
INLINE = "MobilePlansInlineOperations"
# Each member's valid call, in a session whose callbacks are set and whose delayed download
# "op-delayed" can still be cancelled; each argument is then kept or replaced.
TEMPLATES: list[tuple[str, str, str, tuple[JsValue, ...], tuple[st.SearchStrategy[Any], ...]]] = [
    ("MobilePlans", "createPurchaseMetaData", "call", (), ()),
    (INLINE, "registrationChangedScript", "set", ("onDone",), (SCRIPT_NAMES,)),
    (INLINE, "notifyProfileDownload", "call", (VALID_MD, CODE), (metadata(), CODES)),
    (INLINE, "notifyProfileDownload", "call", (VALID_MD, CODE, 15.0), (metadata(), CODES, MINUTES)),
    (INLINE, "notifyOperationCancel", "call", (JsObject((("Id", "op-delayed"),)),),
     (st.builds(lambda key, value: JsObject(((key, value),)), st.sampled_from(["Id", "id"]),
                st.sampled_from(["op-delayed", "op-now", "nope"]) | ODD) | ODD,)),
    (INLINE, "notifyBalanceAddition", "call", (VALID_MD,), (metadata(),)),
    (INLINE, "notifyBalanceAddition", "call", (VALID_MD, ON_DEVICE), (metadata(), ICCIDS)),
    ("MobilePlans", "notifyPurchaseWithProfileDownload", "call", (VALID_MD, CODE, 30.0),
     (metadata(), CODES, MINUTES)),
    ("MobilePlans", "notifyCancelledPurchase", "call", (CANCEL_MD,), (metadata(),)),
]  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(TEMPLATES), st.sampled_from(["esim", "esim", "psim"]))
def test_near_valid_calls_agree(data: st.DataObject, template: Any, device: str) -> None:
    obj, member, kind, valid_args, replacements = template
    args = tuple(
        data.draw(replacement) if data.draw(st.integers(0, 2)) == 0 else valid
        for valid, replacement in zip(valid_args, replacements, strict=True)
    )
    callbacks_set = data.draw(st.integers(0, 4)) > 0  # else downloads are warned about
    sessions = []
    for check in ("check", "_check_in_full"):
        session = ContractSession(
            LaunchContext("t.1", device),  # type: ignore[arg-type]
            lambda: frozenset({ON_DEVICE}),
        )
        for script_property in SCRIPT_PROPERTIES if callbacks_set else ():
            session.check(PortalCall(INLINE, script_property, "set", ("onDone",), None, "", 1))
        for op, extra in (("op-delayed", (15.0,)), ("op-now", ())):
            prepared = PortalCall(INLINE, "notifyProfileDownload", "call",
                                  (VALID_MD, CODE, *extra), op, "", 2)  # fmt: skip
            session.check(prepared)
        call = PortalCall(obj, member, kind, args, "op-call", "", 3)  # type: ignore[arg-type]
        sessions.append((getattr(session, check)(call), session))
    (got, fast), (expected, full) = sessions
    assert got == expected
    assert (fast.handed_back, fast._scripts_set, fast._operations, fast._scripts) == (
        full.handed_back,
        full._scripts_set,
        full._operations,
        full._scripts,
    )
