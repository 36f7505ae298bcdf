"""`--mobile-plans-report DIR`: one page per test, `DIR/index.html` listing them with their
outcomes, and its path printed at the end of the run (works under pytest-xdist: workers write
the pages, the controller the index)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from simulator.pytest_plugin.driver import MobilePlans
from simulator.pytest_plugin.stash import REPORTS
from simulator.report.index import ReportEntry, note_entry, write_index

#: The run's id, set by the controller before any worker starts (workers inherit it).
RUN_ENV = "MOBILE_PLANS_REPORT_RUN"
INDEX = pytest.StashKey[Path]()


def start_run() -> None:
    os.environ.setdefault(RUN_ENV, uuid.uuid4().hex)


def _failure_line(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or report.longreprtext or "")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def write_test_report(item: pytest.Item, driver: MobilePlans, folder: Path) -> Path:
    """The test's page, titled with its node id and outcome, noted for the index."""
    reports = item.stash.get(REPORTS, {})
    call = reports.get("call") or reports.get("setup")
    outcome = call.outcome if call is not None else "unknown"
    failed = call is not None and call.failed
    name = re.sub(r"[^\w.-]+", "_", item.nodeid).strip("_") + ".html"
    failure = _failure_line(call) if failed and call is not None else ""
    page = driver.write_report(
        folder / name,
        title=item.nodeid,
        outcome=outcome,
        details=str(call.longrepr) if failed and call is not None else "",
        failure=failure,
    )
    note_entry(folder, ReportEntry(item.nodeid, outcome, name, failure), os.environ[RUN_ENV])
    return page


def finish_run(config: pytest.Config) -> None:
    """On the controller (or a run without workers): write the index of this run's pages."""
    folder = config.getoption("--mobile-plans-report")
    if not folder or hasattr(config, "workerinput") or RUN_ENV not in os.environ:
        return
    index = write_index(Path(folder), os.environ[RUN_ENV])
    if index is not None:
        config.stash[INDEX] = index.resolve()


def summary_line(config: pytest.Config) -> str | None:
    index = config.stash.get(INDEX, None)
    return None if index is None else f"mobile_plans reports: {index}"
