"""End to end: a current-API download failure is reported on the next launch with the newer
ESimOperationStatus name and the ICCID the user tried to install.

Public page "Mobile Plans eSIM error handling": X-MP-LPAError-Codes (ESimOperationStatus names)
and X-MP-LPAError-ICCIDs ("ICCID of the eSIM profile that the user attempted to download").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e_helpers import Harness

from esim.smdp import OrderBehaviour, Step

MD = "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB', userAccount: 'New'}"


@pytest.fixture
def stepped(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness(time_scale=0)


def test_retries_exceeded_reports_status_and_the_ordered_iccid(stepped: Harness) -> None:
    sim = stepped.simulator
    order = sim.esim.create_order(
        behaviour=OrderBehaviour(
            fail_at=Step.AUTHENTICATE_CLIENT, failure_subject="8.8.5", failure_reason="6.4"
        )
    )
    stepped.launch_and_wait()
    code = order.activation_code
    stepped.js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{code}')")
    failed = stepped.wait_for("flow.state", state="failed", timeout=20000)
    assert failed.fields["activation_error"] == "profileNotAvailableForNewBinding"
    sim.window.errorAnswered.emit(False)
    stepped.launch_and_wait()
    headers = stepped.events("portal.launch")[-1].fields["headers"]
    assert headers["X-MP-LPAError-Codes"] == "ProfileDownloadMaxRetriesExceeded"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid


def test_a_corrupt_package_reaches_the_portal_as_profile_processing_error(
    stepped: Harness,
) -> None:
    sim = stepped.simulator
    order = sim.esim.create_order(behaviour=OrderBehaviour(corrupt_package=True))
    stepped.launch_and_wait()
    code = order.activation_code
    stepped.js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{code}')")
    failed = stepped.wait_for("flow.state", state="failed", timeout=20000)
    # the portal's callback gets the nearest MobilePlansActivationError...
    assert failed.fields["activation_error"] == "cardGeneralFailure"
    sim.window.errorAnswered.emit(False)
    stepped.launch_and_wait()
    # ...and the next launch names the precise ESimOperationStatus member
    headers = stepped.events("portal.launch")[-1].fields["headers"]
    assert headers["X-MP-LPAError-Codes"] == "ProfileProcessingError"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid
