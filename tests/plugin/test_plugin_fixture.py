"""The mobile_plans fixture, run as a portal team runs it: in its own pytest process."""

from __future__ import annotations

import json

import pytest
from conftest import run

PASSING_AND_FAILING = """
import pytest

MD = "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB', userAccount: 'New'}"


def test_inline_download_connects(mobile_plans):
    order = mobile_plans.smdp.create_order()
    mobile_plans.launch()
    mobile_plans.js(
        "MobilePlansInlineOperations.notifyProfileDownload(%s, '%s')" % (MD, order.activation_code)
    )
    mobile_plans.wait_for("flow.state", state="registering", timeout=30)
    mobile_plans.clock.advance(minutes=1)
    connected = mobile_plans.wait_for("flow.state", state="connected")
    assert connected.fields["iccid"] == order.iccid
    assert [p.state for p in mobile_plans.euicc.profiles()] == ["enabled"]
    assert mobile_plans.network.state(order.iccid) == "home"


@pytest.mark.mobile_plans(device="psim", market="GB", location="FR", imei="490154203237518")
def test_marker_sets_the_device(mobile_plans):
    launch = mobile_plans.launch()
    assert launch.params["market"] == "GB"
    assert launch.params["location"] == "FR"
    assert launch.params["imei"] == "490154203237518"
    assert "eid" not in launch.params


def test_a_wrong_expectation_fails_readably(mobile_plans):
    mobile_plans.launch()
    mobile_plans.js("MobilePlans.notifyCancelledPurchase({planName: 42})")
    mobile_plans.wait_for("flow.state", state="connected", timeout=1)
"""


def test_pass_and_fail_with_the_last_events_and_the_violations(
    plugin_pytester: pytest.Pytester,
) -> None:
    plugin_pytester.makepyfile(test_portal=PASSING_AND_FAILING)
    result = run(plugin_pytester, "-q")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*waited 1 s for an event flow.state state=connected; the last events were:*",
            "*mobile_plans: last events*",
            "*bridge.call*notifyCancelledPurchase*",
            "*mobile_plans: contract violations*",
            "*error: *",
        ]
    )
    # the failure is the simulator's story, not a Qt or plugin stack
    assert "simulator/pytest_plugin/driver.py" not in out
    assert "QtCore" not in out


ISOLATION = """
import json
import os

import pytest


@pytest.mark.parametrize("n", range(4))
def test_each_worker_has_its_own_runtime(mobile_plans, mobile_plans_runtime, tmp_path, n):
    order = mobile_plans.smdp.create_order()
    mobile_plans.launch()
    record = {
        "pid": os.getpid(),
        "portal_port": mobile_plans_runtime.sockets.tls_port,
        "smdp_port": mobile_plans.simulator.esim.smdp_port,
        "data_dir": str(mobile_plans.data_dir),
        "orders": [o.matching_id for o in mobile_plans.smdp.orders()],
        "order": order.matching_id,
    }
    with open(os.environ["ISOLATION_LOG"], "a") as log:
        log.write(json.dumps(record) + "\\n")
"""


def test_xdist_workers_never_share_ports_or_state(
    plugin_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = plugin_pytester.path / "isolation.jsonl"
    monkeypatch.setenv("ISOLATION_LOG", str(log))
    plugin_pytester.makepyfile(test_isolation=ISOLATION)
    result = run(plugin_pytester, "-q", "-n", "2")
    result.assert_outcomes(passed=4)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    by_pid: dict[int, set[int]] = {}
    for record in records:
        by_pid.setdefault(record["pid"], set()).add(record["portal_port"])
        assert record["orders"] == [record["order"]]  # a fresh SM-DP+ per test
    assert len(by_pid) == 2
    ports = [next(iter(p)) for p in by_pid.values() if len(p) == 1]
    assert len(ports) == 2
    assert ports[0] != ports[1]
    assert len({r["smdp_port"] for r in records}) == 4
    assert len({r["data_dir"] for r in records}) == 4


REPORTS = """
def test_inline(mobile_plans):
    order = mobile_plans.smdp.create_order()
    mobile_plans.launch()
    mobile_plans.js(
        "MobilePlansInlineOperations.notifyProfileDownload({moDirectStatus: 'Complete',"
        " planName: 'P', userAccount: 'New'}, '%s')" % order.activation_code
    )
    mobile_plans.wait_for("flow.state", state="registering", timeout=30)
    mobile_plans.clock.advance(minutes=1)
    mobile_plans.wait_for("flow.state", state="connected")


def test_fails(mobile_plans):
    mobile_plans.launch()
    assert mobile_plans.screen == "error"
"""


def test_report_option_writes_one_page_per_test_and_an_index(
    plugin_pytester: pytest.Pytester,
) -> None:
    folder = plugin_pytester.path / "reports"
    folder.mkdir()
    (folder / "index.html").write_text("an earlier run's index")
    plugin_pytester.makepyfile(test_reported=REPORTS)
    # under xdist: the workers write the pages, the controller the index
    result = run(plugin_pytester, "-q", "-n", "2", "--mobile-plans-report", "reports")
    result.assert_outcomes(passed=1, failed=1)
    index = (folder / "index.html").resolve()
    result.stdout.fnmatch_lines([f"mobile_plans reports: {index}"])
    pages = sorted(p.name for p in folder.glob("*.html"))
    assert pages == [
        "index.html",
        "test_reported.py_test_fails.html",
        "test_reported.py_test_inline.html",
    ]
    listing = index.read_text("utf-8")
    assert listing.count('<span class="outcome PASS">PASS</span>') == 1
    assert listing.count('<span class="outcome FAIL">FAIL</span>') == 1
    assert '<a href="test_reported.py_test_fails.html">test_reported.py::test_fails</a>' in listing
    assert "assert &#x27;portal&#x27; == &#x27;error&#x27;" in listing
    assert "1 passed, 1 failed" in listing
    failed = (folder / "test_reported.py_test_fails.html").read_text("utf-8")
    passed = (folder / "test_reported.py_test_inline.html").read_text("utf-8")
    assert "<title>test_reported.py::test_fails — FAIL: AssertionError: assert" in failed
    assert "<title>test_reported.py::test_inline — PASS</title>" in passed
    assert "<svg" in passed
    assert "ES9+ GetBoundProfilePackage" in passed
    assert "data:image/png;base64," in passed
    assert "Failure details" in failed
