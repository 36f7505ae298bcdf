"""A bytecode cache for the methods `dataclasses` writes, kept beside our modules' bytecode.

Each `@dataclass` writes its `__init__`, `__repr__`, `__eq__` (and for a frozen one
`__setattr__`, `__delattr__`, `__hash__`) as source text and compiles it with `exec`: about
0.4 ms per class, the largest share of importing our modules (about 80 classes before a run's
portal can load: 35 ms of CPU). Python caches the bytecode of every module, but not of this
generated text. Here the standard library's own `exec` call is given the compiled code of
the same text, compiled once and kept in a file next to our bytecode (where Python keeps it,
`__pycache__` or `PYTHONPYCACHEPREFIX`; never written when bytecode is not, as with
`PYTHONDONTWRITEBYTECODE`). The code is the code `exec` would compile from that text: the
classes are the same, method for method. The file is read only when it was written by this
interpreter's bytecode format (the `.pyc` magic number, optimisation level), within a size
bound, and when its CRC-32 matches (a flipped bit in a kept code object still unmarshals, into
code that runs wrong or crashes the interpreter); anything else in it, or a damaged file, is
ignored and compiled afresh. No Qt.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import marshal
import os
import stat
import sys
import types
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 8 << 20
# A run of the app meets about 530 texts (600 KB), reading them all costs about 1.5 ms at
# start; beyond this many (texts of edited classes pile up), a save keeps only what this
# process used.
MAX_ENTRIES = 1500
_FORMAT = b"mobileplans-dataclass-code-2"
_CHECKSUM_BYTES = 4  # CRC-32 of the marshalled entries, after the header


def _header() -> bytes:
    optimize = str(sys.flags.optimize).encode()
    return _FORMAT + b"\0" + importlib.util.MAGIC_NUMBER + b"\0" + optimize + b"\n"


def default_path() -> Path:
    """Beside this module's bytecode, wherever Python keeps it."""
    pyc = Path(importlib.util.cache_from_source(__file__))
    return pyc.with_name(f"dataclass-code.{sys.implementation.cache_tag}.marshal")


def read_cache(path: Path) -> dict[str, bytes]:
    """The source → marshalled code pairs kept at `path` (each code is read when first used:
    most entries of a start are used after its portal has loaded); empty when there is none,
    it is damaged, too large or written by another bytecode format."""
    try:
        # Non-blocking and checked as a regular file: a FIFO put in its place would hold the
        # start-up waiting for a writer, a device would be read for nothing.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return {}
    try:
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return {}
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError:
        return {}
    header = _header()
    if len(data) > MAX_FILE_BYTES or not data.startswith(header):
        return {}
    checksum = data[len(header) : len(header) + _CHECKSUM_BYTES]
    payload = memoryview(data)[len(header) + _CHECKSUM_BYTES :]
    if checksum != zlib.crc32(payload).to_bytes(_CHECKSUM_BYTES, "big"):
        return {}
    try:
        loaded = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {
        source: code
        for source, code in loaded.items()
        if isinstance(source, str) and isinstance(code, bytes)
    }


def write_cache(path: Path, entries: Mapping[str, bytes]) -> None:
    """Write `entries` at `path` atomically (a concurrent reader sees the old file or the new
    one); a directory that cannot be written is no error: the next run compiles again."""
    import tempfile  # only when writing: its import costs a start-up a few ms

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            payload = marshal.dumps(dict(entries))
            checksum = zlib.crc32(payload).to_bytes(_CHECKSUM_BYTES, "big")
            stream.write(_header() + checksum + payload)
        os.replace(temporary, path)
    except BaseException as error:  # Ctrl-C at exit too: no temporary file stays behind
        Path(temporary).unlink(missing_ok=True)
        if not isinstance(error, (OSError, ValueError)):
            raise


def _calls_exec(module: types.ModuleType) -> bool:
    """Whether the module's code finds `exec` through its globals (CPython 3.11-3.13 do)."""
    for value in vars(module).values():
        functions = vars(value).values() if isinstance(value, type) else [value]
        for function in functions:
            if isinstance(function, types.FunctionType) and "exec" in function.__code__.co_names:
                return True
    return False


def entries_to_keep(entries: Mapping[str, bytes], used: set[str]) -> dict[str, bytes]:
    """What a save writes: every entry, or only those this process used once there are more
    than :data:`MAX_ENTRIES` (texts of edited classes pile up).

    Snapshots first: another thread may compile meanwhile, and iterating a set or dict that
    grows raises. Copying either is one C call, atomic under the GIL."""
    kept = dict(entries)
    if len(kept) > MAX_ENTRIES:
        kept = {key: kept[key] for key in tuple(used) if key in kept}
    return kept


class DataclassCodeCache:
    """Compiled code for the source texts `dataclasses` executes, by text."""

    def __init__(self, path: Path, entries: dict[str, bytes]) -> None:
        self.path = path
        self.entries = entries
        self.used: set[str] = set()
        self.compiled = 0  # texts met for the first time in this process

    def exec(
        self,
        source: Any,
        globals: dict[str, Any] | None = None,
        locals: Mapping[str, object] | None = None,
    ) -> None:
        """`exec` for `dataclasses`: the same execution, of code compiled once."""
        if not isinstance(source, str):
            builtins.exec(source, globals, locals)
            return
        kept = self.entries.get(source)
        code = kept_code(kept) if kept is not None else None
        if code is None:
            # As `exec` compiles a text: file "<string>", no __future__ flags of the caller.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.entries[source] = marshal.dumps(code)
            self.compiled += 1
        self.used.add(source)
        builtins.exec(code, globals, locals)

    def save(self) -> None:
        """Keep what was compiled in this process for the next, if Python writes bytecode."""
        if not self.compiled or sys.dont_write_bytecode:
            return
        write_cache(self.path, entries_to_keep(self.entries, self.used))
        self.compiled = 0


def kept_code(kept: bytes) -> types.CodeType | None:
    """One kept code object; None when its bytes are damaged (compiled again then)."""
    try:
        code = marshal.loads(kept)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


_installed: DataclassCodeCache | None = None


def install(path: Path | None = None) -> DataclassCodeCache | None:
    """Give `dataclasses` the cache (once per process); None where its code does not call
    `exec` by name (another Python), and nothing changes then."""
    global _installed
    if _installed is not None:
        return _installed
    if "exec" in vars(dataclasses) or not _calls_exec(dataclasses):
        return None
    where = path or default_path()
    _installed = DataclassCodeCache(where, read_cache(where))
    dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
    return _installed


def uninstall() -> None:
    """Back to the built-in `exec` (tests)."""
    global _installed
    if _installed is not None and getattr(dataclasses, "exec", None) == _installed.exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _installed = None


def save() -> None:
    """Save the installed cache's new entries (at the end of a start-up, or at exit)."""
    if _installed is not None:
        _installed.save()
