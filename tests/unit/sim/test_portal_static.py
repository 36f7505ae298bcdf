"""The portal front's static files: small ones answered from memory in one step, large ones
streamed; nothing outside the folder, a clear 404 for what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.portal import hosting
from simulator.portal.hosting import _static, content_type
from simulator.portal.http_messages import FileResponse, Response

JS_TYPE = "text/javascript"


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    root = tmp_path / "portal"
    root.mkdir()
    (root / "index.html").write_text("<title>hi</title>")
    (root / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("no")
    return root


def test_a_small_file_is_answered_with_its_bytes_and_type(portal: Path) -> None:
    response = _static(portal, "/app.js")
    assert type(response) is Response
    assert response.status == 200
    assert response.body == b"console.log(1)"
    assert response.headers["Content-Type"] == JS_TYPE
    assert response.headers["Cache-Control"] == "no-store"


def test_a_folder_serves_its_index(portal: Path) -> None:
    response = _static(portal, "/")
    assert type(response) is Response
    assert response.body == b"<title>hi</title>"


def test_a_large_file_is_streamed(portal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hosting, "INLINE_FILE_BYTES", 4)
    response = _static(portal, "/app.js")
    assert isinstance(response, FileResponse)
    assert response.headers["Content-Type"] == JS_TYPE


def test_missing_and_outside_files_are_refused(portal: Path) -> None:
    assert _static(portal, "/nothing.js").status == 404
    assert _static(portal, "/../secret.txt").status == 403
    assert _static(portal, "/%2e%2e/secret.txt").status == 403


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "text/html"),
        ("STYLE.CSS", "text/css"),
        ("app.min.js", "text/javascript"),
        ("logo.svg", "image/svg+xml"),
        ("font.woff2", "font/woff2"),
        ("data.csv", "text/csv"),  # not in the table: the system's answer
        ("README", "application/octet-stream"),
        ("archive.no-such-type", "application/octet-stream"),
    ],
)
def test_each_file_is_served_with_its_web_type(name: str, expected: str) -> None:
    assert content_type(name) == expected
