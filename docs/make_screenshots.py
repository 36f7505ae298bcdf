"""Regenerates docs/screenshots/: each app screen, captured the moment a real flow shows it.

    .venv/bin/python docs/make_screenshots.py

Every picture comes from the real simulator driving the bundled portal (no staged widgets):
the window is grabbed when the `ui.screen` event of that screen is logged, or, for the portal
itself, once the page has painted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication

from esim.smdp import OrderBehaviour
from simulator.app import Simulator, SimulatorConfig
from simulator.events import Event
from simulator.runtime import Runtime
from simulator.ui.layout import wanted_window_size

OUT = Path(__file__).resolve().parent / "screenshots"
MD = "{moDirectStatus: 'Complete', planName: 'Contoso 5 GB', userAccount: 'New'}"


def legacy(code: str, plan: str = "Contoso Unlimited") -> str:
    payload = {
        "ver": "1",
        "success": True,
        "transactionId": "",
        "purchaseResult": json.dumps(
            {
                "userAccount": "New",
                "purchaseInstrument": "New",
                "line": "New",
                "moDirectStatus": "Complete",
                "planName": plan,
            }
        ),
    }
    if code:
        payload["activationCode"] = code
    return f"DataMart.notifyPurchaseResult({json.dumps(json.dumps(payload))})"


# name → (screen to capture, what to do once the portal has loaded)
Shot = tuple[str, Callable[[Simulator], None]]


def _js(code: str) -> Callable[[Simulator], None]:
    return lambda sim: sim.page.runJavaScript(code, 0)


def _order_js(template: str, **order: object) -> Callable[[Simulator], None]:
    def run(sim: Simulator) -> None:
        code = sim.esim.create_order(**order).activation_code  # type: ignore[arg-type]
        sim.page.runJavaScript(template.replace("{ac}", code), 0)

    return run


def _delayed_pair(sim: Simulator) -> None:
    for minutes in (45, 30):
        code = sim.esim.create_order().activation_code
        sim.page.runJavaScript(
            f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{code}', {minutes})", 0
        )

    def ready() -> None:
        if len(sim.events.of_kind("flow.state")) >= 4:  # both scheduled
            sim.clock.advance(31 * 60)
        else:
            QTimer.singleShot(100, ready)

    QTimer.singleShot(100, ready)


def _connect_after(sim: Simulator, minutes: int) -> None:
    code = sim.esim.create_order().activation_code
    sim.page.runJavaScript(
        f"MobilePlans.notifyPurchaseWithProfileDownload({MD}, '{code}', {minutes})", 0
    )

    def step() -> None:
        # Move the stepped clock from timer to timer until the line is connected.
        sim.clock.advance_to_next()
        QTimer.singleShot(200, step)

    QTimer.singleShot(500, step)


SHOTS: dict[str, Shot] = {
    "portal": ("", lambda sim: None),
    "progress-popup": (
        "progress-popup",
        _order_js(f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{{ac}}')"),
    ),
    "installing": ("installing", _order_js(legacy("{ac}"))),
    "error": (
        "error",
        _order_js(
            f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{{ac}}')",
            behaviour=OrderBehaviour(release_at=10.0**12),
        ),
    ),
    "plan-active": ("plan-active", _js(legacy(""))),
    "balance": ("balance", _js(f"MobilePlansInlineOperations.notifyBalanceAddition({MD})")),
    "leave-dialog": ("leave-dialog", lambda sim: sim.window.back_action.trigger()),
    "connecting": (
        "connecting",
        _order_js(f"MobilePlans.notifyPurchaseWithProfileDownload({MD}, '{{ac}}', 60)"),
    ),
    "load-failed": ("load-failed", lambda sim: None),
    # Two delayed downloads (30 and 45 min); at 31 min one is ready, the other still waits.
    "toast": ("toast:Download", lambda sim: _delayed_pair(sim)),
    "connected": ("toast:You’re connected", lambda sim: _connect_after(sim, 60)),
}
# A portal that answers with an error page, for "No services are available right now."
PORTAL_URLS = {"load-failed": "https://down.mobileplans.test/"}


def capture(
    name: str,
    screen: str,
    act: Callable[[Simulator], None],
    app: QApplication,
    runtime: Runtime,
    data: Path,
) -> None:
    config = SimulatorConfig(data_dir=data / name, time_scale=0, portal_url=PORTAL_URLS.get(name))
    sim = Simulator(config, runtime)
    sim.window.resize(wanted_window_size())  # the offscreen screen is smaller than a desktop
    sim.window.show()
    done: list[bool] = []

    def save() -> None:
        if not done:
            done.append(True)
            picture = sim.window.grab()
            dialog = sim.window.leave_dialog
            if dialog.isVisible():
                # A dialog is its own top-level window: draw it where it sits, over the portal.
                painter = QPainter(picture)
                shot = dialog.grab()
                painter.drawPixmap(
                    (picture.width() - shot.width()) // 2, picture.height() // 3, shot
                )
                painter.end()
            picture.save(str(OUT / f"{name}.png"))
            print(f"{name}.png", flush=True)
            os._exit(0)  # the picture is saved; tearing Chromium down adds nothing

    def observe(event: Event) -> None:
        if event.kind == "portal.loaded" and not done:
            if screen:
                act(sim)
            else:
                QTimer.singleShot(800, save)  # let the page paint
        elif screen and event.kind == "ui.screen" and event.fields.get("screen") == screen:
            # dialogs and overlays paint on the next turn of the event loop
            QTimer.singleShot(150, save)
        elif screen.startswith("toast:") and event.kind == "ui.toast":
            wanted = screen.partition(":")[2]
            if wanted in event.fields.get("actions", []) or str(
                event.fields.get("text", "")
            ).startswith(wanted):
                QTimer.singleShot(300, save)

    sim.events.subscribe(observe)
    sim.launch()
    QTimer.singleShot(30000, app.quit)
    app.exec()
    print(f"{name}: the screen never showed", file=sys.stderr)
    os._exit(1)


def main(names: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    if len(names) != 1:
        # One process per picture: each starts from a fresh simulator and a fresh Chromium.
        for name in names or list(SHOTS):
            subprocess.run([sys.executable, __file__, name], check=True, timeout=120)
        return
    data = Path(tempfile.mkdtemp(prefix="mobileplans-shots-"))
    runtime = Runtime.start(data)
    app = QApplication(runtime.qapp_argv())
    screen, act = SHOTS[names[0]]
    capture(names[0], screen, act, app, runtime, data)


if __name__ == "__main__":
    main(sys.argv[1:])
