"""PySide6's first import, with its signature module's regular expressions compiled when used.

Importing PySide6 runs shiboken's signature support, which compiles three regular expressions
at import: a three-level "tower of brackets" in `shibokensupport.signature.parser` (splitting
an argument list) and two in `shibokensupport.signature.lib.pyi_generator` (writing `.pyi`
stubs). They cost about 10 ms of a start's CPU on this project's machine (more when it is
busy), and a run to its portal's first load uses none of them: they serve signature texts
(`inspect.signature` of a Qt method, the message of a Qt call with wrong arguments) and stub
generation. Here, while PySide6 is first imported, `re.compile` called from those two modules
returns a `PatternCompiledOnUse`: the same pattern, compiled at its first use, then used as
compiled. Every other caller, and every call after the import, gets `re.compile` itself. No Qt
before the import; nothing happens when PySide6 is already imported.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from typing import Any

# The modules whose patterns wait for their first use (PySide6 6.8-6.11 name them so).
SIGNATURE_MODULES = frozenset(
    {"shibokensupport.signature.parser", "shibokensupport.signature.lib.pyi_generator"}
)
# What those modules do with a pattern: take one of these methods (kept as a plain callable).
_METHODS = frozenset(
    {"split", "finditer", "findall", "search", "match", "fullmatch", "sub", "subn"}
)


class _MethodCompiledOnUse:
    """A pattern's method, taken before the pattern is compiled (as `split = pattern.split` in
    a class body): a plain callable, never bound as a method, like the builtin one it stands for."""

    def __init__(self, pattern: PatternCompiledOnUse, name: str) -> None:
        self._pattern = pattern
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._pattern.compiled(), self._name)(*args, **kwargs)


class PatternCompiledOnUse:
    """`re.compile(pattern, flags)`, compiled when first used."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source = pattern
        self._flags = flags
        self._compiled: re.Pattern[Any] | None = None
        self._lock = threading.Lock()

    def compiled(self) -> re.Pattern[Any]:
        with self._lock:
            if self._compiled is None:
                self._compiled = re.compile(self._source, self._flags)
            return self._compiled

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # asked by class machinery (abc, copy): not a use
            raise AttributeError(name)
        if name in _METHODS:
            return _MethodCompiledOnUse(self, name)
        return getattr(self.compiled(), name)


def _compiling_signature_patterns_later(
    compile_now: Callable[..., re.Pattern[Any]],
) -> Callable[..., Any]:
    def compile_for(pattern: Any, flags: Any = 0) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller in SIGNATURE_MODULES and isinstance(pattern, str | bytes):
            return PatternCompiledOnUse(pattern, int(flags))
        return compile_now(pattern, flags)

    return compile_for


def import_pyside() -> bool:
    """Import PySide6 (its QtCore) for the first time, the signature module's patterns compiled
    when first used and its code from `simulator.pyside_code_cache`; False when it was imported
    already (then nothing changes)."""
    if "shiboken6" in sys.modules:
        return False
    from simulator import pyside_code_cache

    compile_now = re.compile
    re.compile = _compiling_signature_patterns_later(compile_now)
    try:
        # The signature modules' own code comes compiled, too: see there.
        with pyside_code_cache.answering_the_importer():
            import PySide6.QtCore  # noqa: F401  (the import is the point)
    finally:
        re.compile = compile_now
    return True
