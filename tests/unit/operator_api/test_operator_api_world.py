"""The service side: calls leave and come back as events, the way portal calls are logged."""

from __future__ import annotations

import queue
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.client import Exchange
from simulator.operator_api.config import NotificationType
from simulator.operator_api.requests import Api
from simulator.operator_api.sample_operator import ScriptedAnswer
from simulator.operator_api.world import OperatorApiWorld

ICCID = "8999001000000000018"


class _Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.loop = BackgroundLoop("operator-world-test")
        self.events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
        self.world = OperatorApiWorld(tmp_path, self.loop, self.events, self.posted.put)

    def wait(self, start: Callable[[Callable[[Exchange], None]], object]) -> Exchange:
        done: list[Exchange] = []
        start(done.append)
        while not done:
            self.posted.get(timeout=30)()
        return done[0]


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[_Harness]:
    built = _Harness(tmp_path)
    yield built
    built.world.close()
    built.loop.stop()


def test_balance_call_is_logged_request_then_response(harness: _Harness) -> None:
    exchange = harness.wait(lambda done: harness.world.get_balance(ICCID, done))
    assert exchange.checked.ok
    kinds = [e.kind for e in harness.events]
    assert kinds == ["operator_api.request", "operator_api.response"]
    request, response = list(harness.events)
    assert request.fields["api"] == "GetBalance"
    assert "/sims/iccid:8999001000000000018/balances" in request.fields["url"]
    assert request.fields["transactionId"] == response.fields["transactionId"]
    assert response.fields["status"] == 200
    assert response.fields["balances"][0]["type"] == "MODIRECTPAYG"
    assert harness.world.last["GetBalance"] is exchange


def test_a_bad_answer_becomes_contract_violations(harness: _Harness) -> None:
    sample = harness.world.sample
    assert sample is not None
    sample.script(Api.GET_OFFERS, ScriptedAnswer(200, {"offers": [{"gatewayId": "nope"}]}))
    harness.wait(lambda done: harness.world.get_offers(ICCID, "001102000315468", done))
    violations = [e for e in harness.events if e.kind == "contract.violation"]
    assert [v.fields["rule"] for v in violations] == ["offers.gatewayId.unknown"]
    assert violations[0].fields["spec"] == "docs/operator-apis.md#offers.gatewayId.unknown"
    assert violations[0].fields["severity"] == "error"
    assert violations[0].fields["object"] == "MO service"


def test_notifications_and_out_of_range_iccid(harness: _Harness) -> None:
    found = harness.wait(
        lambda done: harness.world.get_notifications(
            ICCID, NotificationType.ZERO_BALANCE, None, done
        )
    )
    assert found.checked.notification_ids == ["2"]
    template = harness.world.config.notification_template("2")
    assert template is not None
    assert template.notification_type is NotificationType.ZERO_BALANCE
    unknown = harness.wait(lambda done: harness.world.get_balance("8988247000100003319", done))
    assert unknown.checked.status == 404


def test_credentials_never_reach_the_log(tmp_path: Path) -> None:
    from dataclasses import replace

    from simulator.operator_api.config import BasicAuth

    loop = BackgroundLoop("operator-world-auth")
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    posted: queue.Queue[Callable[[], None]] = queue.Queue()
    world = OperatorApiWorld(tmp_path, loop, events, posted.put)
    try:
        world.requests.config = replace(world.config, basic_auth=BasicAuth("contoso", "hunter2"))
        done: list[Exchange] = []
        world.get_balance(ICCID, done.append)
        while not done:
            posted.get(timeout=30)()
        assert done[0].checked.status == 200  # the sample expects no credentials
        logged = next(e for e in events if e.kind == "operator_api.request")
        assert logged.fields["headers"]["Authorization"] == "Basic (redacted)"
        assert "hunter2" not in logged.to_json()
        assert "Y29udG9zbzpodW50ZXIy" not in logged.to_json()
    finally:
        world.close()
        loop.stop()


def test_a_teams_configuration_is_used_instead_of_the_sample(tmp_path: Path) -> None:
    """What `run --operator-config` builds: no sample server, the team's URL and CA."""
    from dataclasses import replace

    from simulator.operator_api.sample_config import sample_configuration
    from simulator.operator_api.sample_operator import SampleOperator
    from simulator.operator_api.tls import OperatorTls

    loop = BackgroundLoop("operator-world-team")
    tls = OperatorTls.load_or_create(tmp_path / "team-tls")
    team = SampleOperator(sample_configuration("https://127.0.0.1/v1/"), tls)
    loop.run(team.start())
    config = replace(sample_configuration(team.base_url), trusted_ca=tls.ca_file)
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    posted: queue.Queue[Callable[[], None]] = queue.Queue()
    world = OperatorApiWorld(tmp_path / "w", loop, events, posted.put, configuration=config)
    try:
        assert world.sample is None
        done: list[Exchange] = []
        world.get_offers(ICCID, None, done.append)
        while not done:
            posted.get(timeout=30)()
        assert done[0].checked.ok, done[0].checked.violations
        assert team.requests[-1]["path"].startswith(f"/v1/sims/iccid:{ICCID}/offers")
    finally:
        world.close()
        loop.run(team.stop())
        loop.stop()


def test_closing_cancels_an_exchange_still_connecting_and_closes_its_socket(
    tmp_path: Path,
) -> None:
    # A host that accepts and never answers: the call is still in its TLS handshake at close.
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    loop = BackgroundLoop("operator-world-close-test")
    posted: queue.Queue[Callable[[], None]] = queue.Queue()
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    world = OperatorApiWorld(
        tmp_path, loop, events, posted.put, base_url=f"https://127.0.0.1:{port}/v1/"
    )
    try:
        world.get_balance(ICCID)
        silent.settimeout(30)
        accepted, _ = silent.accept()  # the exchange is connected and waiting for TLS
        world.close()
        accepted.settimeout(30)
        # The client's side is closed by the time close() returns: the host reads the end,
        # not a socket left open for the garbage collector.
        while accepted.recv(4096):
            pass
        accepted.close()
        assert [e.kind for e in events] == ["operator_api.request"]  # nothing after close
    finally:
        loop.stop()
        silent.close()
