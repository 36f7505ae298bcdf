"""Parse untrusted XML: size capped first, then defusedxml with DTDs and entities forbidden.

Spec §5: SOAP 1.1 forbids a DOCTYPE outright, so rejecting every DTD costs nothing and removes
billion laughs, quadratic blowup and XXE in one rule. Entities and external references stay
forbidden even when a caller allows a DTD.

A body that cannot hold a markup declaration at all skips defusedxml for ElementTree's own C
parser (about half the time of a callback's parse): every DOCTYPE, ENTITY or other declaration,
comment and CDATA section starts with ``<!``, so a body in one of the ASCII-based encodings
without those two bytes gives expat nothing for defusedxml's refusals to act on, and both
parsers then build the same tree or raise the same error (a property test holds them to it).
UTF-16 writes ``<!`` with NUL bytes between, so a body with a NUL byte or a UTF-16 byte order
mark always takes the defusedxml path.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from .errors import CallbackDecodeError, spec_ref
from .limits import DEFAULT_MAX_BYTES, check_body_size

_SPEC_SAFE = spec_ref("§5")

# The encodings expat reads by itself. Any other declared name is handed by pyexpat to Python's
# codec registry (utf-7, idna, rot13, zlib, ...), each failing in its own way: refused up front.
XML_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16le", "utf-16be", "iso-8859-1", "us-ascii"})
_DECLARED_ENCODING = re.compile(r"""\A\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']{0,64})["']""")


def declared_encoding(body: bytes) -> str | None:
    """The encoding named in *body*'s XML declaration, if it has one."""
    head = body[:512]
    if head.startswith((b"\xff\xfe", b"<\x00")):
        text = head.decode("utf-16-le", "ignore")
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        text = head.decode("utf-16-be", "ignore")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    match = _DECLARED_ENCODING.match(text.lstrip("\ufeff"))
    return None if match is None else match.group(1)


def _check_encoding(body: bytes) -> None:
    encoding = declared_encoding(body)
    if encoding is not None and encoding.lower() not in XML_ENCODINGS:
        raise CallbackDecodeError(
            "xml.encoding-unsupported",
            f"XML declares the encoding {encoding[:64]!r}; only "
            f"{', '.join(sorted(XML_ENCODINGS))} are read.",
            spec=_SPEC_SAFE,
        )


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def cannot_declare_markup(body: bytes) -> bool:
    """True when *body* can hold no DOCTYPE, ENTITY or other markup declaration (see above)."""
    return b"<!" not in body and b"\x00" not in body and not body.startswith(_UTF16_MARKS)


def parse_declaration_free(body: bytes) -> Element:
    """ElementTree's C parser on a body :func:`cannot_declare_markup` has cleared."""
    parser = XMLParser()
    parser.feed(body)
    root: Element = parser.close()
    return root


def parse_untrusted_xml(
    body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, forbid_dtd: bool = True
) -> Element:
    """The root element of *body*, or :class:`CallbackDecodeError` naming the rule broken.

    The size is checked on ``len(body)`` before the parser sees a byte (status 413).
    """
    check_body_size(body, max_bytes)
    _check_encoding(body)
    try:
        root: Element
        if cannot_declare_markup(body):
            root = parse_declaration_free(body)
        else:
            root = fromstring(
                body, forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True
            )
    except DTDForbidden as error:
        raise CallbackDecodeError(
            "xml.dtd-forbidden",
            f"XML contains a document type declaration (<!DOCTYPE {error.name}>); "
            "SOAP messages must not contain one.",
            spec=_SPEC_SAFE,
        ) from None
    except EntitiesForbidden as error:
        raise CallbackDecodeError(
            "xml.entities-forbidden",
            f"XML declares the entity {error.name!r}; entity declarations are refused "
            "(billion laughs, XXE).",
            spec=_SPEC_SAFE,
        ) from None
    except ExternalReferenceForbidden as error:
        raise CallbackDecodeError(
            "xml.external-reference-forbidden",
            f"XML refers to the external resource {error.sysid!r}; external references are "
            "never resolved.",
            spec=_SPEC_SAFE,
        ) from None
    except ParseError as error:
        raise CallbackDecodeError(
            "xml.not-well-formed",
            f"Body is not well-formed XML: {error}.",
            spec=_SPEC_SAFE,
        ) from None
    except (LookupError, ValueError) as error:
        # The declaration check above should leave nothing for pyexpat's codec fallback; if
        # something still gets there, it is the body's fault and a refusal, not a crash.
        raise CallbackDecodeError(
            "xml.encoding-unsupported",
            f"Body cannot be decoded as XML: {error}.",
            spec=_SPEC_SAFE,
        ) from None
    return root
