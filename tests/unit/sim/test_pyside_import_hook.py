"""PySide6's import hook asks of each module whether its source mentions PySide6; ours answers
from the file's bytes, as PySide's own function does from its text."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from simulator import pyside_import_hook
from simulator.pyside_import_hook import lighten_pyside_import_hook, source_mentions_pyside


def _pysides_own_check() -> object:
    feature = sys.modules["shibokensupport.feature"]
    check = feature._mod_uses_pyside
    return getattr(check, "__wrapped__", check)


def test_the_hook_exists_in_this_pyside() -> None:
    # Should PySide rename or drop it, the start-up saving is gone: this says so.
    assert callable(_pysides_own_check())


def test_same_answer_as_pysides_for_every_loaded_module() -> None:
    original = _pysides_own_check()
    assert callable(original)
    modules = [m for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
    answers = {m.__name__: source_mentions_pyside(m, original) for m in modules}
    expected = {m.__name__: original(m) for m in modules}
    assert answers == expected
    assert answers["simulator.pyside_import_hook"] is True  # mentions PySide6
    assert answers["json"] is False


def test_a_module_without_a_readable_source_file_goes_to_pysides(tmp_path: Path) -> None:
    asked: list[str] = []

    def fallback(module: types.ModuleType) -> bool:
        asked.append(module.__name__)
        return False

    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")  # no such file
    compiled = types.ModuleType("compiled")
    compiled.__file__ = str(tmp_path / "compiled.cpython-311-x86_64-linux-gnu.so")
    assert not source_mentions_pyside(gone, fallback)
    assert not source_mentions_pyside(compiled, fallback)
    assert not source_mentions_pyside(types.ModuleType("builtin_like"), fallback)
    assert asked == ["gone", "compiled", "builtin_like"]


def test_installed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    feature = sys.modules["shibokensupport.feature"]
    monkeypatch.setattr(feature, "_mod_uses_pyside", _pysides_own_check())
    assert lighten_pyside_import_hook()
    installed = feature._mod_uses_pyside
    assert lighten_pyside_import_hook()
    assert feature._mod_uses_pyside is installed
    assert installed.__wrapped__ is _pysides_own_check()
    assert installed(pyside_import_hook) is True


def test_nothing_changes_without_the_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "shibokensupport.feature")
    assert not lighten_pyside_import_hook()
