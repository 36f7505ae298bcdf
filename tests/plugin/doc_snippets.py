"""The code blocks of README.md and docs/*.md, as the docs test runs them.

Every fenced block carries a language. `sh` blocks are commands, `python` blocks are pytest
modules, an `ini` block is the pytest configuration of its page's tests; `text`, `json` and `js`
blocks are output, data or portal code shown, not run (the rules page's JavaScript examples are
checked by the rules test instead). A command or test block a machine without a display or
without the reader's own servers cannot run is preceded by the visible line
``*Not run by the test suite: <reason>.*``; a page whose every command needs software the
reader builds or brings (lpac, osmo-smdpp) says so once, before its first block, with
``*Not run by the test suite, this whole page: <reason>.*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
LANGUAGES = frozenset({"sh", "python", "ini", "text", "json", "js"})
RUN = frozenset({"sh", "python"})
SKIP_MARKER = re.compile(r"^\*Not run by the test suite: (?P<reason>[^*]{5,})\*$")
PAGE_MARKER = re.compile(r"^\*Not run by the test suite, this whole page: (?P<reason>[^*]{5,})\*$")

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
    page_reason = _page_reason(lines)
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
                page_reason or _skip_reason(lines, start),
            )
        )
    return found


def _page_reason(lines: list[str]) -> str | None:
    """The page-wide marker's reason, when it comes before the page's first code block."""
    for line in lines:
        if _FENCE.match(line):
            return None
        marker = PAGE_MARKER.match(line.strip())
        if marker:
            return marker["reason"].strip()
    return None


def _skip_reason(lines: list[str], fence: int) -> str | None:
    before = fence - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    if before < 0:
        return None
    marker = SKIP_MARKER.match(lines[before].strip())
    return marker["reason"].strip() if marker else None


def whole_page(snippet: Snippet) -> bool:
    """Whether the snippet is left out by its page's page-wide marker."""
    return _page_reason(snippet.page.read_text("utf-8").splitlines()) is not None
