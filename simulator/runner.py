"""Runs one simulator until the user closes it, `--until` matches, or `--timeout` passes.

A `demo` prints one line per stage and a final PASS/FAIL; with a window it stays open at the
end until closed (unless `--exit-at-end`). Qt's and Chromium's own messages go to
`<data dir>/logs/qt-chromium.log`, never to the terminal.
"""

from __future__ import annotations

import gc
import signal
import sqlite3
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from simulator.data_dir import LOGS, check_app_data, demo_dir, prepare_demo_dir, remove_demo_dir
from simulator.demo_stages import duration_text, effective_timeout, stays_open_at_end
from simulator.demos import DEMOS
from simulator.events import Event, JsonLinesWriter
from simulator.portal.walled_garden import GardenMode
from simulator.qt_startup import (
    collect_garbage_after_the_first_load,
    start_chromium_while_importing_the_app,
    use_certificate_only_tls,
)
from simulator.run_log import LOG_NAME, NativeLog
from simulator.runtime import Runtime
from simulator.startup_timeline import mark

if TYPE_CHECKING:
    from simulator.cli import RunOptions

EXIT_OK = 0
EXIT_TIMEOUT = 1
EXIT_USAGE = 2


def _say(text: str) -> None:
    print(text, flush=True)


class HeapFreezer:
    """Keeps full garbage collections short however long the run.

    Each full collection scans every tracked object; the event history alone adds two an
    event, so the scan grows with the run (28 ms at 30,000 events, over 800 ms at 400,000),
    and the GUI thread, and so the bridge, stands still meanwhile. What start-up built
    (~90,000 objects, almost no garbage) is frozen once the portal has loaded, and after each
    full collection what survived it, so the next one scans only what came since. The price: a
    reference cycle that dies after being frozen is never collected (other garbage still goes,
    by reference counting). One process runs one simulator, torn down when the process ends.
    A full collection comes after every young one instead of every tenth, so each scans a few
    thousand objects (under 15 ms on a loaded machine) rather than tens of thousands.
    """

    def __init__(self) -> None:
        self._active = False
        self._thresholds = gc.get_threshold()

    def observe(self, event: Event) -> None:
        if event.kind == "portal.loaded" and not self._active:
            self._active = True
            gc.freeze()
            gc.callbacks.append(self._collected)
            self._thresholds = gc.get_threshold()
            gc.set_threshold(self._thresholds[0], self._thresholds[1], 1)

    def close(self) -> None:
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)
            gc.set_threshold(*self._thresholds)

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        # At the end of a full collection every younger generation has just been collected
        # too: all that is tracked now is alive.
        if phase == "stop" and info["generation"] == 2:
            gc.freeze()


def run_simulator(options: RunOptions, data_dir: Path) -> int:
    """Run until the end; a data directory that cannot be used is a clear message (exit 2)."""
    is_demo = options.args.command == "demo"
    sim_dir = demo_dir(data_dir) if is_demo else data_dir
    problems = check_app_data(data_dir, sim_dir, str(options.device.eid))
    if problems:
        for problem in problems:
            print(f"mobileplans-sim: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if is_demo:
            prepare_demo_dir(data_dir)
        native_log = NativeLog(
            data_dir / LOGS / LOG_NAME, f"mobileplans-sim {options.args.command or 'run'}"
        )
    except OSError as error:
        print(f"mobileplans-sim: error: cannot use --data-dir {data_dir}: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(options, data_dir, sim_dir, native_log)
    finally:
        native_log.close()
        if is_demo:
            remove_demo_dir(sim_dir)


def _unusable(sim_dir: Path, error: BaseException) -> str:
    return f"mobileplans-sim: error: the data directory {sim_dir} cannot be used: {error}"


def _run(options: RunOptions, data_dir: Path, sim_dir: Path, native_log: NativeLog) -> int:
    args = options.args
    demo = DEMOS[args.flow] if args.command == "demo" else None
    if demo is None:
        print(f"mobileplans-sim: Qt and Chromium messages go to {native_log.path}", file=sys.stderr)
    mark("data directory checked")
    try:
        runtime = Runtime.start(data_dir)
    except OSError as error:
        print(f"mobileplans-sim: error: cannot use {data_dir / 'tls'}: {error}", file=sys.stderr)
        return EXIT_USAGE
    mark("runtime started: sockets, TLS, the portal front's loop")
    qt_app = QApplication(runtime.qapp_argv())
    qt_app.setApplicationName("Mobile Plans Simulator")
    mark("QApplication made")
    use_certificate_only_tls()
    chromium_profile = start_chromium_while_importing_the_app()
    mark("Chromium's first profile made, composition root imported")
    from simulator.app import Simulator, SimulatorConfig

    config = SimulatorConfig(
        portal_url=args.portal,
        portal_dir=args.portal_dir,
        notification_host=args.notification_host,
        device=options.device,
        time_scale=args.time_scale,
        accept_language=args.language,
        data_dir=sim_dir,
        sm_ds_enabled=args.sm_ds,
        operator_name=args.operator_name,
        smdp_hosts=args.smdp_hosts,
        euicc_capacity=args.euicc_capacity_bytes,
    )
    if args.iccid_ranges:
        config.iccid_ranges = args.iccid_ranges
    config.operator_api_url = args.operator_api
    config.operator_configuration = args.operator_configuration
    if args.operator_catalog is not None:
        from simulator.ui.catalog_step import use_operator_catalog

        use_operator_catalog(config, args.operator_catalog)
    config.walled_garden = GardenMode(args.walled_garden)
    try:
        simulator = Simulator(config, runtime)
    except (sqlite3.DatabaseError, OSError) as error:
        # check_app_data catches the usual cases first; this names whatever it could not.
        print(_unusable(sim_dir, error), file=sys.stderr)
        del chromium_profile  # deleted while the QApplication exists, as QtWebEngine needs
        runtime.stop()
        return EXIT_USAGE
    collect_garbage_after_the_first_load(simulator.page)
    for iccid, plan in args.network_plans:
        if iccid is None:
            simulator.network.default_plan = plan
        else:
            simulator.network.set_plan(iccid, plan)
    driver = None
    if demo is not None:
        from simulator.demo_driver import DemoDriver  # only a demo needs it (start-up)

        driver = DemoDriver(
            simulator,
            demo,
            write=_say,
            step=args.step,
            caption_bar=not args.headless,
            dead_end=lambda detail: reached(False, detail),
        )
    stays_open = stays_open_at_end(args.command, args.headless, args.exit_at_end)
    timeout = effective_timeout(args.command, args.headless, args.timeout)
    writer = JsonLinesWriter(args.events) if args.events else None
    collector = None
    if args.report:
        from simulator.report import ScreenCollector

        collector = ScreenCollector(simulator)
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
        if (args.screenshot or collector is not None) and simulator.esim_error() is None:
            try:
                simulator.back_office.get()  # the side panels are in the pictures, filled in
            except Exception as error:  # e.g. the eSIM world, built only now, failed
                # Said once, like a failure during the run; the run must still end.
                report_esim_failure(simulator.esim_error() or error)
        # A moment for the web view to paint and the panels to show their last rows.
        QTimer.singleShot(600 if args.screenshot else 0, shut_down)

    def shut_down() -> None:
        # Everything is torn down inside the event loop, so Qt's deferred deletes (page before
        # profile, as QtWebEngine requires) run before the application object goes.
        try:
            write_pictures()
        except OSError as error:  # a --screenshot or --report path that cannot be written
            print(
                f"mobileplans-sim: error: the screenshot or report cannot be written: {error}",
                file=sys.stderr,
            )
            outcome["status"] = EXIT_USAGE
        finally:  # whatever happened above, the run ends and its event log is complete
            end_run()

    def write_pictures() -> None:
        if args.screenshot:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not simulator.window.grab().save(str(args.screenshot)):
                raise OSError(f"Qt could not save {args.screenshot}")
        if collector is not None:
            from simulator.report import write_report

            collector.flush()
            write_report(
                simulator.events,
                collector.screenshots,
                args.report,
                title=(
                    f"mobileplans-sim demo {args.flow}"
                    if args.command == "demo"
                    else f"mobileplans-sim run {simulator.portal_uri}"
                ),
                outcome=str(outcome["status"]),
                failure=(
                    ""
                    if outcome["status"] == EXIT_OK
                    else f"exit status {outcome['status']}: --timeout passed before --until"
                ),
            )
            collector.close()

    def end_run() -> None:
        # The eSIM world is built while the portal loads: a run that ended first still says
        # when the data directory could not be used.
        esim_error = simulator.esim_error()
        if esim_error is not None:
            report_esim_failure(esim_error)
        simulator.events.emit("app.exit", status=outcome["status"])
        if writer is not None:
            writer.close()
        try:
            simulator.close()
        finally:
            # Whatever failed while closing (it is printed), the process still ends.
            QTimer.singleShot(200, qt_app.quit)

    def reached(passed: bool, detail: str) -> None:
        """The awaited event came (passed), or the timeout passed first."""
        status = EXIT_OK if passed else EXIT_TIMEOUT
        if driver is None:
            finish(status)
            return
        if driver.stages.verdict is not None:
            return
        outcome["status"] = status
        if not passed:
            detail += f" (Qt and Chromium messages: {native_log.path})"
        driver.finish(passed, detail, stays_open=stays_open)
        if not stays_open:
            finish(status)

    def stopped(why: str) -> None:
        """The window closed or a signal came: a demo not over yet has failed."""
        if driver is not None and driver.stages.verdict is None:
            driver.finish(False, f"{why} before {args.until}", stays_open=False)
            outcome["status"] = EXIT_TIMEOUT
        finish(outcome["status"])

    heap = HeapFreezer()
    # Each listener takes only the kind it acts on: every other event (a bridge call makes two
    # to four) would cost the GUI thread a Python call apiece.
    simulator.events.subscribe(heap.observe, kinds=("portal.loaded",))
    if options.until is not None:
        pattern = options.until

        def watch(event: Event) -> None:
            if pattern.matches(event):
                reached(True, f"{args.until} at t={duration_text(event.t)}")

        simulator.events.subscribe(watch, kinds=(pattern.kind,))
    if timeout is not None:

        def timed_out() -> None:
            if options.until is None:
                finish(EXIT_OK)
            else:
                reached(False, f"{args.until} did not happen within {timeout:g} s")

        QTimer.singleShot(int(timeout * 1000), timed_out)

    esim_reported: list[bool] = []

    def report_esim_failure(error: BaseException) -> None:
        """The eSIM world (built while the portal loads) could not use the data directory."""
        from esim.euicc.context import ConfigurationError
        from esim.pki import PkiError

        if esim_reported:
            return
        esim_reported.append(True)
        if isinstance(error, ConfigurationError | PkiError | sqlite3.DatabaseError | OSError):
            print(_unusable(sim_dir, error), file=sys.stderr)
            outcome["status"] = EXIT_USAGE
        else:  # a defect: say everything about it, and fail
            traceback.print_exception(error)
            outcome["status"] = EXIT_TIMEOUT

    def esim_failed(error: BaseException) -> None:
        report_esim_failure(error)
        finish(outcome["status"])

    simulator.when_esim_fails(esim_failed)

    # Python only runs signal handlers when the interpreter gets control: wake it regularly.
    signal.signal(signal.SIGINT, lambda *_: stopped("interrupted"))
    signal.signal(signal.SIGTERM, lambda *_: stopped("stopped"))
    heartbeat = QTimer()
    heartbeat.start(200)
    heartbeat.timeout.connect(lambda: None)

    catalog_first = args.operator_catalog is not None and args.operator_catalog.offers_a_choice
    if driver is None and not catalog_first:
        # The portal first, before the back office is built; its load is under way (Chromium's
        # network service and renderer) while the window is laid out and shown.
        simulator.launch()
    simulator.window.show()
    mark("window shown")
    simulator.window.closing.connect(lambda: stopped("the window was closed"))
    if driver is not None:
        driver.begin()
    elif catalog_first:
        # the catalog first (--provider picks on it); it needs the back office's operator APIs
        simulator.operator_experience.start(args.provider)
    qt_app.exec()
    heap.close()
    del chromium_profile  # deleted while the QApplication exists, as QtWebEngine needs
    runtime.stop()
    return outcome["status"]
