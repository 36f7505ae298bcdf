"""Callbacks reach the portal when they happen (issue 9 point 4), on the stepped clock, no Qt.

The page is a fake that answers each callback only when the test lets it, as a real page
answers asynchronously: time must stand still until it does, and the flow's next state change
(and its end) must come after the portal heard the previous one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from esim.activation_code import ActivationCode
from simulator.clock import VirtualClock
from simulator.contract.commands import NotifyProfileDownload, NotifyPurchaseWithProfileDownload
from simulator.contract.metadata import PurchaseMetadata
from simulator.device import SimulatedDevice
from simulator.events import Event, EventLog
from simulator.flows.engine import FlowEngine
from simulator.flows.portal_session import CALLBACK_ANSWER_SECONDS, PortalSession
from simulator.flows.ports import CardOutcome, DownloadOutcome, Progress
from simulator.flows.screens import Screen
from simulator.network import SimulatedNetwork

ICCID = "8999001203388056040"
AC = "1$smdp.mobileplans.test$ORDER-1"
DOC = "doc-1"
METADATA = PurchaseMetadata("New", "New", "New", "Complete", "Contoso 5 GB", {})


class FakeReal:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakePage:
    """The portal page: records each callback and answers when told to."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)

    def deliver_callback(self, doc: str, script_property: str, argument: str) -> str | None:
        callback_id = f"cb-{len(self.requests) + 1}"
        self.requests.append((callback_id, script_property, argument))
        return callback_id


@dataclass
class FakeEsim:
    """A card whose download and enable end at once with the chosen outcome."""

    error: str = "success"
    enabled: str | None = None

    def download(
        self,
        activation_code: str,
        *,
        confirmation_code: str | None,
        progress: Progress,
        done: Callable[[DownloadOutcome], None],
    ) -> None:
        for sent in range(0, 4096 + 1, 1024):
            progress("loadBoundProfilePackage", sent, 4096)
        ok = self.error == "success"
        done(DownloadOutcome(activation_code, ICCID if ok else None, self.error, "", "x"))

    def enable(self, iccid: str, done: Callable[[CardOutcome], None]) -> None:
        self.enabled = iccid
        done(CardOutcome(True, "OK"))

    def iccids(self) -> list[str]:
        return [ICCID] if self.enabled else []

    def enabled_iccid(self) -> str | None:
        return self.enabled

    def discover(self) -> str | None:
        return None


@dataclass
class Rig:
    real: FakeReal
    clock: VirtualClock
    events: EventLog
    page: FakePage
    session: PortalSession
    engine: FlowEngine
    answered: int = 0

    def answer_all(self) -> int:
        """The page answers every pending callback, and those its answers cause; how many."""
        start = self.answered
        while self.answered < len(self.page.requests):
            callback_id = self.page.requests[self.answered][0]
            self.answered += 1
            self.session.callback_result(callback_id, True, "portalFunction", "", "")
        return self.answered - start

    def timeline(self, *kinds: str) -> list[tuple[float, str, str]]:
        return [(e.t, e.kind, _what(e)) for e in self.events if e.kind in kinds]


def _what(event: Event) -> str:
    fields = event.fields
    if event.kind == "portal.callback":
        argument = json.loads(str(fields["argument"]))
        value = argument.get("networkRegistrationState") or argument.get("activationResult")
        return f"{fields['property']}={value} delivered={fields['delivered']}"
    if event.kind == "network.registration":
        return str(fields["state"])
    if event.kind == "ui.screen":
        return str(fields["screen"])
    if event.kind == "ui.toast":
        return str(fields["text"])
    return str(fields.get("state", ""))


@pytest.fixture
def rig() -> Rig:
    real = FakeReal()
    clock = VirtualClock(0, real_now=real)
    events = EventLog(clock)
    page = FakePage()
    device = SimulatedDevice.configure(kind="esim", imei=None, eid=None)
    session = PortalSession(events, device, channel=page)
    network = SimulatedNetwork(clock, events)
    engine = FlowEngine(clock, events, FakeEsim(), network, session)
    session.flows = engine
    session.launched("transaction-1")
    session.document_ready(DOC, "https://contoso.example/")
    return Rig(real, clock, events, page, session, engine)


def _inline(delay: int | None = None) -> NotifyProfileDownload:
    return NotifyProfileDownload(
        "MobilePlansInlineOperations", METADATA, ActivationCode.parse(AC), delay, "op-1", False
    )


FLOW_KINDS = ("flow.state", "portal.callback", "network.registration")


def test_inline_download_calls_back_at_the_instant_of_each_state_change(rig: Rig) -> None:
    rig.engine.start(_inline(), DOC)
    # The activation result is on its way: time stands still, registration has not begun.
    assert rig.clock.held
    assert rig.clock.advance(60) == 0
    assert rig.clock.now() == 0
    assert rig.events.of_kind("network.registration") == []
    # The page answers; the 60 s asked for meanwhile then play: the 8 s search ends in them.
    assert rig.answer_all() == 3
    assert rig.timeline(*FLOW_KINDS) == [
        (0.0, "flow.state", "started"),
        (0.0, "flow.state", "downloading"),
        (0.0, "flow.state", "installed"),
        (0.0, "flow.state", "enabling"),
        (0.0, "flow.state", "enabled"),
        (0.0, "portal.callback", "profileActivationCompleteScript=success delivered=True"),
        (0.0, "flow.state", "registering"),
        (0.0, "network.registration", "searching"),
        (0.0, "portal.callback", "registrationChangedScript=searching delivered=True"),
        (8.0, "network.registration", "home"),
        (8.0, "portal.callback", "registrationChangedScript=home delivered=True"),
        (8.0, "flow.state", "connected"),
    ]
    assert rig.clock.now() == 60.0
    assert not rig.clock.held


def test_the_flow_is_finished_only_once_its_last_callback_is_delivered(rig: Rig) -> None:
    rig.engine.start(_inline(), DOC)
    rig.answer_all()
    rig.clock.advance(8)
    assert rig.clock.held  # `home` is on its way into the page
    assert rig.events.of_kind("flow.state")[-1].fields["state"] == "registering"
    rig.answer_all()
    assert rig.events.of_kind("flow.state")[-1].fields["state"] == "connected"


def test_delayed_download_reaches_home_in_the_portal_before_it_ends(rig: Rig) -> None:
    rig.engine.start(_inline(delay=30), DOC)
    rig.clock.advance(30 * 60)
    toast = next(t for t in rig.engine.toasts.values() if "Download" in t.actions)
    rig.engine.toast_answered(toast.toast_id, "Download")
    rig.answer_all()
    rig.clock.advance(8)
    rig.answer_all()
    assert rig.timeline(*FLOW_KINDS, "ui.toast") == [
        (0.0, "flow.state", "started"),
        (0.0, "flow.state", "scheduled"),
        (0.0, "ui.toast", "Your Contoso Mobile eSIM profile will be installed later."),
        (1800.0, "flow.state", "toast-shown"),
        (1800.0, "ui.toast", "Your Contoso Mobile eSIM profile is ready to download."),
        (1800.0, "flow.state", "downloading"),
        (1800.0, "flow.state", "installed"),
        (1800.0, "flow.state", "enabling"),
        (1800.0, "flow.state", "enabled"),
        (1800.0, "portal.callback", "profileActivationCompleteScript=success delivered=True"),
        (1800.0, "flow.state", "registering"),
        (1800.0, "network.registration", "searching"),
        (1800.0, "portal.callback", "registrationChangedScript=searching delivered=True"),
        (1808.0, "network.registration", "home"),
        (1808.0, "portal.callback", "registrationChangedScript=home delivered=True"),
        (1808.0, "flow.state", "connected"),
    ]


def test_async_connectivity_connects_after_the_rounded_interval_without_callbacks(
    rig: Rig,
) -> None:
    command = NotifyPurchaseWithProfileDownload(
        "MobilePlans", METADATA, ActivationCode.parse(AC), 50, 60
    )
    rig.engine.start(command, DOC)
    assert not rig.clock.held  # the portal handed over: nothing is called back into it
    rig.clock.advance(60 * 60)
    rig.clock.advance(8)
    kinds = (*FLOW_KINDS, "ui.toast", "ui.screen")
    assert rig.timeline(*kinds)[-11:] == [
        (0.0, "flow.state", "installed"),
        (0.0, "flow.state", "enabling"),
        (0.0, "flow.state", "enabled"),
        (0.0, "network.registration", "denied"),
        (0.0, "flow.state", "registration-error-expected"),
        (0.0, "ui.screen", "connecting"),
        (3600.0, "flow.state", "registering"),
        (3600.0, "network.registration", "searching"),
        (3608.0, "network.registration", "home"),
        (3608.0, "flow.state", "connected"),
        (3608.0, "ui.toast", "You’re connected to the cellular network with Contoso Mobile."),
    ]
    assert rig.page.requests == []


def test_a_page_that_never_answers_cannot_stop_the_clock(rig: Rig) -> None:
    rig.engine.start(_inline(), DOC)
    rig.clock.advance(3600)
    rig.real.now += CALLBACK_ANSWER_SECONDS - 0.1
    rig.clock.tick()
    assert rig.clock.held
    rig.real.now += 0.2
    rig.clock.tick()  # the activation callback expires; `searching` is sent and held again
    callback = rig.events.of_kind("portal.callback")[0]
    assert callback.fields["delivered"] is False
    assert f"did not answer within {CALLBACK_ANSWER_SECONDS:g} s" in str(callback.fields["reason"])
    assert rig.clock.held
    rig.real.now += CALLBACK_ANSWER_SECONDS + 0.1
    rig.clock.tick()  # `searching` expires; the deferred hour plays, `home` is sent
    rig.real.now += CALLBACK_ANSWER_SECONDS + 0.1
    rig.clock.tick()
    assert not rig.clock.held
    assert rig.events.of_kind("flow.state")[-1].fields["state"] == "connected"
    assert rig.clock.now() == 3600.0
    # A late answer to an expired callback changes nothing.
    before = len(rig.events)
    rig.session.callback_result("cb-1", True, "late", "", "")
    assert len(rig.events) == before


def test_a_new_document_ends_the_wait_for_the_one_that_navigated_away(rig: Rig) -> None:
    rig.engine.start(_inline(), DOC)
    assert rig.clock.held
    rig.session.document_ready("doc-2", "https://contoso.example/next")
    first = rig.events.of_kind("portal.callback")[0]
    assert first.fields["delivered"] is False
    assert first.fields["reason"] == "the page that asked navigated away first"
    # The registration callbacks are for the page that asked, which is gone: not sent.
    assert not rig.clock.held
    rig.clock.advance(8)
    assert rig.events.of_kind("flow.state")[-1].fields["state"] == "connected"
    assert len(rig.page.requests) == 1


def test_a_failed_download_shows_the_error_after_the_portal_heard_it(rig: Rig) -> None:
    rig.engine.esim = FakeEsim(error="invalidMatchingId")
    rig.engine.start(_inline(), DOC)
    assert [e.fields["screen"] for e in rig.events.of_kind("ui.screen")][-1] == "progress-popup"
    rig.answer_all()
    screen = rig.events.of_kind("ui.screen")[-1]
    callback = rig.events.of_kind("portal.callback")[-1]
    assert callback.seq < screen.seq
    assert screen.fields["screen"] == "error"
    assert screen.fields["title"] == "Can’t complete your order"
    assert "INVALID_MATCHING_ID (invalidMatchingId)" in str(screen.fields["body"])


def test_progress_is_one_screen_and_many_progress_events(rig: Rig) -> None:
    rig.engine.start(_inline(), DOC)
    screens = [e.fields["screen"] for e in rig.events.of_kind("ui.screen")]
    assert screens == ["portal", "progress-popup", "portal"]
    progress = rig.events.of_kind("lpa.progress")
    assert [e.fields["text"] for e in progress][-1] == "Installing eSIM profile (4KB of 4KB)"
    assert {e.fields["screen"] for e in progress} == {"progress-popup"}


def test_back_on_the_load_failed_page_returns_to_the_provider_page(rig: Rig) -> None:
    """The load-failed page has no button of its own ("Mobile Plans General Appendix"); the
    title bar's back leaves it, so another operator can be chosen."""
    rig.session.load_failed("https://down.example/", "cv.1")
    assert rig.session.screen is Screen.LOAD_FAILED
    assert rig.session.back_pressed(can_go_back=True) is False  # nothing for the view to do
    assert rig.session.screen is Screen.PROVIDER
    assert not rig.session.portal_open
    assert rig.timeline("flow.state", "ui.screen")[-2:] == [
        (0.0, "flow.state", "left-after-load-failure"),
        (0.0, "ui.screen", "provider"),
    ]
