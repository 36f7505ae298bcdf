"""`mobileplans-sim check URL | --portal-dir DIR`: a smoke conformance check of a portal.

Launches the portal as the real app would (query parameters, headers, the allowed origin),
waits for it to load over https, then reports why it did not load, whether the real app would
inject its objects there, resources fetched over plain http, pop-ups and new windows attempted
(with their targets), console errors and, when the page calls the app, the contract
violations. Exit status 0 when nothing is wrong, 1 on any finding, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from simulator.bridge.origin import OriginPolicy
from simulator.check_report import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CheckReport, LoadOutcome
from simulator.portal.trust import LocalCaTrust, TrustFileError

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEngineLoadingInfo

    from simulator.app import Simulator
    from simulator.runtime import Runtime

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CheckReport",
    "add_check_command",
    "run_check",
    "run_check_command",
]

_CONSOLE_ERROR = 2  # QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel
# Chromium's net errors ERR_NAME_NOT_RESOLVED and ERR_NAME_RESOLUTION_FAILED, which Qt files
# under the connection domain; a person wants "DNS" for them.
_CHROMIUM_DNS_ERRORS = frozenset({-105, -137})
_MIXED_CONTENT = re.compile(r"Mixed Content: .*?requested an insecure [\w -]*'(http://[^']+)'")


def run_check(
    url: str | None = None,
    *,
    portal_dir: Path | None = None,
    ca: LocalCaTrust | None = None,
    notification_host: str | None = None,
    runtime: Runtime | None = None,
    data_dir: Path | None = None,
    timeout: float = 30.0,
    settle: float = 2.0,
) -> CheckReport:
    """Check the portal at `url`, or the folder `portal_dir` served as `run --portal-dir` does.

    With `runtime`, inside the caller's QApplication (tests); without, starts the runtime and a
    QApplication of its own (the command). `ca` adds a user's CA for the portal's TLS;
    `notification_host` is the operator's configured host (default: the portal's own).
    """
    from simulator.app import Simulator, SimulatorConfig
    from simulator.replay import wait_until

    if (url is None) == (portal_dir is None):
        raise ValueError("run_check needs exactly one of url and portal_dir")
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="mobileplans-check-"))
    own_runtime = runtime is None
    app = None
    if runtime is None:
        from PySide6.QtWidgets import QApplication

        from simulator.runtime import Runtime

        runtime = Runtime.start(data_dir / "runtime")
        app = QApplication.instance() or QApplication(runtime.qapp_argv())
    config = SimulatorConfig(
        portal_url=url,
        portal_dir=portal_dir,
        notification_host=notification_host,
        time_scale=0.0,
        data_dir=data_dir / "simulator",
    )
    simulator = Simulator(config, runtime)
    report = CheckReport(url=url or simulator.portal_uri)
    if ca is not None:
        simulator.page.trust_local_ca(ca)

    def console(level: int, message: str, line: int, source: str) -> None:
        # Chromium blocks (or upgrades) plain-http sub-resources of an https page before any
        # request is made, and says so on the console: that is where they are seen.
        mixed = _MIXED_CONTENT.search(message)
        if mixed:
            report.plain_http.append(mixed.group(1))
        elif level == _CONSOLE_ERROR:
            report.console_errors.append(f"{message} ({source}:{line})")

    simulator.page.console.connect(console)
    simulator.page.popupBlocked.connect(report.popups.append)
    simulator.page.loadingChanged.connect(lambda info: _record_load(report.load, info))
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


def _record_load(outcome: LoadOutcome, info: QWebEngineLoadingInfo) -> None:
    """Keep how the main document's latest load went (the signal is main-frame only)."""
    from PySide6.QtWebEngineCore import QWebEngineLoadingInfo

    status = info.status()
    domain = info.errorDomain()
    domains = QWebEngineLoadingInfo.ErrorDomain
    states = QWebEngineLoadingInfo.LoadStatus
    if status is states.LoadStartedStatus:
        outcome.status, outcome.http_status = "", None
        outcome.error_domain, outcome.error_code, outcome.error_text = "", 0, ""
        return
    outcome.status = {
        states.LoadSucceededStatus: "succeeded",
        states.LoadFailedStatus: "failed",
        states.LoadStoppedStatus: "stopped",
    }.get(status, "failed")
    if domain is domains.HttpStatusCodeDomain:
        outcome.http_status = info.errorCode()
    elif domain is not domains.NoErrorDomain:
        outcome.error_domain = {
            domains.DnsErrorDomain: "dns",
            domains.ConnectionErrorDomain: "connection",
            domains.CertificateErrorDomain: "certificate",
            domains.HttpErrorDomain: "http",
            domains.InternalErrorDomain: "internal",
        }.get(domain, "other")
        outcome.error_code = info.errorCode()
        outcome.error_text = info.errorString()[:300]
        if outcome.error_code in _CHROMIUM_DNS_ERRORS:
            outcome.error_domain = "dns"


def _collect(report: CheckReport, simulator: Simulator) -> None:
    loaded = simulator.events.of_kind("portal.loaded")
    http_error = report.load.http_status is not None and report.load.http_status >= 400
    report.loaded = bool(loaded) and not http_error
    if loaded:
        report.final_url = str(loaded[-1].fields.get("url", ""))
        parts = urlsplit(report.final_url)
        report.origin = f"{parts.scheme}://{parts.netloc}"
        report.bridge = bool(loaded[-1].fields.get("bridge"))
        report.injection_refusal = OriginPolicy(simulator.notification_host).refusal(
            report.final_url
        )
    else:
        failed = simulator.events.of_kind("portal.load-failed")
        report.final_url = str(failed[-1].fields.get("url", "")) if failed else ""
    requested = [*report.plain_http, *simulator.interceptor.plain_http_requests]
    report.plain_http = list(dict.fromkeys(requested))
    report.popups = list(dict.fromkeys(report.popups))
    report.calls = len(simulator.events.of_kind("bridge.call"))
    for event in simulator.events.of_kind("contract.violation"):
        fields = {k: event.fields.get(k) for k in ("rule", "severity", "message", "spec")}
        report.violations.append(fields)
    report.certificate_errors = [
        f"{e.fields.get('url')}: {e.fields.get('message')}"
        for e in simulator.events.of_kind("portal.certificate-refused")
    ]


_EXAMPLES = """examples:
  mobileplans-sim check https://staging.contoso.example/mo
  mobileplans-sim check --portal-dir ./my-portal --json
  mobileplans-sim check https://127.0.0.1:8443/ --ca my-ca.pem

exit status: 0 nothing found, 1 at least one finding, 2 usage error
findings: docs/quickstart-check.md"""


def add_check_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `check URL | --portal-dir DIR` to `mobileplans-sim`'s sub-commands."""
    check: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="smoke-check a portal: load, https, injection, pop-ups, console, calls",
        description="Launch a portal as the Mobile Plans app would and report what breaks.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "url",
        nargs="?",
        default=None,
        help="the portal's https URL, as configured for the operator",
    )
    check.add_argument(
        "--portal-dir",
        type=Path,
        default=None,
        help="check a folder instead, served over https as `run --portal-dir` serves it",
    )
    check.add_argument(
        "--ca",
        type=Path,
        default=None,
        help="a CA certificate (PEM or DER) to trust for the portal's TLS, e.g. a local server's",
    )
    check.add_argument(
        "--notification-host",
        default=None,
        help="the operator's configured host (default: the portal URL's host)",
    )
    check.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the load")
    check.add_argument(
        "--settle", type=float, default=2.0, help="seconds to watch the page after it loads"
    )
    check.add_argument("--data-dir", type=Path, default=None, help="state and certificates")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--show", action="store_true", help="use the display (default: offscreen)")
    return check


def _usage_error(args: argparse.Namespace) -> str:
    """What is wrong with the command line ('' when nothing)."""
    if args.url is None and args.portal_dir is None:
        return "give the portal's https URL or --portal-dir DIR"
    if args.url is not None and args.portal_dir is not None:
        return "give either a URL or --portal-dir, not both"
    if args.url is not None and not str(args.url).lower().startswith("https://"):
        return f"the portal must be an https URL, not {args.url!r}"
    if args.portal_dir is not None and not (Path(args.portal_dir) / "index.html").is_file():
        return f"--portal-dir {args.portal_dir}: no index.html in that folder"
    if args.timeout <= 0 or args.settle < 0:
        return "--timeout must be positive and --settle not negative"
    return ""


def run_check_command(args: argparse.Namespace) -> int:
    """Run `check` from parsed arguments; the exit status."""
    problem = _usage_error(args)
    ca = None
    if not problem and args.ca is not None:
        try:
            ca = LocalCaTrust.load(args.ca)
        except TrustFileError as error:
            problem = f"--ca: {error}"
    if problem:
        _print_usage_error(problem, as_json=args.json)
        return EXIT_USAGE
    if not args.show:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report = run_check(
        args.url,
        portal_dir=args.portal_dir,
        ca=ca,
        notification_host=args.notification_host,
        data_dir=args.data_dir,
        timeout=args.timeout,
        settle=args.settle,
    )
    print(report.to_json() if args.json else report.render())
    return EXIT_OK if report.ok else EXIT_FAILED


def _print_usage_error(problem: str, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "error": "usage", "message": problem}))
    else:
        print(f"mobileplans-sim check: {problem}", file=sys.stderr)
