"""The pytest plugin for portal teams (DESIGN.md §4.4): fixtures, a marker, per-test reports.

Registered through the ``pytest11`` entry point ``mobile_plans``. A test asks for the
``mobile_plans`` fixture and gets a `MobilePlans`: an isolated simulator (own data directory,
own SM-DP+ on an ephemeral port, a virtual clock the test steps) inside pytest-qt's
QApplication. ``@pytest.mark.mobile_plans(device="psim", eid=..., imei=..., market=...,
location=..., portal_url=... | portal_dir=...)`` chooses the PC and the portal.

Chromium fixes its host-resolver rules when QtWebEngine starts, so the sockets behind them
(`Runtime`) exist once per process before the QApplication: the session fixture
``mobile_plans_runtime`` starts them and ``qapp_args`` hands pytest-qt the matching arguments.
Each pytest-xdist worker is its own process with its own runtime and ports.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from simulator.pytest_plugin import reports
from simulator.pytest_plugin.driver import DeviceOptions, MobilePlans, MobilePlansError
from simulator.pytest_plugin.stash import DRIVER, REPORTS
from simulator.replay import Recording, ReplayMismatchError, ReplayResult, replay

__all__ = [
    "DeviceOptions",
    "MobilePlans",
    "MobilePlansError",
    "Recording",
    "ReplayMismatchError",
    "ReplayResult",
    "replay",
]

_FIXTURES = "mobile_plans.fixtures"

# What QtWebEngine says on every headless start; not the portal's doing (qutebrowser's practice).
_OFFSCREEN_NOISE = (
    "^QRhiGles2: Failed to create (temporary )?context$",
    "^Failed to create RHI for backend: OpenGL$",
    "^GPUInfo not initialized on GpuInfoUpdate$",
    "^This plugin does not support createPlatformVulkanInstance$",
    "^QVulkanInstance: Failed to initialize Vulkan$",
    "^GBM is not supported with the current configuration",
    "^This plugin does not support propagateSizeHints\\(\\)$",
    "^This plugin does not support raise\\(\\)$",
    "^This plugin does not support grabbing the keyboard$",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mobile_plans", "Mobile Plans simulator")
    group.addoption(
        "--mobile-plans-report",
        metavar="DIR",
        default=None,
        help="write one self-contained HTML report per mobile_plans test into DIR, and"
        " DIR/index.html listing them with their outcomes",
    )
    parser.addini("mobile_plans_timeout", "default wait of mobile_plans, in seconds", default="10")
    parser.addini(
        "mobile_plans_headless",
        "run Qt offscreen (QT_QPA_PLATFORM=offscreen) unless already set",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mobile_plans(device='esim'|'psim', eid=, imei=, market=, location=, iccid=, "
        "device_make=, device_model=, "
        "portal_url=, portal_dir=, iccid_ranges=['START-END' or 'PREFIX', ...], "
        "operator_config=FILE or dict (one operator or an operators list: the catalog), "
        "walled_garden='enforce'|'report'|'off'): the "
        "simulated PC, the portal and the operator(s) of a mobile_plans test",
    )
    # Fixtures of plugins registered later win: registering ours now, after every plugin has
    # loaded, makes our qapp_args beat pytest-qt's default (a conftest's still beats both).
    if not config.pluginmanager.has_plugin(_FIXTURES):
        from simulator.pytest_plugin import fixtures

        config.pluginmanager.register(fixtures, _FIXTURES)
    if config.getoption("--mobile-plans-report"):
        reports.start_run()
    if config.getini("mobile_plans_headless"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The simulator's Chromium arguments come from qapp_args; this variable would replace them.
    os.environ.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    try:
        ignored = config.getini("qt_log_ignore")
    except ValueError:  # pytest-qt is not installed: nothing to tell it
        return
    for pattern in _OFFSCREEN_NOISE:
        if pattern not in ignored:
            config.addinivalue_line("qt_log_ignore", pattern)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    driver = item.stash.get(DRIVER, None)
    if driver is not None and report.failed and driver.built:
        report.sections.append(("mobile_plans: last events", driver.last_events(30)))
        violations = [
            f"{v.fields.get('severity')}: {v.fields.get('rule')} — {v.fields.get('message')}"
            f" (read: {v.fields.get('spec')})"
            for v in driver.violations
            if v.fields.get("severity") != "info"
        ]
        report.sections.append(
            ("mobile_plans: contract violations", "\n".join(violations) or "(none)")
        )
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    reports.finish_run(session.config)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    line = reports.summary_line(terminalreporter.config)
    if line is not None:
        terminalreporter.write_line(line)
