"""`mobileplans-sim check URL`: a smoke conformance check of a (staging) portal.

Launches the URL as the real app would (query parameters, headers, the allowed origin), waits
for it to load over https, then reports the origin, resources fetched over plain http, pop-ups
and new windows attempted, console errors and, when the page calls the app, the contract
violations. Exit status 0 when nothing is wrong, 1 on any error, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.runtime import Runtime

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
_CONSOLE_ERROR = 2  # QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel
_MIXED_CONTENT = re.compile(r"Mixed Content: .*?requested an insecure [\w -]*'(http://[^']+)'")


@dataclass
class CheckReport:
    """What a check found; `errors` decides the exit status."""

    url: str
    final_url: str = ""
    origin: str = ""
    loaded: bool = False
    bridge: bool = False
    calls: int = 0
    plain_http: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    certificate_errors: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        found = []
        if not self.loaded:
            found.append(f"the portal did not load: {self.final_url or self.url}")
        elif urlsplit(self.final_url).scheme != "https":
            found.append(
                f"the portal ended on {self.final_url}, not https (docs/rules.md#portal.https)"
            )
        found += [
            f"fetched over plain http: {u} (docs/rules.md#portal.plain-http)"
            for u in self.plain_http
        ]
        found += [f"{message} (docs/rules.md#portal.popup)" for message in self.popups]
        found += [f"console error: {m}" for m in self.console_errors]
        found += [f"certificate refused: {m}" for m in self.certificate_errors]
        found += [
            f"{v['rule']}: {v['message']} ({v['spec']})"
            for v in self.violations
            if v.get("severity") == "error" and v.get("rule") != "portal.popup"
        ]
        return found

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self) -> str:
        """The report as a person reads it in a CI log."""
        lines = [
            f"portal   {self.url}",
            f"loaded   {'yes' if self.loaded else 'no'}" + (f" ({self.final_url})" * self.loaded),
            f"origin   {self.origin or '-'}",
            f"bridge   {'injected' if self.bridge else 'not injected'}; {self.calls} call(s)",
            f"http     {len(self.plain_http)} plain-http resource(s)",
            f"pop-ups  {len(self.popups)}",
            f"console  {len(self.console_errors)} error(s)",
        ]
        warnings = [v for v in self.violations if v.get("severity") == "warning"]
        lines += [f"warning  {v['rule']}: {v['message']} ({v['spec']})" for v in warnings]
        errors = self.errors
        lines += [f"ERROR    {e}" for e in errors]
        lines.append("result   " + ("OK" if not errors else f"FAILED ({len(errors)} error(s))"))
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "errors": self.errors}, indent=1)


def run_check(
    url: str,
    *,
    runtime: Runtime | None = None,
    data_dir: Path | None = None,
    timeout: float = 30.0,
    settle: float = 2.0,
) -> CheckReport:
    """Check `url`. With `runtime`, inside the caller's QApplication (tests); without, starts
    the runtime and a QApplication of its own (the command)."""
    from simulator.app import Simulator, SimulatorConfig
    from simulator.replay import wait_until

    report = CheckReport(url=url)
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="mobileplans-check-"))
    own_runtime = runtime is None
    app = None
    if runtime is None:
        from PySide6.QtWidgets import QApplication

        from simulator.runtime import Runtime

        runtime = Runtime.start(data_dir / "runtime")
        app = QApplication.instance() or QApplication(runtime.qapp_argv())
    simulator = Simulator(
        SimulatorConfig(portal_url=url, time_scale=0.0, data_dir=data_dir / "simulator"), runtime
    )

    def console(level: int, message: str, line: int, source: str) -> None:
        # Chromium blocks (or upgrades) plain-http sub-resources of an https page before any
        # request is made, and says so on the console: that is where they are seen.
        mixed = _MIXED_CONTENT.search(message)
        if mixed:
            report.plain_http.append(mixed.group(1))
        elif level == _CONSOLE_ERROR:
            report.console_errors.append(f"{message} ({source}:{line})")

    simulator.page.console.connect(console)
    try:
        before = len(simulator.events)
        simulator.launch()

        def finished() -> bool:
            kinds = {e.kind for e in list(simulator.events)[before:]}
            return bool(kinds & {"portal.loaded", "portal.load-failed"})

        wait_until(finished, timeout)
        wait_until(lambda: False, settle)  # late scripts, calls, pop-ups
        _collect(report, simulator)
    finally:
        simulator.close()
        wait_until(lambda: False, 0.05)  # Qt's deferred deletes, in the order they were posted
        if own_runtime:
            wait_until(lambda: False, 0.2)
            runtime.stop()
            del app
    return report


def _collect(report: CheckReport, simulator: Simulator) -> None:
    loaded = simulator.events.of_kind("portal.loaded")
    report.loaded = bool(loaded)
    if loaded:
        report.final_url = str(loaded[-1].fields.get("url", ""))
        parts = urlsplit(report.final_url)
        report.origin = f"{parts.scheme}://{parts.netloc}"
        report.bridge = bool(loaded[-1].fields.get("bridge"))
    else:
        failed = simulator.events.of_kind("portal.load-failed")
        report.final_url = str(failed[-1].fields.get("url", "")) if failed else ""
    requested = [*report.plain_http, *simulator.interceptor.plain_http_requests]
    report.plain_http = list(dict.fromkeys(requested))
    report.calls = len(simulator.events.of_kind("bridge.call"))
    for event in simulator.events.of_kind("contract.violation"):
        fields = {k: event.fields.get(k) for k in ("rule", "severity", "message", "spec")}
        if fields["rule"] == "portal.popup":
            report.popups.append(str(fields["message"]))
        report.violations.append(fields)
    report.certificate_errors = [
        f"{e.fields.get('url')}: {e.fields.get('message')}"
        for e in simulator.events.of_kind("portal.certificate-refused")
    ]


def add_check_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `check URL` to `mobileplans-sim`'s sub-commands."""
    check: argparse.ArgumentParser = subparsers.add_parser(
        "check", help="smoke-check a portal: https, plain-http resources, pop-ups, console, calls"
    )
    check.add_argument("url", help="the portal's https URL, as configured for the operator")
    check.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the load")
    check.add_argument(
        "--settle", type=float, default=2.0, help="seconds to watch the page after it loads"
    )
    check.add_argument("--data-dir", type=Path, default=None, help="state and certificates")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--show", action="store_true", help="use the display (default: offscreen)")
    return check


def run_check_command(args: argparse.Namespace) -> int:
    """Run `check` from parsed arguments; the exit status."""
    if not str(args.url).lower().startswith("https://"):
        print(f"mobileplans-sim check: the portal must be an https URL, not {args.url!r}")
        return EXIT_USAGE
    if not args.show:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report = run_check(args.url, data_dir=args.data_dir, timeout=args.timeout, settle=args.settle)
    print(report.to_json() if args.json else report.render())
    return EXIT_OK if report.ok else EXIT_FAILED
