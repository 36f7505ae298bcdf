"""docs/app-screens.md lists every string the simulated app's screens show, with where it shows
and whether Microsoft's public pages document it; this test reads the screen modules and fails
on any sentence-like string the table lacks, so the table cannot fall behind the code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "app-screens.md"

#: The modules whose strings the person in front of the simulated app reads: the app's pages,
#: dialogs, banner, progress popup, toasts, Gateway page, flyout entries and the flows' texts.
#: Every module of simulator/ui/ counts (a new screen is covered without asking) except the
#: simulator's own tools: its panels, menus, layout and style.
_FLOW_MODULES = (
    "simulator/flows/screens.py",
    "simulator/flows/errors.py",
    "simulator/flows/engine.py",
    "simulator/flows/portal_session.py",
    "simulator/operator_api/experience.py",
)
_TOOL_MODULES = {"__init__.py", "menus.py", "layout.py", "style.py", "toast_book.py"}
SCREEN_MODULES = _FLOW_MODULES + tuple(
    str(path.relative_to(ROOT))
    for path in sorted((ROOT / "simulator" / "ui").glob("*.py"))
    if path.name not in _TOOL_MODULES
)

#: Sentence-like strings in those modules that no screen shows.
NOT_ON_SCREEN = {
    "Flow",  # type names in annotations
    "Toast",
    "SM-DS discovery",  # a clock timer's label (the Clock panel)
    "Navigation",  # the simulator's own tool bar and docks
    "Timeline",
    "Contract",
    "Device",
    "MO service",
    # why the service chose an experience: event fields for the Timeline, not screen text
    "GetBalance gave no usable balance (HTTP {})",
    "GetOffers chose {}",
    'GetOffers gave no usable offer: template "0"',
    "GetBalance answered NOTSUPPORTED for this SIM",
}

#: Calls whose string arguments are not text on a screen.
_NOT_TEXT_CALLS = {"setStyleSheet", "setObjectName", "emit", "setProperty", "call_later"}

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_SENTENCE_LIKE = re.compile(r"^[^a-z]*[A-Z]")


def _text(node: ast.AST) -> str | None:
    """A string literal, f-string (placeholders as {}) or a sum of them; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _strings(node: ast.AST) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return  # a docstring
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _NOT_TEXT_CALLS:
            return
    text = _text(node)
    if text is not None:
        yield getattr(node, "lineno", 0), text
        return
    for child in ast.iter_child_nodes(node):
        yield from _strings(child)


def normalise(text: str) -> str:
    return " ".join(_PLACEHOLDER.sub("{}", text).split())


def screen_strings() -> dict[str, str]:
    """Every sentence-like string of the screen modules -> where it is (path:line)."""
    found: dict[str, str] = {}
    for module in SCREEN_MODULES:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for line, raw in _strings(tree):
            text = normalise(raw)
            words = text.split()
            if not re.search(r"[A-Za-z]{2}", text) or not _SENTENCE_LIKE.match(text):
                continue
            if len(words) == 1 and not re.fullmatch(r"[A-Z][a-z]+", text):
                continue  # identifiers, codes and event kinds, not words
            if text not in NOT_ON_SCREEN:
                found.setdefault(text, f"{module}:{line}")
    return found


def doc_table() -> dict[str, tuple[str, str]]:
    """The page's table: string -> (where it shows, source)."""
    rows: dict[str, tuple[str, str]] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or len(cells) != 3 or set(cells[0]) <= {"-", " "}:
            continue
        string = cells[0].strip("`").replace("<br>", " ")
        rows[normalise(string)] = (cells[1], cells[2])
    return rows


def test_the_extractor_finds_known_screen_strings() -> None:
    found = screen_strings()
    assert "Can’t complete your order" in found
    assert "Installing eSIM profile ({}KB of {}KB)" in found
    assert "Your {} eSIM profile is ready to download." in found
    assert "View my account" in found
    assert "Flow" not in found


def test_every_screen_string_is_in_the_docs_table() -> None:
    table = doc_table()
    missing = {text: where for text, where in screen_strings().items() if text not in table}
    assert not missing, f"add these to docs/app-screens.md: {missing}"


def test_screens_use_the_typographic_apostrophe() -> None:
    # The docs' screenshots write "Can’t", "We’ll", "You’re": the app's text does too.
    straight = {text: where for text, where in screen_strings().items() if "'" in text}
    assert straight == {}


def test_every_row_says_where_it_comes_from() -> None:
    for string, (where, source) in doc_table().items():
        if string == "String":
            continue
        assert where, string
        assert source.startswith(("our invention", "documented: ")), (string, source)
