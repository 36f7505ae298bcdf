"""Billing-cycle end to end: clock timer → PromoChange → real HTTP → listener → line (§1.2.1)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

import pytest

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.thingspace.billing import BillingCycle
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.delivery import Deliverer
from simulator.thingspace.listener import CallbackListener
from simulator.thingspace.platform import BILLING_SEND_DELAY, Platform
from simulator.thingspace.registrations import RegisteredVia, RegistrationStore

ICCID = str(Iccid.with_check_digit("890126012345678901"))
DAY = 86400.0


def _model(path: Path, billing: BillingCycle) -> CarrierModel:
    model = CarrierModel.open(path)
    model.create_line(
        ICCID,
        "M2M_4G",
        [Promotion("MARCH", datetime(2017, 3, 20)), Promotion("SUMMER", datetime(2017, 8, 31))],
        mdn="3124705797",
        billing=billing,
    )
    return model


@pytest.mark.parametrize(
    ("billing", "via", "first_end"),
    [
        (BillingCycle(day_of_month=1), RegisteredVia.SOAP, 31 * DAY),  # 1 March → 1 April
        (BillingCycle(period_days=30), RegisteredVia.REST, 30 * DAY),
    ],
)
def test_cycle_end_sends_promo_change_into_the_listener_and_off_the_line(
    tmp_path: Path, billing: BillingCycle, via: RegisteredVia, first_end: float
) -> None:
    clock = VirtualClock(0, real_now=time.monotonic)
    events = EventLog(clock)
    platform_side = _model(tmp_path / "platform", billing)
    operator_side = _model(tmp_path / "operator", billing)
    store = RegistrationStore.open()

    async def main() -> None:
        listener = CallbackListener(operator_side, "sim-user", "sim-pass", events)
        port = await listener.start()
        store.register(
            "TestAccount-2",
            "PromoChanges",
            f"http://127.0.0.1:{port}/promo",
            username="sim-user",
            password="sim-pass",
            via=via,
        )
        deliverer = Deliverer(clock, events, asyncio.get_running_loop())
        platform = Platform(clock, events, store, deliverer, platform_side)
        try:
            platform.start_billing()
            (timer,) = clock.pending()
            assert timer.due == first_end + BILLING_SEND_DELAY
            clock.advance(first_end)  # the cycle ends; "shortly after" has not come yet
            await deliverer.settle()
            assert events.of_kind("thingspace.sent") == []
            clock.advance_to_next()
            await deliverer.settle()
            # The next cycle's timer is armed; it ends with nothing to report.
            (next_timer,) = clock.pending()
            assert next_timer.due > first_end + BILLING_SEND_DELAY
            clock.advance_to_next()
            await deliverer.settle()
        finally:
            await deliverer.close()
            await listener.stop()

    asyncio.run(main())

    (sent,) = events.of_kind("thingspace.sent")
    assert (sent.fields["service"], sent.fields["status"]) == ("PromoChanges", 200)
    assert sent.fields["format"] == via.value
    (received,) = events.of_kind("thingspace.received")
    assert received.fields["applied"] is True
    assert received.fields["devices"] == ["MDN:3124705797"]
    operator_line = operator_side.line(ICCID)
    platform_line = platform_side.line(ICCID)
    assert operator_line is not None
    assert platform_line is not None
    assert operator_line.promotion_codes == ("SUMMER",)
    assert [(p.code, p.reported) for p in platform_line.promotions] == [
        ("MARCH", True),
        ("SUMMER", False),
    ]
