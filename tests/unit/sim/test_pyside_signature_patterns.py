"""PySide6's first import with the signature module's regular expressions compiled when used:
the same answers as a plain import (signature texts, error messages of wrong Qt calls), the
patterns compiled only once something uses them, every other `re.compile` untouched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.pyside_signature_patterns import (
    PatternCompiledOnUse,
    _compiling_signature_patterns_later,
)

ROOT = Path(__file__).resolve().parents[3]

# What the signature modules answer, and how Qt reports a wrong call: printed by a fresh
# interpreter that imports PySide6 plainly or through `import_pyside`.
PROBE = r"""
import re, sys
compile_before = re.compile
if sys.argv[1] == "later":
    from simulator.pyside_signature_patterns import PatternCompiledOnUse, import_pyside
    assert import_pyside() and not import_pyside()
    assert re.compile is compile_before
    parser = sys.modules["shibokensupport.signature.parser"]
    generator = sys.modules["shibokensupport.signature.lib.pyi_generator"]
    waiting = [generator.Formatter.brace_searcher, generator.Formatter.opt_uni_searcher]
    assert all(isinstance(p, PatternCompiledOnUse) for p in waiting)
    assert all(p._compiled is None for p in waiting)
    print("waiting", len(waiting))
else:
    print("waiting", 2)
from PySide6.QtCore import QObject, QTimer, QUrl
parser = sys.modules["shibokensupport.signature.parser"]
generator = sys.modules["shibokensupport.signature.lib.pyi_generator"]
for call in (
    lambda: QObject().setObjectName(1, 2, 3),
    lambda: QUrl(1, 2, 3, 4),
    lambda: QTimer.singleShot("x"),
):
    try:
        call()
    except TypeError as error:
        print(error)
print(parser.arglistParser.parse("a, b[c, d], e=f(g, h), i=[j, (k, l)]"))
print(generator.Formatter.split("x, y[z, w], q"))
"""


def _probe(mode: str) -> list[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()


def test_same_answers_as_a_plain_import_with_the_patterns_waiting_until_used() -> None:
    later = _probe("later")
    assert later == _probe("plain")
    assert later[0] == "waiting 2"  # should PySide rename its modules, the saving is gone
    assert "QObject.setObjectName() takes exactly one argument (3 given)" in later


def test_a_pattern_compiles_on_first_use_and_then_behaves_as_compiled() -> None:
    pattern = PatternCompiledOnUse(r"(\d+)-(\d+)", re.ASCII)
    assert pattern._compiled is None
    assert not hasattr(pattern, "__isabstractmethod__")  # class machinery asks: no use
    assert pattern._compiled is None
    assert pattern.findall("1-2 x 30-4") == [("1", "2"), ("30", "4")]
    assert pattern.pattern == r"(\d+)-(\d+)"
    assert pattern.flags == re.compile(r"(\d+)-(\d+)", re.ASCII).flags
    assert pattern.compiled() is pattern.compiled()


def test_a_method_taken_before_use_is_never_bound_as_a_method() -> None:
    class Formatter:
        # as PySide's stub writer takes it
        split = PatternCompiledOnUse(r"(,)", 0).split

    assert Formatter.split("a,b") == ["a", ",", "b"]
    assert Formatter().split("a,b") == ["a", ",", "b"]


def test_only_the_signature_modules_get_patterns_compiled_later() -> None:
    compile_for = _compiling_signature_patterns_later(re.compile)
    assert isinstance(compile_for("a+"), re.Pattern)  # this module: compiled now
    namespace = {"__name__": "shibokensupport.signature.parser", "compile_for": compile_for}
    exec("waiting = compile_for('a+', 8)", namespace)
    assert isinstance(namespace["waiting"], PatternCompiledOnUse)
    namespace["__name__"] = "shibokensupport.signature.mapping"
    exec("now = compile_for('a+')", namespace)
    assert isinstance(namespace["now"], re.Pattern)


@pytest.mark.parametrize("flags", [0, re.VERBOSE | re.IGNORECASE])
def test_a_waiting_pattern_matches_as_the_compiled_one(flags: int) -> None:
    source = r"\b (typing\.Optional | typing\.Union) \s* (?= \[ )"
    later = PatternCompiledOnUse(source, flags)
    now = re.compile(source, flags)
    text = "x: typing.Optional[int], y: typing.Union [a, b], typing.Optional"
    assert later.sub("U", text) == now.sub("U", text)
    assert [m.span() for m in later.finditer(text)] == [m.span() for m in now.finditer(text)]
