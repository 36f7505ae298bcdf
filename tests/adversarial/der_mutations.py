"""Structural mutations of valid DER messages: the adversarial suite's and ``make fuzz``'s source.

A message is parsed into a tree of :class:`Node`; each mutation changes one thing (a tag, a
length, the nesting, an element's type, a value's size) and re-encodes, so lengths stay
consistent unless the mutation is about lengths. :func:`every_mutant` enumerates the single
mutations of a message (deterministic, for CI); :func:`random_mutants` draws stacked ones.

Not a test module: the adversarial tests and ``tests/adversarial/fuzz.py`` import it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import encode_length, read_length, read_tag

# Tags a mutant puts where another was expected: universal primitives and constructed, the
# context tags SGP.22 uses most, and one high-number application tag.
SUBSTITUTE_TAGS = (
    b"\x04",
    b"\x05",
    b"\x02",
    b"\x01",
    b"\x06",
    b"\x0c",
    b"\x30",
    b"\x31",
    b"\x80",
    b"\x81",
    b"\xa0",
    b"\xa1",
    b"\x5a",
    b"\xbf\x20",
    b"\x00",
)
# Values of a primitive: empty, one byte, 2^64 as an INTEGER, a long run of nines, and an
# INTEGER too long for str() (more than 4,300 decimal digits).
SUBSTITUTE_VALUES = (
    b"",
    b"\x00",
    b"\x01" + bytes(8),
    b"\xff" * 9,
    b"\x99" * 600,
    b"\x01" + bytes(2500),
)


@dataclass(frozen=True)
class Node:
    """One TLV: raw tag octets and either a primitive value or children."""

    tag: bytes
    value: bytes = b""
    children: tuple[Node, ...] | None = None

    @property
    def constructed(self) -> bool:
        return bool(self.tag[0] & 0x20)

    def encode(self) -> bytes:
        body = (
            b"".join(child.encode() for child in self.children)
            if self.children is not None
            else self.value
        )
        return self.tag + encode_length(len(body)) + body


def parse(data: bytes) -> Node:
    """The tree of a valid DER message (constructed values are parsed as children)."""
    node, end = _parse_at(data, 0)
    assert end == len(data)
    return node


def _parse_at(data: bytes, offset: int) -> tuple[Node, int]:
    _, constructed, after_tag = read_tag(data, offset)
    length, start = read_length(data, after_tag)
    tag = data[offset:after_tag]
    end = start + length
    if not constructed:
        return Node(tag, data[start:end]), end
    children: list[Node] = []
    cursor = start
    while cursor < end:
        child, cursor = _parse_at(data, cursor)
        children.append(child)
    return Node(tag, children=tuple(children)), end


Path = tuple[int, ...]


def paths(node: Node, prefix: Path = ()) -> Iterator[Path]:
    """Every node's path (child indexes from the root), root first."""
    yield prefix
    for index, child in enumerate(node.children or ()):
        yield from paths(child, (*prefix, index))


def get(node: Node, path: Path) -> Node:
    for index in path:
        assert node.children is not None
        node = node.children[index]
    return node


def put(node: Node, path: Path, new: Node | None) -> Node:
    """``node`` with the node at ``path`` replaced (or removed when ``new`` is None)."""
    if not path:
        assert new is not None
        return new
    assert node.children is not None
    children = list(node.children)
    head, rest = path[0], path[1:]
    if rest:
        children[head] = put(children[head], rest, new)
    elif new is None:
        del children[head]
    else:
        children[head] = new
    return replace(node, children=tuple(children))


def _with_constructed_bit(tag: bytes, constructed: bool) -> bytes:
    first = (tag[0] | 0x20) if constructed else (tag[0] & ~0x20 & 0xFF)
    return bytes([first]) + tag[1:]


def node_mutants(root: Node, path: Path) -> Iterator[tuple[str, Node]]:
    """The single structural mutations of the node at ``path``."""
    target = get(root, path)
    for tag in SUBSTITUTE_TAGS:
        if tag != target.tag:
            yield "retag", put(root, path, replace(target, tag=tag))
    flipped = _with_constructed_bit(target.tag, not target.constructed)
    if target.children is None:
        yield "element-type", put(root, path, Node(flipped, children=(Node(b"\x04", b"x"),)))
        for value in SUBSTITUTE_VALUES:
            yield "size", put(root, path, replace(target, value=value))
    else:
        yield "element-type", put(root, path, Node(flipped, target.encode()[:40]))
        yield "empty", put(root, path, replace(target, children=()))
        for index in range(len(target.children)):
            yield "drop", put(root, (*path, index), None)
        if target.children:
            doubled = (*target.children, target.children[-1])
            yield "duplicate", put(root, path, replace(target, children=doubled))
    if path:
        yield "nest", put(root, path, Node(b"\x30", children=(target,)))
        deep = target
        for _ in range(40):
            deep = Node(b"\xa0", children=(deep,))
        yield "deep-nest", put(root, path, deep)


def length_mutants(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Lies about lengths in the encoded bytes (each TLV header in turn)."""
    offset = 0
    headers: list[tuple[int, int, int]] = []  # (length offset, value start, length)
    stack = [len(data)]
    while offset < len(data) and stack:
        if offset >= stack[-1]:
            stack.pop()
            continue
        try:
            _, constructed, after_tag = read_tag(data, offset)
            length, start = read_length(data, after_tag)
        except Asn1DecodeError:
            break  # an earlier mutation left bytes that are not TLVs: lie about what parsed
        headers.append((after_tag, start, length))
        if constructed:
            stack.append(start + length)
            offset = start
        else:
            offset = start + length
    for length_at, start, length in headers:
        head, tail = data[:length_at], data[start:]
        for lie in (length + 1, max(0, length - 1), length + 1000, 0x7FFFFFFF):
            yield "length", head + encode_length(lie) + tail
        yield "indefinite", head + b"\x80" + tail + b"\x00\x00"
        yield "length-too-long", head + b"\x85\x00\x00\x00\x00\x01" + tail
    for cut in sorted({1, 2, len(data) // 2, len(data) - 1}):
        if 0 < cut < len(data):
            yield "truncated", data[:cut]
    yield "trailing", data + b"\x00"


def every_mutant(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every single mutation of ``data`` (a valid DER message), kind first."""
    root = parse(data)
    for path in paths(root):
        for kind, mutant in node_mutants(root, path):
            yield kind, mutant.encode()
    yield from length_mutants(data)


def random_mutants(data: bytes, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` mutants, each one to three stacked random mutations of ``data``."""
    root = parse(data)
    for _ in range(count):
        current = root
        kinds: list[str] = []
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(list(paths(current)))
            options = list(node_mutants(current, path))
            if not options:
                continue
            kind, current = rng.choice(options)
            kinds.append(kind)
        encoded = current.encode()
        if rng.random() < 0.2:
            kind, encoded = rng.choice(list(length_mutants(encoded)))
            kinds.append(kind)
        yield "+".join(kinds) or "none", encoded


def mutate_segment(command: bytes, rng: random.Random) -> bytes:
    """A structural mutant, or one flipped byte for a segment that is only a TLV header."""
    try:
        return next(random_mutants(command, rng, 1))[1]
    except (Asn1DecodeError, AssertionError):
        index = rng.randrange(len(command))
        return command[:index] + bytes([command[index] ^ 0xFF]) + command[index + 1 :]
