"""`index.html` of a report folder: every test's page of this run with its outcome.

Each test's page is noted in a small JSON file next to it (`.mobile-plans/<page>.json`, with the
run's id), so pages written by pytest-xdist workers are listed by the controller, and pages
left in the folder by earlier runs are not.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

from simulator.report.assets import CSS
from simulator.report.html import verdict
from simulator.report.page_parts import plural

_NOTES = ".mobile-plans"


@dataclass(frozen=True)
class ReportEntry:
    """One test's page: its node id, outcome ("passed"/"failed"/…), the page's file name in
    the folder, and the failing assertion in one line."""

    test: str
    outcome: str
    page: str
    failure: str = ""


def note_entry(folder: Path, entry: ReportEntry, run: str) -> None:
    notes = folder / _NOTES
    notes.mkdir(parents=True, exist_ok=True)
    record = {"run": run, **asdict(entry)}
    (notes / f"{entry.page}.json").write_text(json.dumps(record), encoding="utf-8")


def entries(folder: Path, run: str) -> list[ReportEntry]:
    """This run's pages in the folder, by test id."""
    found = []
    for note in sorted((folder / _NOTES).glob("*.json")):
        try:
            record = json.loads(note.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("run") == run:
            found.append(
                ReportEntry(
                    str(record.get("test", "")),
                    str(record.get("outcome", "")),
                    str(record.get("page", "")),
                    str(record.get("failure", "")),
                )
            )
    return sorted(found, key=lambda e: e.test)


def write_index(folder: Path, run: str) -> Path | None:
    """Write `folder/index.html` for this run's pages; None when the run wrote none."""
    listed = entries(folder, run)
    if not listed:
        return None
    failed = sum(1 for e in listed if verdict(e.outcome) == "FAIL")
    passed = len(listed) - failed
    rows = "".join(
        f'<tr><td><span class="outcome {verdict(e.outcome)}">{verdict(e.outcome)}</span></td>'
        f'<td><a href="{escape(e.page)}">{escape(e.test)}</a></td>'
        f'<td class="k">{escape(e.failure)}</td></tr>'
        for e in listed
    )
    title = f"Mobile Plans test reports — {plural(passed, 'passed', 'passed')}, " + plural(
        failed, "failed", "failed"
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{CSS} td .outcome{{display:inline-block;border-radius:4px;padding:0 8px}}</style></head>
<body><header><h1>{escape(title)}</h1>
<div>{plural(len(listed), "test")} with the mobile_plans fixture</div></header><main><section>
<table><tr><th>outcome</th><th>test</th><th>failing assertion</th></tr>{rows}</table>
</section></main></body></html>
"""
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
