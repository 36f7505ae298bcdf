"""docs/README.md, the index Help > Documentation opens, links every page in docs/, and every
relative link between the pages leads to a page that exists."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[3] / "docs"
_LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def test_the_index_links_every_page() -> None:
    linked = set(_LINK.findall((DOCS / "README.md").read_text(encoding="utf-8")))
    pages = {page.name for page in DOCS.glob("*.md")} - {"README.md"}
    assert pages - linked == set()


def test_every_link_between_pages_resolves() -> None:
    broken = [
        f"{page.name} -> {target}"
        for page in DOCS.glob("*.md")
        for target in _LINK.findall(page.read_text(encoding="utf-8"))
        if "://" not in target and not (page.parent / target).resolve().is_file()
    ]
    assert broken == []
