"""Through the fixture, as a portal team writes it: an order whose package the card rejects
reaches the portal as ProfileProcessingError on the next launch ("Mobile Plans eSIM error
handling": X-MP-LPAError-Codes carries ESimOperationStatus names)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.runtime import Runtime


def test_behave_next_corrupt_package_reports_profile_processing_error(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    mp = MobilePlans(runtime, tmp_path, show_window=False)
    try:
        mp.smdp.behave_next(corrupt_package=True)
        mp.buy(fulfilment="inline")
        error = mp.wait_for("lpa.error", timeout=30)
        assert error["activation_error"] == "cardGeneralFailure"
        assert mp.euicc.profiles() == []  # the card installed nothing
        mp.wait_for("ui.screen", screen="error")
        mp.answer_error(retry=False)
        launch = mp.launch()
        assert launch.headers["X-MP-LPAError-Codes"] == "ProfileProcessingError"
        assert launch.headers["X-MP-LPAError-ICCIDs"] == mp.smdp.orders()[-1].iccid
    finally:
        mp.close()
