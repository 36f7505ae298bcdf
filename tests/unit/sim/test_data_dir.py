"""One data directory for every command (issue 9 point 8): own sub-paths, clear problems."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from esim.cli_home import SETTINGS_FILE, home_in
from simulator.data_dir import (
    THINGSPACE_LISTENER,
    check_app_data,
    default_data_dir,
    demo_dir,
    prepare_demo_dir,
    remove_demo_dir,
    stored_card_eid,
)

EID = "89033023422130000000000199055797"
OTHER_EID = "89049032123451234512345678901235"


def _card(path: Path, eid: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('eid', ?)", (eid,))
    db.commit()
    db.close()


def test_a_fresh_or_missing_directory_has_no_problem(tmp_path: Path) -> None:
    assert check_app_data(tmp_path / "new", tmp_path / "new", EID) == []
    assert check_app_data(tmp_path, tmp_path, EID) == []


def test_the_listener_file_an_older_version_left_is_named_with_the_way_out(
    tmp_path: Path,
) -> None:
    (tmp_path / "thingspace").write_bytes(b"SQLite format 3\x00" + bytes(100))
    [problem] = check_app_data(tmp_path, tmp_path, EID)
    assert problem.rule == "data-dir.not-a-directory"
    assert problem.path == tmp_path / "thingspace"
    assert "older `mobileplans-sim thingspace listen`" in problem.message
    assert f"mv {tmp_path / 'thingspace'} {tmp_path / THINGSPACE_LISTENER}/carrier.sqlite3" in (
        problem.message
    )


def test_a_card_made_for_another_eid_is_found_before_anything_is_opened(tmp_path: Path) -> None:
    card = tmp_path / "esim" / "euicc" / "euicc.sqlite"
    _card(card, OTHER_EID)
    (tmp_path / "esim" / "settings.json").write_text("{}")
    assert stored_card_eid(card) == OTHER_EID
    [problem] = check_app_data(tmp_path, tmp_path, EID)
    assert problem.rule == "data-dir.card-of-another-eid"
    assert f"--eid {OTHER_EID}" in problem.message
    assert "older `esim` command" in problem.message
    assert check_app_data(tmp_path, tmp_path, OTHER_EID) == []
    assert stored_card_eid(card) == OTHER_EID  # only read


@pytest.mark.parametrize(
    ("relative", "content", "rule"),
    [
        ("thingspace/carrier.sqlite3", b"not a database at all", "data-dir.not-sqlite"),
        ("esim/smdp.sqlite", b"\x00" * 64, "data-dir.not-sqlite"),
        ("tls", b"a file", "data-dir.not-a-directory"),
        ("logs", b"a file", "data-dir.not-a-directory"),
    ],
)
def test_foreign_files_where_the_app_keeps_its_state_are_problems(
    tmp_path: Path, relative: str, content: bytes, rule: str
) -> None:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    [problem] = check_app_data(tmp_path, tmp_path, EID)
    assert (problem.rule, problem.path) == (rule, path)
    assert "choose another --data-dir" in problem.message
    assert str(problem).endswith(f"[{rule}]")


def test_a_data_dir_that_is_a_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    [problem] = check_app_data(tmp_path / "file", tmp_path / "file", EID)
    assert problem.message == f"--data-dir {tmp_path / 'file'} is a file, not a directory; " + (
        "choose a directory."
    )


def test_each_demo_gets_a_fresh_directory_and_leftovers_of_dead_demos_go(
    tmp_path: Path,
) -> None:
    dead = tmp_path / "demo" / "999999999"  # no such process
    dead.mkdir(parents=True)
    (dead / "leftover").write_text("x")
    mine = prepare_demo_dir(tmp_path)
    assert mine == demo_dir(tmp_path)
    assert mine.is_dir()
    assert list(mine.iterdir()) == []
    assert not dead.exists()
    remove_demo_dir(mine)
    assert not mine.exists()


def test_the_esim_command_keeps_to_esim_cli_and_an_older_home_stays_where_it_is(
    tmp_path: Path,
) -> None:
    assert home_in(default_data_dir()) == default_data_dir() / "esim-cli"
    assert home_in(tmp_path) == tmp_path / "esim-cli"
    (tmp_path / SETTINGS_FILE).write_text("{}")  # made by an esim from before esim-cli/
    assert home_in(tmp_path) == tmp_path


def test_a_damaged_portal_certificate_is_made_again(tmp_path: Path) -> None:
    from simulator.portal.tls import PortalTls

    first = PortalTls.load_or_create(tmp_path)
    (tmp_path / "portal-leaf.pem").write_text("not a certificate")
    second = PortalTls.load_or_create(tmp_path)
    assert second.leaf_pem != first.leaf_pem
    assert second.leaf_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert PortalTls.load_or_create(tmp_path).leaf_pem == second.leaf_pem  # then reused
