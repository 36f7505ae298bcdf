"""Parse untrusted XML: size capped first, then defusedxml with DTDs and entities forbidden.

Spec §5: SOAP 1.1 forbids a DOCTYPE outright, so rejecting every DTD costs nothing and removes
billion laughs, quadratic blowup and XXE in one rule. Entities and external references stay
forbidden even when a caller allows a DTD.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from .errors import CallbackDecodeError, spec_ref
from .limits import DEFAULT_MAX_BYTES, check_body_size

_SPEC_SAFE = spec_ref("§5")


def parse_untrusted_xml(
    body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, forbid_dtd: bool = True
) -> Element:
    """The root element of *body*, or :class:`CallbackDecodeError` naming the rule broken.

    The size is checked on ``len(body)`` before the parser sees a byte (status 413).
    """
    check_body_size(body, max_bytes)
    try:
        root: Element = fromstring(
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
    return root
