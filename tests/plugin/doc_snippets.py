"""The code blocks of README.md and docs/*.md, as the docs test runs them.

Every fenced block carries a language. `sh` blocks are commands, `python` blocks are pytest
modules, an `ini` block is the pytest configuration of its page's tests; `text`, `json` and `js`
blocks are output, data or portal code shown, not run (the rules page's JavaScript examples are
checked by the rules test instead). A command or test block a machine without a display or
without the reader's own servers cannot run is preceded by the visible line
``*Not run by the test suite: <reason>.*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
LANGUAGES = frozenset({"sh", "python", "ini", "text", "json", "js"})
RUN = frozenset({"sh", "python"})
SKIP_MARKER = re.compile(r"^\*Not run by the test suite: (?P<reason>[^*]{5,})\*$")

_FENCE = re.compile(r"^```(?P<language>\S*)\s*$")


@dataclass(frozen=True)
class Snippet:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    skip_reason: str | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def snippets(page: Path) -> list[Snippet]:
    """The fenced blocks of `page` in order; an unclosed fence is an error."""
    lines = page.read_text("utf-8").splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and not lines[index].startswith("```"):
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"{page}:{start + 1}: a code block is never closed")
        index += 1
        found.append(
            Snippet(
                page,
                start + 1,
                opening["language"],
                "\n".join(body) + "\n",
                _skip_reason(lines, start),
            )
        )
    return found


def _skip_reason(lines: list[str], fence: int) -> str | None:
    before = fence - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    if before < 0:
        return None
    marker = SKIP_MARKER.match(lines[before].strip())
    return marker["reason"].strip() if marker else None
