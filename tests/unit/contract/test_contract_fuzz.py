"""Property: no portal call, however odd, makes the checker raise; a rejection always says why."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.contract import ContractSession, LaunchContext, PortalCall, Severity
from simulator.contract.surface import OBJECTS
from simulator.contract.values import UNDEFINED, JsArray, JsFunction, JsObject, JsOpaque

KEYS = ["userAccount", "purchaseInstrument", "line", "lineType", "moDirectStatus",
        "modirectStatus", "planName", "Id", "__proto__", "x"]  # fmt: skip
SAMPLES = ["", "New", "Complete", "complete", "1$a.b$c", "LPA:1$a.b$c", "15",
           "8988247000101997790", '{"ver":"1"}', "{", "onDone"]  # fmt: skip
STRINGS = st.sampled_from(SAMPLES) | st.text(max_size=12)
JS = st.recursive(
    st.sampled_from([UNDEFINED, None, True, False, JsOpaque("cycle", "[Circular]")])
    | st.floats()
    | st.integers(-(2**40), 2**40).map(float)
    | STRINGS
    | st.builds(JsFunction, st.text(max_size=4)),
    lambda children: (
        st.lists(children, max_size=3).map(lambda x: JsArray(tuple(x)))
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=3), children, max_size=6).map(
            lambda d: JsObject(tuple(d.items()))
        )
    ),
    max_leaves=25,
)
MEMBERS = [(o.name, m.name, "call") for o in OBJECTS.values() for m in o.methods] + [
    (o.name, p, "set") for o in OBJECTS.values() for p in o.script_properties
] + [("MobilePlans", "nope", "call"), ("Foo", "bar", "set")]  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(MEMBERS), st.lists(JS, max_size=4), st.none() | st.text(max_size=3)
        ),
        max_size=6,
    )
)
def test_check_never_raises(calls: list) -> None:  # type: ignore[type-arg]
    session = ContractSession(
        LaunchContext("t.1", "esim"), lambda: frozenset({"8988247000101997790"})
    )
    for seq, ((obj, member, kind), args, op) in enumerate(calls):
        result = session.check(
            PortalCall(obj, member, kind, tuple(args), op, "https://p.example/", seq)
        )
        assert all(v.rule != "contract.internal-error" for v in result.violations), (
            result.violations
        )
        if result.command is None:
            assert any(v.severity is Severity.ERROR for v in result.violations)
        assert all(len(v.message) < 2000 for v in result.violations)
