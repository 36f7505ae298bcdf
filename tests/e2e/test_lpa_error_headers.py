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


def _fail_then_relaunch(stepped: Harness, activation_code: str) -> tuple[str, dict[str, str]]:
    """Download `activation_code` from the portal until the flow fails, close the error dialog,
    launch again: the failed flow's activation error and the new launch's headers."""
    stepped.launch_and_wait()
    stepped.js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{activation_code}')")
    failed = stepped.wait_for("flow.state", state="failed", timeout=20000)
    stepped.simulator.window.errorAnswered.emit(False)
    stepped.launch_and_wait()
    headers = stepped.events("portal.launch")[-1].fields["headers"]
    return str(failed.fields["activation_error"]), dict(headers)


def test_retries_exceeded_reports_status_and_the_ordered_iccid(stepped: Harness) -> None:
    order = stepped.simulator.esim.create_order(
        behaviour=OrderBehaviour(
            fail_at=Step.AUTHENTICATE_CLIENT, failure_subject="8.8.5", failure_reason="6.4"
        )
    )
    activation_error, headers = _fail_then_relaunch(stepped, order.activation_code)
    assert activation_error == "profileNotAvailableForNewBinding"
    assert headers["X-MP-LPAError-Codes"] == "ProfileDownloadMaxRetriesExceeded"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid


def test_a_corrupt_package_reaches_the_portal_as_profile_processing_error(
    stepped: Harness,
) -> None:
    order = stepped.simulator.esim.create_order(behaviour=OrderBehaviour(corrupt_package=True))
    activation_error, headers = _fail_then_relaunch(stepped, order.activation_code)
    # the portal's callback gets the nearest MobilePlansActivationError...
    assert activation_error == "cardGeneralFailure"
    # ...and the next launch names the precise ESimOperationStatus member
    assert headers["X-MP-LPAError-Codes"] == "ProfileProcessingError"
    assert headers["X-MP-LPAError-ICCIDs"] == order.iccid
