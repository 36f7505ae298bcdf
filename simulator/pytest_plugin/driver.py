"""`MobilePlans`: one isolated simulator driven by a test (the `mobile_plans` fixture's value).

No pytest in here: the class runs inside any QApplication whose Chromium was started with the
runtime's arguments (`Runtime.qapp_argv`), so the `check` command and benchmarks use it too.
Waiting runs the Qt event loop; a wait that times out raises `MobilePlansError` naming what was
wanted and showing the last events, never a Qt stack.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from simulator.app import Simulator, SimulatorConfig
from simulator.events import Event
from simulator.operator_api.control import OperatorApiControl
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.portal.garden_interceptor import WalledGardenControl
from simulator.portal.launch import PortalLaunch
from simulator.portal.walled_garden import GardenMode
from simulator.pytest_plugin.catalog_control import (
    CatalogControl,
    OperatorConfig,
    apply_operator_config,
    operator_document,
)
from simulator.pytest_plugin.controls import (
    ClockControl,
    EuiccControl,
    NetworkControl,
    SmdpControl,
)
from simulator.pytest_plugin.device_options import DeviceOptions
from simulator.pytest_plugin.failures import MobilePlansError, describe_event
from simulator.pytest_plugin.sample_portal import buy as buy_on_sample_portal
from simulator.pytest_plugin.sample_portal import find_plan
from simulator.replay import Recording, SessionRecorder, wait_until
from simulator.replay.recorded_config import recorded_operator_config
from simulator.report.screens import ScreenCollector
from simulator.runtime import Runtime

__all__ = [
    "SEVERITIES",
    "ClockControl",
    "DeviceOptions",
    "EuiccControl",
    "MobilePlans",
    "MobilePlansError",
    "NetworkControl",
    "SmdpControl",
    "describe_event",
]

SEVERITIES = ("info", "warning", "error")

_log = logging.getLogger("simulator.pytest_plugin")


class MobilePlans:
    """A simulated PC with the Mobile Plans app for one test: launch a portal, drive it, look."""

    def __init__(
        self,
        runtime: Runtime,
        data_dir: Path,
        *,
        device: DeviceOptions | None = None,
        portal_url: str | None = None,
        portal_dir: Path | str | None = None,
        default_timeout: float = 10.0,
        show_window: bool = True,
        iccid_ranges: Sequence[str] | None = None,
        calendar_start: datetime | None = None,
        operator_config: OperatorConfig | None = None,
        walled_garden: str = "report",
    ) -> None:
        self.runtime = runtime
        self.data_dir = data_dir
        self.device = device or DeviceOptions()
        self.default_timeout = default_timeout
        self._show_window = show_window
        self._calendar_start = calendar_start  # a replay's recorded operator calendar
        self._portal = (portal_url, str(portal_dir) if portal_dir else None)
        # the operator's ICCID ranges ("START-END" or "PREFIX"); None keeps the sample's
        self._iccid_ranges = (
            None if iccid_ranges is None else tuple(IccidRange.parse(r) for r in iccid_ranges)
        )
        self._simulator: Simulator | None = None
        self._closed = False
        self.clock = ClockControl(self)
        self.euicc = EuiccControl(self)
        self.smdp = SmdpControl(self)
        self.network = NetworkControl(self)
        # the operator's GetBalance / GetOffers / GetNotifications, called as the service does
        self.operator_api = OperatorApiControl(self)
        # one operator's service configuration or several (the catalog), as --operator-config
        self._operator_config = operator_config
        if walled_garden not in tuple(GardenMode):
            raise ValueError(f"walled_garden is enforce, report or off, not {walled_garden!r}")
        self._walled_garden = GardenMode(walled_garden)
        self.catalog = CatalogControl(self)

    def __repr__(self) -> str:
        if self._simulator is None:
            return "<MobilePlans (not launched)>"
        return f"<MobilePlans {self._simulator.portal_uri} {len(self._simulator.events)} events>"

    @property
    def built(self) -> bool:
        return self._simulator is not None

    @property
    def uses_bundled_portal(self) -> bool:
        """True when no portal_url/portal_dir was given: the bundled Contoso portal runs."""
        return self._portal == (None, None)

    @property
    def simulator(self) -> Simulator:
        """The simulator, built on first use for the portal and device chosen so far."""
        if self._simulator is None:
            self._simulator = self._build()
        return self._simulator

    @property
    def recorder(self) -> SessionRecorder:
        """Notes every step of the session, for `save_recording`."""
        self.simulator  # noqa: B018 - built on first use
        return self._recorder

    @property
    def screens(self) -> ScreenCollector:
        """A screenshot at each change of app screen, for the report."""
        self.simulator  # noqa: B018 - built on first use
        return self._screens

    def _build(self) -> Simulator:
        portal_url, portal_dir = self._portal
        config = SimulatorConfig(
            portal_url=portal_url,
            portal_dir=Path(portal_dir) if portal_dir is not None else None,
            device=self.device.build(),
            time_scale=0.0,
            data_dir=self.data_dir,
            calendar_start=self._calendar_start,
        )
        recorded_config = None
        if self._operator_config is not None:
            document = operator_document(self._operator_config)  # a file is read once
            apply_operator_config(config, document, self._iccid_ranges)
            recorded_config = recorded_operator_config(document)
        elif self._iccid_ranges is not None:
            config.iccid_ranges = self._iccid_ranges
        config.walled_garden = self._walled_garden
        simulator = Simulator(config, self.runtime)
        self._recorder = SessionRecorder(simulator, self._recorded_portal(), recorded_config)
        self._screens = ScreenCollector(simulator)
        simulator.esim.orders.add_listener(self.smdp.on_order)
        if self._show_window:
            simulator.window.resize(1100, 760)
            simulator.window.show()
        return simulator

    def _recorded_portal(self) -> dict[str, Any]:
        """Which portal a replay of this session loads again."""
        portal_url, portal_dir = self._portal
        if portal_url is not None:
            return {"url": portal_url}
        if portal_dir is not None:
            return {"dir": str(Path(portal_dir).resolve())}
        return {"bundled": True}

    # -- the portal --------------------------------------------------------------------------
    def launch(
        self,
        portal_url: str | None = None,
        portal_dir: Path | str | None = None,
        *,
        device: DeviceOptions | str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> PortalLaunch:
        """Open the portal as the app does (query parameters, headers) and wait until its bridge
        is up. Portal and device are fixed once the simulator is built (on the first launch, or
        the first use of euicc/smdp/network/clock): set them then, or in the marker."""
        __tracebackhide__ = True
        wanted = (portal_url, str(portal_dir) if portal_dir else None)
        if isinstance(device, str):
            device = replace(self.device, device=device)
        if not self.built:
            if wanted != (None, None):
                self._portal = wanted
            if device is not None:
                self.device = device
        elif (wanted != (None, None) and wanted != self._portal) or (
            device is not None and device != self.device
        ):
            raise MobilePlansError(
                "this simulator is already built for "
                + self.simulator.portal_uri
                + f" on a {self.device.device} device; choose the portal and device in"
                " @pytest.mark.mobile_plans(portal_url=…, portal_dir=…, device=…) or in the"
                " first launch(), before using euicc/smdp/network/clock"
            )
        if self.uses_bundled_portal and not self.built:
            _log.info(
                "no portal_url or portal_dir given: launching the bundled Contoso Mobile sample"
                " portal (%s); its stable selectors are listed in docs/sample-portal.md",
                self.simulator.portal_uri,
            )
        before = len(self.simulator.events)
        self.recorder.note("launch")
        launch = self.simulator.launch()
        if wait:
            self.wait_for("portal.loaded", timeout=timeout, after=before)
            if self.simulator.host.policy.allows(self.simulator.page.url().toString()):
                self.wait_for("bridge.ready", timeout=timeout, after=before)
        return launch

    def start(self, timeout: float | None = None) -> Event:
        """Open the app as a person does: with several operators configured, the Select Provider
        page (its ``ui.screen`` event); otherwise the portal directly (``portal.launch``)."""
        return self.catalog.start(timeout)

    @property
    def walled_garden(self) -> WalledGardenControl:
        """The walled garden on the portal's web view: ``mode``, ``set_mode("enforce")``."""
        return self.simulator.walled_garden

    def select_provider(self, name: str, timeout: float | None = None) -> Event:
        """Pick ``name`` on the Select Provider page; its Gateway page follows (the returned
        ``gateway.shown``), whose button — or ``launch()`` — opens that operator's portal."""
        __tracebackhide__ = True
        return self.catalog.select(name, timeout)

    def buy(
        self,
        plan: str | None = None,
        *,
        fulfilment: str | None = None,
        line: str | None = None,
        launch: bool = True,
        timeout: float | None = None,
    ) -> str:
        """On the bundled portal: (launch,) choose `plan` (an id such as "contoso-5gb") or the
        first plan with `fulfilment` (inline, delayed, async, legacy, topup), sign in with the
        test account, pick `line` (an ICCID; "" for the SIM in use) for a top-up, pay with the
        test card and place the order. Returns the plan id."""
        __tracebackhide__ = True
        chosen = find_plan(plan, fulfilment)
        buy_on_sample_portal(self, chosen, launch=launch, line_iccid=line, timeout=timeout)
        return chosen.id

    def js(self, code: str, timeout: float | None = None) -> Any:
        """Evaluate the expression `code` in the portal page; its JSON-able value, or
        `MobilePlansError` with the page's exception. A replay runs it again at this point."""
        __tracebackhide__ = True
        self.recorder.note("js", code=code)
        return self._evaluate(code, timeout)

    def _evaluate(self, code: str, timeout: float | None = None) -> Any:
        __tracebackhide__ = True
        box: list[Any] = []
        script = (
            "(function () { try { return JSON.stringify({value: (function () { return ("
            + code
            + "); })()}); } catch (e) { return JSON.stringify({error: String(e && e.stack || e)});"
            " } })()"
        )
        self.simulator.page.runJavaScript(script, 0, box.append)
        self.wait(lambda: bool(box), timeout, f"the page to evaluate {code[:80]!r}")
        text = box[0]
        if text in (None, ""):
            raise MobilePlansError(f"the page could not evaluate {code[:200]!r} (a syntax error?)")
        answer = json.loads(text)
        if "error" in answer:
            raise MobilePlansError(f"{code[:200]!r} threw in the page: {answer['error']}")
        return answer.get("value")

    def wait_for_element(self, selector: str, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        quoted = json.dumps(selector)
        self.wait(
            lambda: bool(self._evaluate(f"document.querySelector({quoted}) !== null")),
            timeout,
            f"an element matching {selector!r}",
        )

    def click(self, selector: str, timeout: float | None = None) -> None:
        """Click the first element matching the CSS `selector` once it is shown and enabled, as
        a person could."""
        __tracebackhide__ = True
        quoted = json.dumps(selector)
        self.wait(
            lambda: bool(
                self._evaluate(
                    "(e => e !== null && !e.disabled && e.getClientRects().length > 0)"
                    f"(document.querySelector({quoted}))"
                )
            ),
            timeout,
            f"a visible, enabled element matching {selector!r}",
        )
        self.recorder.note("click", selector=selector)
        self._evaluate(f"document.querySelector({quoted}).click()")

    def fill(self, selector: str, text: str, timeout: float | None = None) -> None:
        """Type `text` into the input matching `selector` (value, then input and change events)."""
        __tracebackhide__ = True
        self.wait_for_element(selector, timeout)
        self.recorder.note("fill", selector=selector, text=text)
        self._evaluate(
            f"(e => {{ e.focus(); e.value = {json.dumps(text)};"
            " e.dispatchEvent(new Event('input', {bubbles: true}));"
            " e.dispatchEvent(new Event('change', {bubbles: true})); return true; })"
            f"(document.querySelector({json.dumps(selector)}))"
        )

    # -- events ------------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        return list(self.simulator.events)

    def events_of(self, kind: str, **fields: Any) -> list[Event]:
        wanted = {k: _text(v) for k, v in fields.items()}
        return [e for e in self.simulator.events if e.matches(kind, wanted)]

    @property
    def violations(self) -> list[Event]:
        """Every `contract.violation` so far (info, warning and error)."""
        return self.simulator.events.of_kind("contract.violation")

    def assert_no_violations(self, at_least: str = "warning") -> None:
        """Fail, listing them, if a violation of `at_least` this severity was logged."""
        __tracebackhide__ = True
        floor = SEVERITIES.index(at_least)
        bad = [
            e
            for e in self.violations
            if SEVERITIES.index(str(e.fields.get("severity", "error"))) >= floor
        ]
        if bad:
            lines = [
                f"  {e.fields.get('severity')}: {e.fields.get('rule')} — {e.fields.get('message')}"
                f" ({e.fields.get('spec')})"
                for e in bad
            ]
            raise MobilePlansError(
                f"{len(bad)} contract violation(s) of severity ≥ {at_least}:\n" + "\n".join(lines)
            )

    def wait_for(
        self, kind: str, timeout: float | None = None, *, after: int = 0, **fields: Any
    ) -> Event:
        """The first event of `kind` whose fields equal `fields` (compared as text), after
        event number `after`; waits up to `timeout` seconds for it."""
        __tracebackhide__ = True
        wanted = {k: _text(v) for k, v in fields.items()}
        found: list[Event] = []

        def seen() -> bool:
            for event in self.simulator.events:
                if event.seq > after and event.matches(kind, wanted):
                    found.append(event)
                    return True
            return False

        pattern = kind + "".join(f" {k}={v}" for k, v in wanted.items())
        self.wait(seen, timeout, f"an event {pattern}")
        return found[0]

    def wait(self, predicate: Callable[[], bool], timeout: float | None, what: str) -> None:
        """Run the event loop until `predicate()`; on timeout fail with the last events."""
        __tracebackhide__ = True
        limit = self.default_timeout if timeout is None else timeout
        if not wait_until(predicate, limit):
            raise MobilePlansError(
                f"waited {limit:g} s for {what}; the last events were:\n" + self.last_events(8)
            )

    def settle(self, seconds: float = 0.05) -> None:
        """Let queued work (callbacks into the page, posted results) run for a moment."""
        wait_until(lambda: False, seconds)

    def last_events(self, count: int = 25) -> str:
        events = [e for e in self.simulator.events if e.kind != "lpa.progress"][-count:]
        return "\n".join("  " + describe_event(e) for e in events) or "  (none)"

    # -- the app's own screens ----------------------------------------------------------------
    @property
    def screen(self) -> str:
        """The app screen now shown (portal, progress-popup, error, balance, provider…)."""
        return str(self.simulator.session.screen)

    def answer_toast(self, action: str, timeout: float | None = None) -> Event:
        """Press `action` on the newest toast that offers it (e.g. "Download", "Not now")."""
        __tracebackhide__ = True
        toast = self.wait_for_toast(action, timeout)
        self.simulator.flows.toast_answered(str(toast.fields["toast"]), action)
        self.settle()
        return toast

    def wait_for_toast(self, action: str, timeout: float | None = None) -> Event:
        __tracebackhide__ = True
        found: list[Event] = []

        def offered() -> bool:
            toasts = self.simulator.events.of_kind("ui.toast")
            found[:] = [e for e in toasts if action in (e.fields.get("actions") or [])]
            return bool(found)

        self.wait(offered, timeout, f"a toast offering {action!r}")
        return found[-1]

    def answer_error(self, retry: bool) -> None:
        """The error screen's Try again (`retry=True`) or Close."""
        # Noted before it is taken: a replay takes it at the same point of the sequence.
        self.recorder.note("error-answer", retry=retry)
        self.simulator.flows.error_answered(retry)
        self.settle()

    def close_balance(self) -> None:
        """The balance screen's Close."""
        self.recorder.note("balance-closed")
        self.simulator.flows.balance_closed()
        self.settle()

    # -- artefacts ---------------------------------------------------------------------------
    def screenshot(self, path: Path | str) -> Path:
        """Save the app window (portal and app screens) as a PNG."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.settle(0.1)
        if not self.simulator.window.grab().save(str(target)):
            raise MobilePlansError(f"could not save a screenshot to {target}")
        return target

    def recording(self) -> Recording:
        """The session so far, for `simulator.replay` (see `save_recording`)."""
        return self.recorder.recording()

    def save_recording(self, path: Path | str) -> Path:
        return self.recording().save(Path(path))

    def write_report(
        self,
        path: Path | str,
        *,
        title: str = "",
        outcome: str = "",
        details: str = "",
        failure: str = "",
    ) -> Path:
        """The self-contained HTML report of this session (see `simulator.report`): `title`
        the test or flow, `outcome` "passed"/"failed", `failure` the failing assertion."""
        from simulator.report.html import write_report

        self.screens.flush()
        return write_report(
            self.events,
            self.screens.screenshots,
            Path(path),
            title=title,
            outcome=outcome,
            details=details,
            failure=failure,
        )

    def close(self) -> None:
        if self._closed or self._simulator is None:
            self._closed = True
            return
        self._closed = True
        self._screens.close()
        self._recorder.close()
        self._simulator.close()
        wait_until(lambda: False, 0.05)  # the deferred deletes, in the order Qt needs


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)
