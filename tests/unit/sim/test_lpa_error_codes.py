"""X-MP-LPAError-Codes / -ICCIDs: every ESimOperationStatus member the header may carry is
producible by a device condition or an order behaviour, and the ICCID tried is reported.

Public pages: "Mobile Plans eSIM error handling" (mobile-plans-eSIM-error-handling.md) for the
headers, and the UWP reference "ESimOperationStatus Enum" for the member names.
"""

from __future__ import annotations

import queue
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from esim.lpa.activation_errors import to_lpa_error
from esim.lpa.errors import Es10Error
from esim.smdp import OrderBehaviour
from esim.smdp.behaviours import Step
from esim.smdp.orders import IN_USE_STATES, OrderState
from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.device import SimulatedDevice
from simulator.esim_world import EsimWorld
from simulator.events import EventLog
from simulator.flows.errors import LpaErrorLog
from simulator.flows.ports import DownloadOutcome
from simulator.portal.launch import CorrelationVector, LaunchBuilder
from simulator.portal.lpa_error_codes import (
    ESIM_OPERATION_STATUS_MEMBERS,
    NEWER_MEMBERS,
    esim_operation_status,
)

EID = "89033023422130000000000199055797"


class _World:
    """An EsimWorld whose `post` queues work for the test thread (no Qt)."""

    def __init__(self, tmp_path: Path) -> None:
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.clock = VirtualClock(0, real_now=lambda: 0.0)
        self.loop = BackgroundLoop()
        self.esim = EsimWorld(
            tmp_path,
            eid=EID,
            loop=self.loop,
            clock=self.clock,
            events=EventLog(self.clock),
            post=self.posted.put,
        )

    def download(self, activation_code: str) -> DownloadOutcome:
        outcomes: list[DownloadOutcome] = []
        self.esim.download(
            activation_code,
            confirmation_code=None,
            progress=lambda *_: None,
            done=outcomes.append,
        )
        while not outcomes:
            self.posted.get(timeout=60)()
        return outcomes[0]

    def close(self) -> None:
        self.esim.close()
        self.loop.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_World]:
    built = _World(tmp_path_factory.mktemp("esim"))
    yield built
    built.close()


def _header_after(world: _World, outcome: DownloadOutcome) -> dict[str, str]:
    """What the next launch sends, exactly as the flows record a failure."""
    log = LpaErrorLog(world.clock)
    iccid = outcome.iccid or outcome.attempted_iccid or ""
    log.record(outcome.activation_error, iccid, outcome.rule)
    builder = LaunchBuilder(
        "https://portal.example/", SimulatedDevice(), cv=CorrelationVector(random.Random(1))
    )
    return builder.build(log.take()).headers


def test_the_five_newer_members_follow_the_24_mirrored_ones() -> None:
    assert len(ESIM_OPERATION_STATUS_MEMBERS) == 29
    assert ESIM_OPERATION_STATUS_MEMBERS[4] == "InsufficientSpaceOnCard"
    assert ESIM_OPERATION_STATUS_MEMBERS[23] == "NoCorrespondingRequest"
    assert ESIM_OPERATION_STATUS_MEMBERS[25] == "IccidAlreadyExists"
    assert esim_operation_status("serverFailure") == "ServerFailure"
    assert esim_operation_status("invalidJson") == "Other"  # app-level: no counterpart


def test_retries_exceeded_by_order_behaviour(world: _World) -> None:
    order = world.esim.create_order(
        behaviour=OrderBehaviour(
            fail_at=Step.AUTHENTICATE_CLIENT, failure_subject="8.8.5", failure_reason="6.4"
        )
    )
    outcome = world.download(order.activation_code)
    assert not outcome.ok
    headers = _header_after(world, outcome)
    assert headers["X-MP-LPAError-Codes"] == "ProfileDownloadMaxRetriesExceeded"
    # the ICCID the user tried, known from the order, although the card never saw it
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid


def test_timeout_by_a_slow_order(world: _World) -> None:
    order = world.esim.create_order(behaviour=OrderBehaviour(latency_seconds=1.0))
    world.esim.es9_timeout_seconds = 0.2
    try:
        outcome = world.download(order.activation_code)
    finally:
        world.esim.es9_timeout_seconds = 30.0
    headers = _header_after(world, outcome)
    assert outcome.activation_error == "serverNotReachable"
    assert headers["X-MP-LPAError-Codes"] == "TimeoutWaitingForResponse"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid


def test_server_not_trusted_by_device_condition(world: _World) -> None:
    order = world.esim.create_order()
    world.esim.set_smdp_trusted(False)
    try:
        outcome = world.download(order.activation_code)
    finally:
        world.esim.set_smdp_trusted(True)
    assert world.esim.smdp_trusted
    headers = _header_after(world, outcome)
    assert headers["X-MP-LPAError-Codes"] == "ServerNotTrusted"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid


def test_iccid_already_exists_when_the_operator_reissues_an_installed_iccid(
    world: _World,
) -> None:
    first = world.esim.create_order()
    assert world.download(first.activation_code).ok
    # the operator recycles the ICCID in its SM-DP+ while the profile is still on the card
    current = world.esim.orders.get(first.matching_id)
    assert current is not None
    world.esim.orders.transition(current, IN_USE_STATES, OrderState.DELETED, "deleted")
    again = world.esim.create_order(iccid=first.iccid)
    outcome = world.download(again.activation_code)
    assert outcome.activation_error == "other"
    headers = _header_after(world, outcome)
    assert headers["X-MP-LPAError-Codes"] == "IccidAlreadyExists"
    assert headers["X-MP-LPAError-ICCIDs"] == first.iccid


def test_profile_processing_error_maps_from_bpp_error_reason_12() -> None:
    error = to_lpa_error(
        Es10Error("LoadBoundProfilePackage", 12, "installFailedDueToPEProcessingError", "SGP.22"),
        "LoadBoundProfilePackage",
    )
    assert esim_operation_status(error.activation_error, error.rule) == "ProfileProcessingError"


def test_profile_processing_error_by_a_corrupt_package(world: _World) -> None:
    order = world.esim.create_order(behaviour=OrderBehaviour(corrupt_package=True))
    outcome = world.download(order.activation_code)
    assert not outcome.ok
    # the card itself refused the profile elements (BPP errorReason 12), nothing was installed
    assert outcome.rule == "es10.LoadBoundProfilePackage.installFailedDueToPEProcessingError"
    assert order.iccid not in [profile.iccid for profile in world.esim.profiles()]
    headers = _header_after(world, outcome)
    assert headers["X-MP-LPAError-Codes"] == "ProfileProcessingError"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid


def test_every_newer_member_has_a_rule() -> None:
    from simulator.portal import lpa_error_codes

    assert set(NEWER_MEMBERS) <= set(lpa_error_codes._BY_RULE.values())


def test_foreign_activation_code_reports_no_iccid(world: _World) -> None:
    assert world.esim.ordered_iccid("1$smdp.other.example$ABC") is None
    assert world.esim.ordered_iccid("not an activation code") is None
