"""The dataclass code cache: the classes are the same with and without it, the next process
compiles nothing it kept, and no file it finds (damaged, foreign, too large) is ever run or
fails the start."""

from __future__ import annotations
import __future__

import dataclasses
import importlib.util
import marshal
import os
import subprocess
import sys
import types
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import dataclass_code_cache
from simulator.dataclass_code_cache import (
    DataclassCodeCache,
    install,
    read_cache,
    uninstall,
    write_cache,
)

ROOT = Path(__file__).resolve().parents[3]

DEFINITIONS = """
from __future__ import annotations
import dataclasses
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()

@dataclass
class Box:
    items: list[int] = field(default_factory=list)
    label: str = "box"
    hidden: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.items = sorted(self.items)

@dataclass(order=True, kw_only=True)
class Ranked:
    rank: int
    name: str = ""

@dataclass(frozen=True, slots=True)
class Slotted:
    a: int
    b: Point | None = None

@dataclass(eq=False)
class ByIdentity:
    a: int = 1
"""


def _define(cache: DataclassCodeCache | None) -> dict[str, Any]:
    if cache is not None:
        dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    module = types.ModuleType("defined_for_the_cache_test")
    sys.modules[module.__name__] = module  # dataclasses looks the class's module up
    try:
        exec(compile(DEFINITIONS, "<definitions>", "exec"), vars(module))
        return vars(module)
    finally:
        del sys.modules[module.__name__]
        if cache is not None:
            del dataclasses.exec  # type: ignore[attr-defined]


def _behaviour(ns: dict[str, Any]) -> list[object]:
    """What a user of the classes can observe."""
    point, box, ranked, slotted = ns["Point"], ns["Box"], ns["Ranked"], ns["Slotted"]
    seen: list[object] = []
    p = point(1, 2, ("a",))
    seen += [repr(p), p == point(1, 2, ("a",)), p != point(1), hash(p) == hash(point(1, 2, ("a",)))]
    try:
        p.x = 5
    except dataclasses.FrozenInstanceError as error:
        seen.append(f"frozen: {error}")
    b = box([3, 1, 2], hidden=7)
    seen += [repr(b), b == box([1, 2, 3], hidden=9), b.items, box.__hash__ is None]
    seen += [ranked(rank=1) < ranked(rank=2), repr(ranked(rank=3, name="n"))]
    try:
        ranked(1)
    except TypeError as error:
        seen.append(f"kw_only: {error}")
    s = slotted(1, p)
    seen += [repr(s), hasattr(s, "__dict__"), s == slotted(1, point(1, 2, ("a",)))]
    seen += [[f.name for f in dataclasses.fields(box)], point.__match_args__]
    seen += [dataclasses.replace(p, y=9), dataclasses.asdict(b)]
    seen += [ns["ByIdentity"]() == ns["ByIdentity"](), point.__doc__]
    return [repr(item) for item in seen]


@pytest.fixture
def no_cache() -> Iterator[None]:
    uninstall()
    yield
    uninstall()


def test_classes_behave_the_same_with_the_cache_cold_and_warm(tmp_path: Path) -> None:
    without = _behaviour(_define(None))
    cold = DataclassCodeCache(tmp_path / "cache", {})
    assert _behaviour(_define(cold)) == without
    assert cold.compiled > 10  # every method of every class
    warm = DataclassCodeCache(tmp_path / "cache", dict(cold.entries))
    assert _behaviour(_define(warm)) == without
    assert warm.compiled == 0


def test_the_cached_code_is_what_exec_compiles(tmp_path: Path) -> None:
    cache = DataclassCodeCache(tmp_path / "cache", {})
    _define(cache)
    for source, kept in cache.entries.items():
        code = marshal.loads(kept)
        assert code == compile(source, "<string>", "exec", dont_inherit=True)
        # `exec(text)` in dataclasses inherits no __future__ flag (this module's would make
        # the generated annotations strings): the cache compiles without them too
        assert not code.co_flags & __future__.annotations.compiler_flag
        assert code != compile(source, "<string>", "exec")  # this module's flags: different


def test_a_saved_cache_reads_back_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "pycache" / "dataclass-code.marshal"
    cache = DataclassCodeCache(path, {})
    _define(cache)
    cache.save()
    assert read_cache(path) == cache.entries
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_nothing_is_written_when_nothing_new_was_compiled_or_bytecode_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache"
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    DataclassCodeCache(path, {}).save()
    assert not path.exists()
    cache = DataclassCodeCache(path, {})
    _define(cache)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache.save()
    assert not path.exists()


def test_a_full_cache_keeps_only_what_this_process_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataclass_code_cache, "MAX_ENTRIES", 3)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    stale = {f"x = {n}": marshal.dumps(compile(f"x = {n}", "<string>", "exec")) for n in range(5)}
    cache = DataclassCodeCache(tmp_path / "cache", dict(stale))
    _define(cache)
    cache.save()
    assert set(read_cache(tmp_path / "cache")) == cache.used


def _framed(payload: bytes, header: bytes | None = None) -> bytes:
    """A file as the cache writes it around ``payload``: header, CRC-32, payload."""
    checksum = zlib.crc32(payload).to_bytes(4, "big")
    return (dataclass_code_cache._header() if header is None else header) + checksum + payload


@given(st.binary(max_size=300))
def test_any_file_content_reads_as_a_cache_or_as_none(data: bytes) -> None:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"dataclass-code-fuzz-{os.getpid()}"
    try:
        for content in (data, dataclass_code_cache._header() + data, _framed(data)):
            path.write_bytes(content)
            entries = read_cache(path)
            assert all(isinstance(k, str) for k in entries)
    finally:
        path.unlink(missing_ok=True)


def test_foreign_damaged_or_oversized_files_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache"
    code = marshal.dumps(compile("x = 1", "<string>", "exec"))
    header = dataclass_code_cache._header()
    other_magic = header.replace(importlib.util.MAGIC_NUMBER, b"\x00\x00\r\n")
    path.write_bytes(_framed(marshal.dumps({"x = 1": code})))
    assert read_cache(path) == {"x = 1": code}
    for content in (
        _framed(marshal.dumps({"x = 1": code}), other_magic),  # another interpreter's bytecode
        _framed(marshal.dumps({"x = 1": code}))[:-3],  # cut short
        _framed(marshal.dumps({"x = 1": code})[:-3]),  # cut short before it was checksummed
        _framed(marshal.dumps(["x = 1", code])),  # not a mapping
        _framed(marshal.dumps({1: code, "y": "not code"})),  # wrong kinds of entries
        _framed(b"\xff" * 40),  # not marshal at all
        header + marshal.dumps({"x = 1": code}),  # the first format: no checksum
    ):
        path.write_bytes(content)
        assert read_cache(path) == {}
    assert read_cache(tmp_path / "missing") == {}
    monkeypatch.setattr(dataclass_code_cache, "MAX_FILE_BYTES", 10)
    path.write_bytes(_framed(marshal.dumps({"x = 1": code})))
    assert read_cache(path) == {}


def test_an_unwritable_place_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    write_cache(blocker / "sub" / "cache", {"x = 1": b""})


@pytest.mark.usefixtures("no_cache")
def test_install_gives_dataclasses_the_cache_once(tmp_path: Path) -> None:
    cache = install(tmp_path / "cache")
    assert cache is not None
    assert install(tmp_path / "other") is cache
    assert dataclasses.exec == cache.exec  # type: ignore[attr-defined]

    @dataclasses.dataclass(frozen=True)
    class Installed:
        value: int

    assert Installed(1) == Installed(1)
    assert cache.compiled > 0
    uninstall()
    assert "exec" not in vars(dataclasses)


def test_the_next_run_compiles_nothing_it_kept(tmp_path: Path) -> None:
    # Two processes as two starts: the first writes the cache, the second only reads it.
    script = (
        "import sys; from pathlib import Path\n"
        "from simulator import dataclass_code_cache as c\n"
        "cache = c.install(Path(sys.argv[1]))\n"
        "import simulator.contract, simulator.flows.engine\n"
        "print(cache.compiled, len(cache.used)); c.save()\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "cache")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.split()
        for _ in range(2)
    ]
    first_compiled, first_used = map(int, runs[0])
    second_compiled, second_used = map(int, runs[1])
    assert first_compiled == first_used > 50
    assert second_compiled == 0
    assert second_used == first_used


def test_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    without = _behaviour(_define(None))
    cold = DataclassCodeCache(tmp_path / "cache", {})
    _define(cold)
    damaged = {source: kept[: len(kept) // 2] for source, kept in cold.entries.items()}
    damaged.update(dict.fromkeys(list(damaged)[:3], marshal.dumps(("not", "code"))))
    warm = DataclassCodeCache(tmp_path / "cache", damaged)
    assert _behaviour(_define(warm)) == without
    assert warm.compiled == len(cold.entries)


def test_a_file_damaged_anywhere_is_ignored_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A flipped bit inside a kept code object still unmarshals, into code that runs wrong
    # (a changed constant) or crashes the interpreter (a changed opcode): the file is
    # checked as a whole before any of it is trusted.
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "cache"
    cache = DataclassCodeCache(path, {})
    _define(cache)
    cache.save()
    good = path.read_bytes()
    assert read_cache(path) == cache.entries
    served_damaged = []
    for position in range(0, len(good), 3):
        damaged = bytearray(good)
        damaged[position] ^= 1 << (position % 8)
        path.write_bytes(bytes(damaged))
        if read_cache(path) not in ({}, cache.entries):
            served_damaged.append(position)
    assert served_damaged == []


def test_a_pipe_or_device_in_place_of_the_file_is_not_waited_on(tmp_path: Path) -> None:
    # Opening a FIFO for reading waits for a writer: a start-up must not hang on one.
    pipe = tmp_path / "cache"
    os.mkfifo(pipe)
    script = (
        "import sys; from pathlib import Path\n"
        "from simulator.dataclass_code_cache import read_cache\n"
        "print(read_cache(Path(sys.argv[1])), read_cache(Path('/dev/zero')))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(pipe)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (run.returncode, run.stdout) == (0, "{} {}\n")


def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while mobileplans-sim saves the cache on its way out.
    def interrupted(source: object, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_cache(tmp_path / "cache", {"x = 1": marshal.dumps(compile("x = 1", "<s>", "exec"))})
    assert list(tmp_path.iterdir()) == []


def test_a_save_while_another_thread_defines_dataclasses_does_not_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The composition root is imported on a thread while the main thread may save: the save
    # must read snapshots, not the set and dict the other thread is adding to.
    import threading

    monkeypatch.setattr(dataclass_code_cache, "MAX_ENTRIES", 10)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(dataclass_code_cache, "write_cache", lambda path, entries: None)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    cache = DataclassCodeCache(tmp_path / "cache", {})
    for n in range(2000):
        cache.exec(f"y = {n}", {})
    stop = threading.Event()

    def define() -> None:
        n = 2000
        while not stop.is_set():
            cache.exec(f"y = {n}", {})
            n += 1

    worker = threading.Thread(target=define)
    worker.start()
    try:
        for _ in range(100):
            cache.compiled = 1
            cache.save()
    finally:
        stop.set()
        worker.join()
        sys.setswitchinterval(previous)
