"""Carrier model: lines in SQLite, callbacks applied, billing cycles closed (spec §1.2.1–§1.2.5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from esim.identifiers import Iccid, Mdn
from simulator.thingspace.billing import BillingCycle, BillingCycleError
from simulator.thingspace.carrier import CarrierError, CarrierModel, LineStatus, Promotion
from simulator.thingspace.codec import (
    CallbackMessage,
    CarrierInformation,
    CarrierService,
    ChangeDeviceIdentifier,
    DeviceId,
    DeviceInformation,
    DeviceSuspendStatus,
    ExternalProvisioningChange,
    PromoChange,
    UnverifiedFields,
    Usage,
)

ICCID = "8901260123456789012"
ICCID_2 = str(Iccid.with_check_digit("890126012345678902"))


def _iccid() -> str:
    return str(Iccid.with_check_digit(ICCID[:-1]))


@pytest.fixture
def carrier(tmp_path: Path) -> Iterator[CarrierModel]:
    model = CarrierModel.open(tmp_path)
    yield model
    model.close()


def _message(data: object, *devices: DeviceId, request_id: str = "r-1") -> CallbackMessage:
    return CallbackMessage(data=data, request_id=request_id, devices=devices)  # type: ignore[arg-type]


def test_create_line_allocates_a_fictional_nanp_mdn_and_persists(tmp_path: Path) -> None:
    model = CarrierModel.open(tmp_path / "store")
    first = model.create_line(_iccid(), "M2M_4G", [Promotion("PROMO10", datetime(2017, 3, 20))])
    second = model.create_line(ICCID_2, "M2M_4G")
    model.close()

    assert str(first.mdn)[3:8] == "55501"  # NXX 555, lines 0100-0199 are reserved for fiction
    assert first.mdn != second.mdn
    Mdn.parse(str(first.mdn), nanp=True)
    assert str(first.msisdn) == "1" + str(first.mdn)
    reopened = CarrierModel.open(tmp_path / "store")
    assert [line.iccid for line in reopened.lines()] == [first.iccid, second.iccid]
    assert reopened.line(first.iccid) == first
    reopened.close()


def test_duplicate_iccid_or_mdn_is_refused_with_a_rule(carrier: CarrierModel) -> None:
    carrier.create_line(_iccid(), "p", mdn="3124705797")
    with pytest.raises(CarrierError) as iccid_taken:
        carrier.create_line(_iccid(), "p")
    with pytest.raises(CarrierError) as mdn_taken:
        carrier.create_line(ICCID_2, "p", mdn="3124705797")

    assert (iccid_taken.value.rule, mdn_taken.value.rule) == ("line.iccid-taken", "line.mdn-taken")
    assert len(carrier.lines()) == 1


def test_seed_style_promo_change_without_a_code_removes_what_ended_by_change_date(
    carrier: CarrierModel,
) -> None:
    carrier.create_line(
        _iccid(),
        "M2M_4G",
        [Promotion("SPRING", datetime(2017, 3, 31)), Promotion("LATER", datetime(2017, 6, 1))],
        mdn="3124705797",
    )
    change = carrier.apply(
        _message(
            PromoChange("PromoCode Dropped.", "4/1/2017 12:00:00 AM"),
            DeviceId.parse("Mdn", "3124705797"),
        )
    )

    assert (change.applied, change.outcome) == (True, "promo.removed")
    line = carrier.line(_iccid())
    assert line is not None
    assert line.promotion_codes == ("LATER",)


def test_promo_change_naming_a_code_removes_exactly_it(carrier: CarrierModel) -> None:
    line = carrier.create_line(
        _iccid(), "p", [Promotion("A", datetime(2017, 3, 5)), Promotion("B", datetime(2017, 3, 6))]
    )
    change = carrier.apply(
        _message(
            PromoChange("PromoCode Dropped: B", "3/6/2017 12:00:00 AM"), DeviceId.of(line.iccid)
        )
    )
    missing = carrier.apply(
        _message(
            PromoChange("PromoCode Dropped: Z", "3/6/2017 12:00:00 AM"), DeviceId.of(line.iccid)
        )
    )

    assert change.applied
    assert not missing.applied
    assert missing.outcome == "promo.not-on-line"
    assert carrier.line(line.iccid).promotion_codes == ("A",)  # type: ignore[union-attr]


def test_unknown_device_and_unmodelled_payloads_are_recorded_not_applied(
    carrier: CarrierModel,
) -> None:
    line = carrier.create_line(_iccid(), "p", [Promotion("A", datetime(2017, 3, 5))])
    unknown = carrier.apply(
        _message(PromoChange("PromoCode Dropped.", "4/1/2017"), DeviceId.parse("mdn", "2125550199"))
    )
    usage = carrier.apply(
        _message(Usage(UnverifiedFields.of(("bytes", "1"))), DeviceId.of(line.mdn))
    )

    assert (unknown.applied, unknown.outcome) == (False, "line.unknown")
    assert (usage.applied, usage.outcome) == (False, "callback.not-applied")
    assert carrier.line(line.iccid) == line
    assert [(row[2], row[3]) for row in carrier.changes()] == [
        (False, "line.unknown"),
        (False, "callback.not-applied"),
    ]


def test_suspend_status_and_external_changes_move_the_line_state(carrier: CarrierModel) -> None:
    line = carrier.create_line(_iccid(), "p", imei="490154203237518")
    device = DeviceId.parse("IMEI", "490154203237518")
    suspended = carrier.apply(
        _message(DeviceSuspendStatus(UnverifiedFields.of(("State", "Suspended"))), device)
    )
    assert suspended.applied
    assert carrier.line(line.iccid).status is LineStatus.SUSPENDED

    restored = carrier.apply(
        _message(
            ExternalProvisioningChange(
                source="Portal",
                change="Restore",
                device_info=DeviceInformation(
                    carrier_information=CarrierInformation(service_plan="M2M_5G")
                ),
            ),
            DeviceId.of(line.msisdn),
        )
    )
    after = carrier.line(line.iccid)
    assert restored.applied
    assert after is not None
    assert (after.status, after.plan) == (LineStatus.ACTIVE, "M2M_5G")


def test_carrier_service_change_identifier_updates_the_line(carrier: CarrierModel) -> None:
    line = carrier.create_line(_iccid(), "p", mdn="3124705797")
    change = carrier.apply(
        _message(
            CarrierService(
                ChangeDeviceIdentifier((DeviceId.parse("iccid", ICCID_2),), service_plan="M2M_4G")
            ),
            DeviceId.of(line.mdn),
        )
    )

    assert change.applied
    assert carrier.line(_iccid()) is None
    moved = carrier.line(ICCID_2)
    assert moved is not None
    assert (str(moved.mdn), moved.plan) == ("3124705797", "M2M_4G")


def test_end_billing_cycle_reports_each_ended_promotion_once(carrier: CarrierModel) -> None:
    line = carrier.create_line(
        _iccid(),
        "p",
        [
            Promotion("MARCH", datetime(2017, 3, 15)),
            Promotion("APRIL", datetime(2017, 4, 15)),
            Promotion("LATER", datetime(2018, 1, 1)),
        ],
        mdn="3124705797",
        billing=BillingCycle(day_of_month=1),
    )
    assert carrier.next_cycle_end() == datetime(2017, 4, 1)
    assert carrier.end_billing_cycle(datetime(2017, 3, 31)) == []

    first = carrier.end_billing_cycle(datetime(2017, 4, 1))
    again = carrier.end_billing_cycle(datetime(2017, 4, 1, 12))
    later = carrier.end_billing_cycle(datetime(2017, 5, 2))

    assert [m.data for m in first] == [
        PromoChange("PromoCode Dropped: MARCH", "3/15/2017 12:00:00 AM")
    ]
    assert first[0].devices == (DeviceId.of(line.mdn),)
    assert again == []
    assert [m.data.change for m in later] == ["PromoCode Dropped: APRIL"]  # type: ignore[union-attr]
    assert carrier.next_cycle_end() == datetime(2017, 6, 1)
    # Reporting does not remove: the listener's apply does (§1.2.1).
    assert carrier.line(line.iccid).promotion_codes == ("MARCH", "APRIL", "LATER")  # type: ignore[union-attr]


def test_billing_cycle_in_days_and_its_rules() -> None:
    every_ten = BillingCycle(period_days=10)
    assert every_ten.next_end(datetime(2017, 3, 1)) == datetime(2017, 3, 11)
    assert BillingCycle(day_of_month=15).next_end(datetime(2017, 12, 20)) == datetime(2018, 1, 15)
    for bad in (
        {"day_of_month": 31},
        {"period_days": 0},
        {},
        {"day_of_month": 1, "period_days": 1},
    ):
        with pytest.raises(BillingCycleError):
            BillingCycle(**bad)
