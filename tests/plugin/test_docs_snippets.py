"""Quick starts run verbatim: every command and test shown in README.md and docs/ is run here,
as written, against the bundled portal (see `doc_snippets` for the conventions)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run
from doc_snippets import LANGUAGES, RUN, Snippet, pages, snippets, whole_page

ALL = [snippet for page in pages() for snippet in snippets(page)]
COMMANDS = [s for s in ALL if s.language == "sh" and s.skip_reason is None]


def test_every_block_says_what_it_is_and_few_are_left_out() -> None:
    untagged = [s.where for s in ALL if s.language not in LANGUAGES]
    assert not untagged, f"code blocks without a known language ({sorted(LANGUAGES)}): {untagged}"
    odd_marks = [s.where for s in ALL if s.skip_reason is not None and s.language not in RUN]
    assert not odd_marks, f"only commands and tests are run, so only they are marked: {odd_marks}"
    not_tests = [
        s.where
        for s in ALL
        if s.language == "python" and s.skip_reason is None and "def test_" not in s.code
    ]
    assert not not_tests, f"python blocks are pytest modules: {not_tests}"
    # sparingly: at most a few blocks, and pages left out whole are counted once
    left_out = {(s.page, s.skip_reason) if whole_page(s) else s.where for s in ALL if s.skip_reason}
    assert len(left_out) <= 6, sorted(str(x) for x in left_out)
    commands = [line for s in COMMANDS for line in s.code.splitlines() if line.strip()]
    assert len(commands) >= 5, commands


def _command_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    # the console scripts of the interpreter running the suite, and a scratch home for their
    # default data directory
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.mark.parametrize("snippet", COMMANDS, ids=[s.where for s in COMMANDS])
def test_the_commands_run_as_written(snippet: Snippet, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", snippet.code],
        cwd=work,
        env=_command_env(home),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, (
        f"{snippet.where} exited {done.returncode}:\n{snippet.code}\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    )
    # a report a snippet writes names its run and says it passed
    for report in work.glob("*.html"):
        title = re.search(r"<title>(.*?)</title>", report.read_text("utf-8"))
        assert title is not None, report.name
        assert title.group(1).startswith("mobileplans-sim "), title.group(1)
        assert title.group(1).endswith(" — PASS"), title.group(1)


def test_the_tests_pass_as_written(pytester: pytest.Pytester) -> None:
    """Every page's tests, in one pytest process (one Chromium start), under the pytest
    configuration the quick start shows (the docs' one `ini` block)."""
    ini = [s for s in ALL if s.language == "ini" and s.skip_reason is None]
    assert len(ini) == 1, [s.where for s in ini]
    pytester.makeini(ini[0].code)
    expected = 0
    for snippet in ALL:
        if snippet.language == "python" and snippet.skip_reason is None:
            name = re.sub(r"\W", "_", f"test_{snippet.page.stem}_{snippet.line}")
            (pytester.path / f"{name}.py").write_text(snippet.code)
            expected += len(re.findall(r"^def test_", snippet.code, re.MULTILINE))
    assert expected >= 5
    result = run(pytester, "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=expected)
