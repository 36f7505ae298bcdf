"""Runs one simulator until the user closes it, `--until` matches, or `--timeout` passes."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from simulator.app import Simulator, SimulatorConfig
from simulator.demo_driver import DemoDriver
from simulator.demos import DEMOS
from simulator.events import Event, JsonLinesWriter
from simulator.report import ScreenCollector, write_report
from simulator.runtime import Runtime

if TYPE_CHECKING:
    from simulator.cli import RunOptions

EXIT_OK = 0
EXIT_TIMEOUT = 1


def run_simulator(options: RunOptions, data_dir: Path) -> int:
    args = options.args
    data_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime.start(data_dir)
    qt_app = QApplication(runtime.qapp_argv())
    qt_app.setApplicationName("Mobile Plans Simulator")
    config = SimulatorConfig(
        portal_url=args.portal,
        portal_dir=args.portal_dir,
        notification_host=args.notification_host,
        device=options.device,
        time_scale=args.time_scale,
        accept_language=args.language,
        data_dir=data_dir,
        sm_ds_enabled=args.sm_ds,
    )
    if args.iccid_ranges:
        config.iccid_ranges = args.iccid_ranges
    config.operator_api_url = args.operator_api
    config.operator_configuration = args.operator_configuration
    simulator = Simulator(config, runtime)
    for iccid, plan in args.network_plans:
        if iccid is None:
            simulator.network.default_plan = plan
        else:
            simulator.network.set_plan(iccid, plan)
    if args.command == "demo":
        DemoDriver(simulator, DEMOS[args.flow])
    writer = JsonLinesWriter(args.events) if args.events else None
    collector = ScreenCollector(simulator) if args.report else None
    if writer is not None:
        for event in simulator.events:  # app.started came before the writer existed
            writer(event)
        simulator.events.subscribe(writer)

    outcome = {"status": EXIT_OK}
    finishing: list[bool] = []

    def finish(status: int) -> None:
        if finishing:
            return
        finishing.append(True)
        outcome["status"] = status
        # A moment for the web view to paint and the panels to show their last rows.
        QTimer.singleShot(600 if args.screenshot else 0, shut_down)

    def shut_down() -> None:
        # Everything is torn down inside the event loop, so Qt's deferred deletes (page before
        # profile, as QtWebEngine requires) run before the application object goes.
        if args.screenshot:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            simulator.window.grab().save(str(args.screenshot))
        if collector is not None:
            collector.flush()
            write_report(
                simulator.events,
                collector.screenshots,
                args.report,
                title=f"mobileplans-sim {args.command}",
                outcome=str(outcome["status"]),
            )
            collector.close()
        simulator.events.emit("app.exit", status=outcome["status"])
        if writer is not None:
            writer.close()
        simulator.close()
        QTimer.singleShot(200, qt_app.quit)

    if options.until is not None:
        pattern = options.until

        def watch(event: Event) -> None:
            if pattern.matches(event):
                finish(EXIT_OK)

        simulator.events.subscribe(watch)
    if args.timeout is not None:
        QTimer.singleShot(
            int(args.timeout * 1000), lambda: finish(EXIT_TIMEOUT if options.until else EXIT_OK)
        )

    # Python only runs signal handlers when the interpreter gets control: wake it regularly.
    signal.signal(signal.SIGINT, lambda *_: finish(EXIT_OK))
    signal.signal(signal.SIGTERM, lambda *_: finish(EXIT_OK))
    heartbeat = QTimer()
    heartbeat.start(200)
    heartbeat.timeout.connect(lambda: None)

    simulator.window.show()
    simulator.window.closing.connect(lambda: finish(EXIT_OK))
    simulator.launch()
    qt_app.exec()
    runtime.stop()
    return outcome["status"]
