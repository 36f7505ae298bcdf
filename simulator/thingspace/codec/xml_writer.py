"""Serialise an ElementTree tree exactly as Verizon's samples look: prefixes and namespace
declarations as given, two-space indentation, ``<X/>`` for empty elements, no XML declaration.

ElementTree's own serialiser would rename prefixes (``ns0:``), write ``<X />`` and leave a
carriage return unescaped (a parser turns it into a newline), so the SAX ``XMLGenerator`` does
the escaping here instead. Values are never formatted into markup by hand.
"""

from __future__ import annotations

import io
import re
from xml.etree.ElementTree import Element
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from .errors import CallbackEncodeError, shown, spec_ref

_SPEC_BUILD = spec_ref("§5")
# XML 1.0 §2.2 Char: anything else cannot be written, escaped or not.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_NAME = re.compile(r"[A-Za-z_][\w.\-]*(:[A-Za-z_][\w.\-]*)?")
_INDENT = "  "


def check_xml_text(text: str, *, where: str) -> str:
    """*text* unchanged, or :class:`CallbackEncodeError` if XML cannot carry it."""
    bad = _NOT_XML_CHAR.search(text)
    if bad is not None:
        raise CallbackEncodeError(
            "xml.character-not-allowed",
            f"{where}: U+{ord(bad.group()):04X} cannot appear in XML 1.0 (value {shown(text)}).",
            spec=_SPEC_BUILD,
        )
    return text


def check_xml_name(name: str) -> str:
    if _XML_NAME.fullmatch(name) is None:
        raise CallbackEncodeError(
            "xml.name-invalid",
            f"{shown(name)} is not a valid XML element name.",
            spec=_SPEC_BUILD,
        )
    return name


def _characters(generator: XMLGenerator, text: str) -> None:
    pieces = text.split("\r")
    for index, piece in enumerate(pieces):
        if index:
            # XMLGenerator writes ignorable whitespace verbatim: the one way to emit a char ref.
            generator.ignorableWhitespace("&#13;")
        generator.characters(piece)


def _write(generator: XMLGenerator, element: Element, depth: int) -> None:
    generator.startElement(element.tag, AttributesImpl(dict(element.attrib)))
    children = list(element)
    if children:
        for child in children:
            generator.ignorableWhitespace("\n" + _INDENT * (depth + 1))
            _write(generator, child, depth + 1)
        generator.ignorableWhitespace("\n" + _INDENT * depth)
    elif element.text:
        _characters(generator, element.text)
    generator.endElement(element.tag)


def serialise(root: Element) -> bytes:
    """UTF-8 bytes of *root*, indented, without an XML declaration (as the samples are)."""
    out = io.BytesIO()
    generator = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    _write(generator, root, 0)
    return out.getvalue()
