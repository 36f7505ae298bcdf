"""docs/error-codes.md (what the error dialog's "Learn more" opens) lists every code, sentence
and ESimOperationStatus rule the code has, so the page cannot fall behind it."""

from __future__ import annotations

from pathlib import Path

from simulator.flows import errors
from simulator.portal.lpa_error_codes import NEWER_MEMBERS

PAGE = Path(__file__).resolve().parents[3] / "docs" / "error-codes.md"


def _table_rows(text: str, first_header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_every_internal_code_is_listed_with_its_value_and_sentence() -> None:
    rows = _table_rows(PAGE.read_text(encoding="utf-8"), "Internal code")
    listed = {row[0]: (row[1], row[2]) for row in rows}
    for activation_error, code in errors._INTERNAL_CODES.items():
        sentence = errors.error_text(activation_error).split("\n\n")[0]
        assert listed.get(code) == (activation_error, sentence), code
    assert set(listed) == set(errors._INTERNAL_CODES.values())


def test_every_newer_esim_operation_status_member_says_how_to_produce_it() -> None:
    rows = _table_rows(PAGE.read_text(encoding="utf-8"), "Member")
    assert [row[0] for row in rows] == list(NEWER_MEMBERS)
    assert all(row[2] for row in rows)
