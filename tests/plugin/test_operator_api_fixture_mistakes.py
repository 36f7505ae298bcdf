"""What a test author gets for a slip in a `mobile_plans.operator_api` call: a message naming
the choices, never a call that silently does nothing."""

from __future__ import annotations

from typing import Any

import pytest

ICCID = "8999001000000000018"  # in the sample operator's range


def test_api_and_balance_type_names_are_case_insensitive_and_listed(mobile_plans: Any) -> None:
    api = mobile_plans.operator_api
    api.answer_next("getbalance", 200, {"balances": "nope"})
    assert {v.rule for v in api.get_balance(ICCID).checked.violations} == {
        "balance.balances.not-a-list"
    }
    with pytest.raises(ValueError, match="one of GetBalance, GetOffers, GetNotifications"):
        api.answer_next("balance", 500)
    api.set_balance(ICCID, "none")
    assert api.get_balance(ICCID).checked.balances[0].type == "NONE"
    with pytest.raises(ValueError, match="one of MODIRECT, MODIRECTPAYG, NONE, NOTSUPPORTED"):
        api.set_balance(ICCID, "empty")


def test_accept_and_decline_name_the_toast_buttons(mobile_plans: Any) -> None:
    api = mobile_plans.operator_api
    toast = api.complete_setup()
    assert toast is not None
    with pytest.raises(ValueError, match="not a button of this toast"):
        api.answer_toast(toast, "explode")
    api.answer_toast(toast, "accept")  # the documented word for the first button
    assert mobile_plans.events_of("ui.toast-answered", action=toast["actions"][0])
    assert mobile_plans.events_of("gateway.shown")
