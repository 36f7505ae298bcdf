"""The report's sequence diagram shows the operator's service APIs: each call the Mobile Plans
service makes (drawn from the App) goes to an "MO service" lifeline and its answer comes back;
their findings sit on that lifeline. Events come from the real service world and sample
operator, not hand-made dictionaries."""

from __future__ import annotations

import queue
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
from simulator.replay import event_keys, lanes
from simulator.report.page_parts import checks
from simulator.report.sequence_svg import (
    ACTORS,
    MO_SERVICE,
    actors_of,
    render_sequence_svg,
    sequence_messages,
)

ICCID = "8999001000000000018"


class _World:
    def __init__(self, tmp_path: Path) -> None:
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.loop = BackgroundLoop("report-operator-test")
        self.events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
        self.world = OperatorApiWorld(tmp_path, self.loop, self.events, self.posted.put)

    def call(self, start: Callable[[Callable[[Exchange], None]], object]) -> Exchange:
        done: list[Exchange] = []
        start(done.append)
        while not done:
            self.posted.get(timeout=30)()
        return done[0]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventLog]:
    built = _World(tmp_path_factory.mktemp("operator"))
    world = built.world
    built.call(lambda done: world.get_balance(ICCID, done))
    assert world.sample is not None
    world.sample.script(Api.GET_OFFERS, ScriptedAnswer(200, {"offers": [{"gatewayId": "nope"}]}))
    built.call(lambda done: world.get_offers(ICCID, "001102000315468", done))
    built.call(
        lambda done: world.get_notifications(ICCID, NotificationType.LOW_BALANCE, None, done)
    )
    yield built.events
    world.close()
    built.loop.stop()


def test_each_call_goes_to_the_mo_service_and_its_answer_comes_back(session: EventLog) -> None:
    rows = [(m.source, m.target, m.style) for m in sequence_messages(session)]
    assert rows == [
        ("App", MO_SERVICE, "call"),
        (MO_SERVICE, "App", "reply"),
        ("App", MO_SERVICE, "call"),
        (MO_SERVICE, "App", "error"),  # an unknown gatewayId is not an answer the app can use
        (MO_SERVICE, MO_SERVICE, "error"),
        ("App", MO_SERVICE, "call"),
        (MO_SERVICE, "App", "reply"),
    ]
    labels = [m.label for m in sequence_messages(session)]
    assert labels[0].startswith(f"GetBalance GET /v1/sims/iccid:{ICCID}/balance")
    assert labels[1] == "200 GetBalance: MODIRECTPAYG"
    assert labels[3] == "200 GetOffers: no usable gatewayId"
    assert labels[4] == "✗ offers.gatewayId.unknown"
    assert labels[6].startswith("200 GetNotifications: notificationId ")
    assert "127.0.0.1" not in " ".join(labels)  # the host is the same on every row


def test_the_diagram_draws_the_mo_service_lifeline_only_when_used(session: EventLog) -> None:
    messages = sequence_messages(session)
    assert actors_of(messages) == ("Portal", "App", MO_SERVICE, "LPA", "eUICC", "SM-DP+")
    svg = render_sequence_svg(messages)
    assert f">{MO_SERVICE}</text>" in svg
    assert actors_of([]) == ACTORS
    assert MO_SERVICE not in render_sequence_svg([])


def test_recorded_keys_leave_out_what_changes_every_run(session: EventLog) -> None:
    keys = event_keys(session)
    assert all("MSFT-" not in key and "elapsed_ms" not in key for key in keys)
    assert all("127.0.0.1" not in key for key in keys)
    # the operator's answers and their findings are the app's lane, not the portal's
    assert lanes(keys)["page"] == []
    assert any("offers.gatewayId.unknown" in key for key in lanes(keys)["app"])


def test_the_contract_checks_list_each_answer_with_its_findings(session: EventLog) -> None:
    table = checks(list(session))
    rows = table.split("<tr>")[2:]  # after the header row
    assert len(rows) == 3
    assert "MO service GetBalance (200)" in rows[0]
    assert "Mobile Operator account management in Windows 10" in rows[0]
    assert 'class="ok">passed' in rows[0]
    assert "MO service GetOffers (200)" in rows[1]
    assert 'class="error">error' in rows[1]
    assert "offers.gatewayId.unknown" in rows[1]
    assert "docs/operator-apis.md#offers.gatewayId.unknown" in rows[1]
    assert "Mobile Plans notifications" in rows[2]


def test_a_gateway_images_findings_are_its_own_row_not_the_answer_before_it(
    tmp_path: Path,
) -> None:
    """An image's failure used to be listed under the GetBalance answer logged before it,
    turning a clean GetBalance into an error."""
    from simulator.operator_api.client import client_tls_context
    from simulator.operator_api.config import GatewayImage
    from simulator.operator_api.gateway_image_loader import GatewayImageLoader
    from simulator.operator_api.gateway_images import read_png_header

    built = _World(tmp_path)
    world = built.world
    try:
        built.call(lambda done: world.get_balance(ICCID, done))
        loader = GatewayImageLoader(
            built.loop, built.posted.put, built.events, lambda c: client_tls_context(c, b"")
        )
        refused = GatewayImage("https://127.0.0.1:1/promo.png", 740, 480)  # nothing listens
        arrived: list[object] = []
        loader.load(world.config, "0", (refused,), read_png_header, lambda i, r: arrived.append(r))
        while not arrived:
            built.posted.get(timeout=30)()
        rows = checks(list(built.events)).split("<tr>")[2:]
        assert len(rows) == 2
        assert "MO service GetBalance (200)" in rows[0]
        assert 'class="ok">passed' in rows[0]
        assert "gateway.image" not in rows[0]
        assert "MO service Gateway image https://127.0.0.1:1/promo.png (no answer)" in rows[1]
        assert "Mobile Plans gateway page" in rows[1]
        assert 'class="error">error' in rows[1]
        assert "gateway.image-unreachable" in rows[1]
        # on the MO service lifeline an error is drawn as one, and a warning as a warning
        assert world.sample is not None
        sample_spelling = {"type": "NONE", "dataRemaininginMB": 0, "timeRemaining": "PT0S"}
        world.sample.script(Api.GET_BALANCE, ScriptedAnswer(200, {"balances": [sample_spelling]}))
        built.call(lambda done: world.get_balance(ICCID, done))
        notes = [(m.label, m.style) for m in sequence_messages(built.events) if m.label[0] in "✗⚠"]
        assert notes == [
            ("✗ gateway.image-unreachable", "error"),
            ("⚠ balance.dataRemainingInMB.sample-spelling", "warning"),
        ]
        assert 'stroke="#8a5a00"' in render_sequence_svg(sequence_messages(built.events))
    finally:
        world.close()
        built.loop.stop()
