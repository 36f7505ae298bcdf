"""The whole JavaScript surface, injected at document creation, every call reaching Python."""

from __future__ import annotations

import re

from e2e_helpers import Harness

from simulator.contract.surface import ENUMS, OBJECTS
from simulator.contract.values import encode_js_value


def test_head_script_sees_every_object_at_once(harness: Harness) -> None:
    harness.launch_and_wait()
    assert harness.js("window.headSaw") == {
        "mobilePlans": "object",
        "inline": "object",
        "metadata": "object",
    }
    names = list(OBJECTS) + list(ENUMS)
    seen = harness.js(f"{names!r}.map((n) => [n, typeof window[n]])")
    assert dict(seen) == dict.fromkeys(names, "object")


def test_every_enum_member_has_its_documented_value(harness: Harness) -> None:
    harness.launch_and_wait()
    for enum_name, members in ENUMS.items():
        assert harness.js(f"Object.assign({{}}, window.{enum_name})") == dict(members)


def test_every_method_call_reaches_python_once_in_order_with_its_arguments(
    harness: Harness,
) -> None:
    harness.launch_and_wait()
    doc = harness.events("bridge.ready")[-1].fields["doc"]
    # The <head> script's last message: after it, none of the page's own calls is in flight.
    harness.wait_for("bridge.call", method="registrationChangedScript", doc=doc)
    start = len(harness.events("bridge.call"))
    expected: list[tuple[str, str, int]] = []
    script = []
    for object_name, spec in OBJECTS.items():
        holder = "window.external" if object_name == "external" else object_name
        for method in spec.methods:
            for arity in method.arities:
                args = ", ".join(f'"{method.name}-{i}"' for i in range(arity))
                script.append(f"results.push({holder}.{method.name}({args}));")
                expected.append((object_name, method.name, arity))
    results = harness.js(
        "(function(){ const results = [];" + "".join(script) + " return results; })()"
    )
    harness.qtbot.waitUntil(
        lambda: len(harness.events("bridge.call")) - start >= len(expected), timeout=10000
    )
    calls = harness.events("bridge.call")[start:]
    assert [
        (c.fields["object"], c.fields["method"], len(c.fields["args"])) for c in calls
    ] == expected
    for call, (_, method, arity) in zip(calls, expected, strict=True):
        assert call.fields["args"] == [encode_js_value(f"{method}-{i}") for i in range(arity)]
    # Inline operations answer {Id} at once; the same Id reaches Python with the call.
    for result, call in zip(results, calls, strict=True):
        spec = OBJECTS[call.fields["object"]].method(call.fields["method"])
        assert spec is not None
        if spec.returns == "operation":
            assert set(result) == {"Id"}
            assert result["Id"] == call.fields["operationId"]
        elif spec.returns == "metadata":
            assert result == {}
        else:
            assert result is None


def test_script_properties_are_settable_names_and_function_references(harness: Harness) -> None:
    harness.launch_and_wait()
    value = harness.js(
        "(function(){ MobilePlansInlineOperations.registrationChangedScript = 'onRegistration';"
        " return MobilePlansInlineOperations.registrationChangedScript; })()"
    )
    assert value == "onRegistration"
    harness.js(
        "(function(){ DataMartInlineProfile.profileActivationCompleteScript ="
        " function onX(){}; return 1; })()"
    )
    event = harness.wait_for("contract.violation", rule="callbacks.function-reference")
    assert event.fields["severity"] == "warning"


def test_launch_carries_the_documented_parameters_and_headers(harness: Harness) -> None:
    seen: list[tuple[str, str, dict[str, str]]] = []
    harness.simulator.runtime.front.observe(lambda s, h, p, headers: seen.append((h, p, headers)))
    harness.launch_and_wait()
    launch = harness.events("portal.launch")[-1].fields
    params = launch["params"]
    assert params["market"] == "US"
    assert params["location"] == "US"
    assert params["imei"] == "001102000315468"
    assert params["eid"] == "89033023422130000000000199055797"
    assert "iccids" not in params  # no profiles yet: "this parameter is not sent" (§2.2)
    assert re.fullmatch(r"[A-Za-z0-9+/]{16}\.1", params["transactionId"])
    assert "%2F" in launch["url"] or "/" not in params["transactionId"]
    portal_requests = [headers for host, path, headers in seen if path.startswith("/?market=")]
    assert portal_requests
    assert portal_requests[-1]["Accept-Language"].startswith("en-us")
    harness.launch_and_wait()
    assert harness.events("portal.launch")[-1].fields["params"]["transactionId"].endswith(".2")
