"""Compiled code for shiboken's embedded signature modules, kept beside our bytecode.

PySide6 carries shiboken's signature support (`shibokensupport`: a dozen modules, 150 KB of
Python) as source inside its binary, and its importer compiles that source at every start:
about 15 ms of CPU on this project's machine (more when it is busy), the largest share of
importing PySide6 that is Python. Python keeps every module's bytecode on disk, but not
these. While PySide6 is first imported (`simulator.pyside_signature_patterns.import_pyside`),
`compile` called by that importer gets the code compiled once from the same text, name, mode
and flags, kept in a file next to our bytecode with the format and size checks of
`simulator.dataclass_code_cache` (where Python writes bytecode, and only there). Any other
caller meanwhile gets `compile` itself, with the `__future__` flags of its own code, as the
built-in would have inherited them.
"""

from __future__ import annotations
import __future__

import builtins
import importlib.util
import marshal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator.dataclass_code_cache import entries_to_keep, kept_code, read_cache, write_cache

# The module whose `compile` calls are answered from the cache: shiboken's embedded importer.
IMPORTER_MODULE = "signature_bootstrap"
# What `compile` inherits from its caller's code unless told not to (CPython's PyCF_MASK: the
# `__future__` features that still change compiling; nested scopes and generators are always on).
_FUTURE_FLAGS = 0
for _feature in set(__future__.all_feature_names) - {"nested_scopes", "generators"}:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def default_path() -> Path:
    """Beside this module's bytecode, wherever Python keeps it."""
    pyc = Path(importlib.util.cache_from_source(__file__))
    return pyc.with_name(f"pyside-signature-code.{sys.implementation.cache_tag}.marshal")


def _key(source: str | bytes, filename: str, mode: str, flags: int, optimize: int) -> str:
    # Latin-1 maps every byte to one character: bytes and text sources never share a key.
    text = source.decode("latin-1") if isinstance(source, bytes) else source
    kind = "b" if isinstance(source, bytes) else "s"
    return f"{kind}\0{filename}\0{mode}\0{flags}\0{optimize}\0{text}"


class PysideCodeCache:
    """Compiled code for the sources shiboken's importer compiles, by text, name and flags."""

    def __init__(self, path: Path, entries: dict[str, bytes]) -> None:
        self.path = path
        self.entries = entries
        self.used: set[str] = set()
        self.compiled = 0  # texts met for the first time in this process

    def compile_for_importer(
        self,
        compile_now: Callable[..., Any],
        source: str | bytes,
        filename: str,
        mode: str,
        flags: int,
        optimize: int,
    ) -> Any:
        """The code `compile_now(source, filename, mode, flags, True, optimize)` makes."""
        key = _key(source, filename, mode, flags, optimize)
        kept = self.entries.get(key)
        code = kept_code(kept) if kept is not None else None
        if code is None:
            code = compile_now(source, filename, mode, flags, True, optimize)
            self.entries[key] = marshal.dumps(code)
            self.compiled += 1
        self.used.add(key)
        return code

    def save(self) -> None:
        """Keep what was compiled in this process for the next, if Python writes bytecode."""
        if not self.compiled or sys.dont_write_bytecode:
            return
        write_cache(self.path, entries_to_keep(self.entries, self.used))
        self.compiled = 0


_cache: PysideCodeCache | None = None


@contextmanager
def answering_the_importer(path: Path | None = None) -> Iterator[PysideCodeCache]:
    """Within: `compile` called by shiboken's importer is answered from the cache."""
    global _cache
    if _cache is None:
        where = path or default_path()
        _cache = PysideCodeCache(where, read_cache(where))
    cache = _cache
    compile_now = builtins.compile

    def compile_here(
        source: Any,
        filename: Any,
        mode: Any,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **options: Any,
    ) -> Any:
        caller = sys._getframe(1)
        if not dont_inherit:  # what the built-in inherits from the code that calls it
            flags |= caller.f_code.co_flags & _FUTURE_FLAGS
        if (
            caller.f_globals.get("__name__") == IMPORTER_MODULE
            and isinstance(source, str | bytes)
            and isinstance(filename, str)
            and isinstance(mode, str)
            and not options
        ):
            return cache.compile_for_importer(compile_now, source, filename, mode, flags, optimize)
        return compile_now(source, filename, mode, flags, True, optimize, **options)

    builtins.compile = compile_here
    try:
        yield cache
    finally:
        builtins.compile = compile_now


def save() -> None:
    """Save the cache's new entries (at the end of a start-up, or at exit)."""
    if _cache is not None:
        _cache.save()
