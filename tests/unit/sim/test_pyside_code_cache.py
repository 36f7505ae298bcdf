"""The compiled code of shiboken's embedded signature modules, kept between starts: the code
is what `compile` makes of the same text, later starts compile none of it, a damaged file is
compiled afresh, and every other caller of `compile` meanwhile gets the built-in's answer."""

from __future__ import annotations

import builtins
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import pyside_code_cache
from simulator.pyside_code_cache import IMPORTER_MODULE, PysideCodeCache, answering_the_importer

ROOT = Path(__file__).resolve().parents[3]

# A fresh interpreter importing PySide6 as a run does; prints what its cache did.
START = r"""
import json, sys
from simulator.pyside_signature_patterns import import_pyside
from simulator import pyside_code_cache
assert import_pyside()
cache = pyside_code_cache._cache
from PySide6.QtCore import QObject
try:
    QObject().setObjectName(1, 2)
except TypeError as error:
    message = str(error)
print(json.dumps({"compiled": cache.compiled, "used": len(cache.used), "message": message,
                  "path": str(pyside_code_cache.default_path())}))
pyside_code_cache.save()
"""


def _start(pycache: Path) -> dict[str, object]:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(
        [sys.executable, "-c", START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(out.splitlines()[-1])
    return result


def test_the_second_start_compiles_none_of_the_signature_modules(tmp_path: Path) -> None:
    first = _start(tmp_path)
    assert isinstance(first["compiled"], int)
    assert first["compiled"] >= 10
    assert first["compiled"] == first["used"]
    second = _start(tmp_path)
    assert second["compiled"] == 0
    assert second["used"] == first["used"]
    assert second["message"] == first["message"]
    # damaged: ignored, compiled afresh, written again
    Path(str(first["path"])).write_bytes(b"not a cache")
    third = _start(tmp_path)
    assert third["compiled"] == first["compiled"]
    assert _start(tmp_path)["compiled"] == 0


def _as_importer(source: str | bytes, filename: str) -> object:
    """`compile(source, filename, "exec")` called from code named as shiboken's importer,
    with `from __future__ import annotations` in effect there (as in PySide6 6.11)."""
    namespace: dict[str, object] = {"__name__": IMPORTER_MODULE, "source": source}
    text = f"from __future__ import annotations\ncode = compile(source, {filename!r}, 'exec')"
    exec(builtins.compile(text, "<importer>", "exec", dont_inherit=True), namespace)
    return namespace["code"]


SOURCE = b"def f(x: Undefined) -> int:\n    return 1\nANSWER = f.__annotations__\n"


def test_the_kept_code_is_what_compile_makes_of_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.marshal"
    pyside_code_cache._cache = None
    try:
        with answering_the_importer(path) as cache:
            code = _as_importer(SOURCE, "shibokensupport/x.py")
            again = _as_importer(SOURCE, "shibokensupport/x.py")
        assert cache.compiled == 1
        expected = builtins.compile(
            SOURCE, "shibokensupport/x.py", "exec", 0x1000000, dont_inherit=True
        )
        assert code == expected
        assert again == expected
        namespace: dict[str, object] = {}
        exec(code, namespace)  # type: ignore[arg-type]
        assert namespace["ANSWER"] == {"x": "Undefined", "return": "int"}  # annotations kept
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
        cache.save()  # where Python writes no bytecode, nor this
        assert not path.exists()
        monkeypatch.setattr(sys, "dont_write_bytecode", False)
        cache.save()
        kept = PysideCodeCache(path, pyside_code_cache.read_cache(path))
        assert len(kept.entries) == 1
        assert marshal.loads(next(iter(kept.entries.values()))) == expected
    finally:
        pyside_code_cache._cache = None


def test_other_callers_get_compile_with_their_own_future_flags(tmp_path: Path) -> None:
    pyside_code_cache._cache = None
    source = "def f(x: Undefined) -> int: ...\nANSWER = f.__annotations__\n"
    try:
        with answering_the_importer(tmp_path / "cache.marshal") as cache:
            # this test module has `from __future__ import annotations`: strings, as built in
            code = compile(source, "<mine>", "exec")
            plain = compile(source, "<mine>", "exec", dont_inherit=True)
        assert cache.compiled == 0
        assert not cache.entries
        namespace: dict[str, object] = {}
        exec(code, namespace)
        assert namespace["ANSWER"] == {"x": "Undefined", "return": "int"}
        with pytest.raises(NameError):
            exec(plain, {})
    finally:
        pyside_code_cache._cache = None


def test_compile_is_given_back_after_the_import_even_on_error(tmp_path: Path) -> None:
    before = builtins.compile
    pyside_code_cache._cache = None
    try:
        seen: list[object] = []

        def failing_import() -> None:
            with answering_the_importer(tmp_path / "c.marshal"):
                seen.append(builtins.compile)
                raise RuntimeError("an import failed")

        with pytest.raises(RuntimeError):
            failing_import()
        assert seen
        assert seen[0] is not before
        assert builtins.compile is before
    finally:
        pyside_code_cache._cache = None


def test_a_damaged_kept_code_is_compiled_afresh(tmp_path: Path) -> None:
    expected = builtins.compile(SOURCE, "shibokensupport/y.py", "exec", 0, dont_inherit=True)
    key = pyside_code_cache._key(SOURCE, "shibokensupport/y.py", "exec", 0, -1)
    for damaged in (b"", b"\xff not marshal", marshal.dumps("a string, not code")):
        cache = PysideCodeCache(tmp_path / "c.marshal", {key: damaged})
        code = cache.compile_for_importer(
            builtins.compile, SOURCE, "shibokensupport/y.py", "exec", 0, -1
        )
        assert code == expected
        assert cache.compiled == 1
        assert marshal.loads(cache.entries[key]) == expected
