"""SOAP 1.1 response envelopes the simulator's servers answer with (Fault and empty ack).

Built as ElementTree elements and serialised by the codec's writer, never by string formatting
(safe XML parsing (defusedxml; SOAP 1.1 forbids a DTD) (5)).
"""

from __future__ import annotations

from functools import cache
from xml.etree.ElementTree import Element, SubElement

from .codec.soap import SOAP_ENV_NS
from .codec.xml_writer import serialise

SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"


def soap_envelope(body_child: Element | None = None) -> Element:
    envelope = Element("s:Envelope", {"xmlns:s": SOAP_ENV_NS})
    body = SubElement(envelope, "s:Body")
    if body_child is not None:
        body.append(body_child)
    return envelope


def soap_fault(faultcode: str, faultstring: str, *, rule: str = "", spec: str = "") -> bytes:
    """A SOAP 1.1 Fault; ``faultcode`` is ``Client`` or ``Server`` (prefixed ``s:``)."""
    fault = Element("s:Fault")
    SubElement(fault, "faultcode").text = f"s:{faultcode}"
    SubElement(fault, "faultstring").text = faultstring
    if rule or spec:
        detail = SubElement(fault, "detail")
        SubElement(detail, "rule").text = rule
        SubElement(detail, "spec").text = spec
    return serialise(soap_envelope(fault))


@cache
def soap_ack() -> bytes:
    """An empty SOAP response envelope: the listener's 2xx acknowledgement (§2.3 [INF])."""
    return serialise(soap_envelope())
