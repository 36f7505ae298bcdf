"""SOAP ``CallbackRequest`` / ``SmsCallbackRequest``: parse and build (spec §1.2, §1.2.6).

Parsing is strict about the envelope (SOAP 1.1 ``Envelope/Body``, v2 request element,
``RequestId``, exactly one populated ``Data`` child) and tolerant where the platform is
inconsistent: children are matched by local name in the v2 namespace or none (the
``<PromoChange xmlns="">`` quirk, §0.3), kinds in any case, ``xsi:nil`` means absent.
"""

from __future__ import annotations

import re
from enum import StrEnum
from xml.etree.ElementTree import Element, SubElement

from .devices import DeviceId
from .errors import CallbackDecodeError, CallbackEncodeError, shown, spec_ref
from .fields import FieldValue, UnverifiedFields
from .limits import DEFAULT_MAX_BYTES, SOAP_CONTENT_TYPES, check_content_type
from .model import CallbackMessage
from .payload_base import Wire
from .payloads import (
    DATA_CHILD_ORDER,
    SOAP_DATA_PAYLOADS,
    CallbackData,
    PromoChange,
    payload_from_content,
)
from .safe_xml import parse_untrusted_xml
from .unverified import SmsMessage
from .xml_writer import check_xml_name, check_xml_text, serialise

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
V2_NS = "http://nphase.com/unifiedwebservice/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"

CALLBACK_REQUEST = "CallbackRequest"
SMS_CALLBACK_REQUEST = "SmsCallbackRequest"

# Payload trees deeper than this are refused: real callbacks nest four levels at most, and the
# tree walk must not be a recursion bomb.
MAX_DEPTH = 32

_SPEC_ENVELOPE = spec_ref("§1.2")
_SPEC_SMS = spec_ref("§1.2.6")
_SPEC_REQUEST_ID = spec_ref("§1.2, §2.6")
_XSI_NIL = f"{{{XSI_NS}}}nil"
# Children of the request element may be in the v2 namespace or in none (§0.3 quirk).
_REQUEST_NAMESPACES = (V2_NS, "")
_COUNT = re.compile(r"[0-9]{1,9}")


class DataLayout(StrEnum):
    """Which nil siblings surround the populated ``Data`` child when building."""

    SAMPLE = "sample"  # as Verizon's page for that callback shows it (see build_soap_callback)
    FULL = "full"  # all eleven children of §1.2, in order
    POPULATED_ONLY = "populated-only"  # the one populated child, no nil siblings


# --- parsing --------------------------------------------------------------------------------


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _is_nil(element: Element) -> bool:
    return element.get(_XSI_NIL, "").strip() in ("true", "1")


def _fail(rule: str, message: str, spec: str = _SPEC_ENVELOPE) -> CallbackDecodeError:
    return CallbackDecodeError(rule, message, spec=spec)


def _content(element: Element, depth: int) -> FieldValue:
    if _is_nil(element):
        return None
    children = list(element)
    if not children:
        return element.text or ""
    if depth >= MAX_DEPTH:
        raise _fail(
            "soap.too-deep",
            f"Element {_split(element.tag)[1]!r} nests more than {MAX_DEPTH} levels deep.",
        )
    return UnverifiedFields(
        tuple((_split(child.tag)[1], _content(child, depth + 1)) for child in children)
    )


def _text(element: Element, *, where: str) -> str:
    if _is_nil(element):
        return ""
    if len(element):
        raise _fail("soap.element-not-text", f"{where} must hold text, not child elements.")
    return element.text or ""


def _children_by_name(request: Element) -> dict[str, list[Element]]:
    found: dict[str, list[Element]] = {}
    for child in request:
        namespace, local = _split(child.tag)
        if namespace in _REQUEST_NAMESPACES:
            found.setdefault(local, []).append(child)
    return found


def _single(found: dict[str, list[Element]], name: str, request: str) -> Element | None:
    elements = found.get(name, [])
    if len(elements) > 1:
        raise _fail(
            "soap.element-repeated",
            f"{request} has {len(elements)} <{name}> elements; it may have one.",
        )
    return elements[0] if elements else None


def _parse_device(element: Element, index: int) -> DeviceId:
    where = f"Device #{index}"
    found = _children_by_name(element)
    kind = _single(found, "Kind", where)
    identifier = _single(found, "Identifier", where)
    if kind is None or _is_nil(kind):
        raise _fail("device.kind-missing", f"{where} has no <Kind>.", spec_ref("§1.2.1"))
    if identifier is None or _is_nil(identifier):
        raise _fail(
            "device.identifier-missing", f"{where} has no <Identifier>.", spec_ref("§1.2.1")
        )
    return DeviceId.parse(
        _text(kind, where=f"{where}/Kind"),
        _text(identifier, where=f"{where}/Identifier"),
        where=where,
    )


def _parse_count(found: dict[str, list[Element]], name: str, request: str) -> int | None:
    element = _single(found, name, request)
    if element is None or _is_nil(element):
        return None
    text = _text(element, where=name).strip()
    if _COUNT.fullmatch(text) is None:
        raise _fail(
            "soap.count-invalid",
            f"<{name}> must be a non-negative whole number, got {shown(text)}.",
            spec_ref("§1.2, §2.4"),
        )
    return int(text)


def _parse_data(data: Element) -> CallbackData:
    populated = []
    for child in data:
        # §1.2: unused children are written xsi:nil; any other child is the payload.
        if not _is_nil(child):
            populated.append(child)
    if not populated:
        raise _fail("soap.data-empty", "<Data> has no populated child; every child is nil.")
    if len(populated) > 1:
        names = ", ".join(_split(child.tag)[1] for child in populated)
        raise _fail(
            "soap.data-ambiguous",
            f"<Data> has {len(populated)} populated children ({names}); it carries exactly one.",
        )
    child = populated[0]
    return payload_from_content(
        SOAP_DATA_PAYLOADS, _split(child.tag)[1], _content(child, 0), Wire.SOAP
    )


def _request_element(root: Element) -> Element:
    if root.tag != f"{{{SOAP_ENV_NS}}}Envelope":
        raise _fail(
            "soap.not-envelope",
            f"Root element is {shown(root.tag)}; expected the SOAP 1.1 Envelope "
            f"{{{SOAP_ENV_NS}}}Envelope.",
        )
    bodies = [child for child in root if child.tag == f"{{{SOAP_ENV_NS}}}Body"]
    if len(bodies) != 1:
        raise _fail("soap.body-missing", f"Envelope has {len(bodies)} Body elements; needs one.")
    requests = list(bodies[0])
    if len(requests) != 1:
        raise _fail(
            "soap.body-content",
            f"SOAP Body has {len(requests)} child elements; a callback has exactly one.",
        )
    request = requests[0]
    namespace, local = _split(request.tag)
    if namespace != V2_NS or local not in (CALLBACK_REQUEST, SMS_CALLBACK_REQUEST):
        raise _fail(
            "soap.wrong-request",
            f"SOAP Body holds {shown(request.tag)}; expected {{{V2_NS}}}{CALLBACK_REQUEST} or "
            f"{SMS_CALLBACK_REQUEST}.",
        )
    return request


def parse_soap_callback(
    body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, content_type: str | None = None
) -> CallbackMessage:
    """Decode a SOAP callback body; raises :class:`CallbackDecodeError` on any broken rule.

    The length is checked against *max_bytes* before parsing (413). If *content_type* is given
    it must be ``text/xml`` or ``application/soap+xml`` (415).
    """
    if content_type is not None:
        check_content_type(content_type, SOAP_CONTENT_TYPES)
    request = _request_element(parse_untrusted_xml(body, max_bytes=max_bytes))
    name = _split(request.tag)[1]
    found = _children_by_name(request)

    username = _single(found, "Username", name)
    password = _single(found, "Password", name)
    request_id_element = _single(found, "RequestId", name)
    request_id = None
    if request_id_element is not None and not _is_nil(request_id_element):
        request_id = _text(request_id_element, where="RequestId").strip() or None
    devices = tuple(
        _parse_device(element, index) for index, element in enumerate(found.get("Device", []), 1)
    )

    data: CallbackData
    if name == SMS_CALLBACK_REQUEST:
        # §1.2.6: MO SMS carry no RequestId and put the text beside the devices, not in Data.
        message = _single(found, "SmsMessage", name)
        if message is None or _is_nil(message):
            raise _fail(
                "soap.sms-message-missing", "SmsCallbackRequest has no <SmsMessage>.", _SPEC_SMS
            )
        data = SmsMessage(_text(message, where="SmsMessage"))
    else:
        if request_id is None:
            raise _fail(
                "soap.request-id-missing",
                "CallbackRequest has no <RequestId> (or it is empty); every CallbackRequest "
                "carries one.",
                _SPEC_REQUEST_ID,
            )
        data_element = _single(found, "Data", name)
        if data_element is None:
            raise _fail("soap.data-missing", "CallbackRequest has no <Data> element.")
        data = _parse_data(data_element)

    return CallbackMessage(
        data=data,
        request_id=request_id,
        devices=devices,
        username="" if username is None else _text(username, where="Username"),
        password="" if password is None else _text(password, where="Password"),
        callback_count=_parse_count(found, "CallbackCount", name),
        max_callback_threshold=_parse_count(found, "MaxCallbackThreshold", name),
    )


# --- building -------------------------------------------------------------------------------


def _leaf(parent: Element, tag: str, text: str | None, where: str) -> Element:
    element = SubElement(parent, tag)
    if text is None:
        element.set("xsi:nil", "true")
    else:
        element.text = check_xml_text(text, where=where)
    return element


def _scalar_text(value: FieldValue) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    raise TypeError(value)  # groups and lists are handled by the caller


def _append_value(parent: Element, name: str, value: FieldValue) -> list[Element]:
    """Write *value* as element(s) called *name*; a tuple becomes repeated elements."""
    check_xml_name(name)
    if isinstance(value, tuple):
        if any(isinstance(member, tuple) for member in value):
            raise CallbackEncodeError(
                "soap.nested-list",
                f"{name}: a list of lists has no XML form.",
                spec=_SPEC_ENVELOPE,
            )
        return [element for member in value for element in _append_value(parent, name, member)]
    if isinstance(value, UnverifiedFields):
        element = SubElement(parent, name)
        for child_name, child_value in value:
            _append_value(element, child_name, child_value)
        return [element]
    return [_leaf(parent, name, _scalar_text(value), name)]


def _data_children(populated: str, layout: DataLayout) -> list[str]:
    if layout is DataLayout.POPULATED_ONLY:
        return [populated]
    order = list(DATA_CHILD_ORDER)
    if layout is DataLayout.SAMPLE and populated in order[:8]:
        # Verizon's PromoChange sample (the seed) stops at Fault; Comment/Summary/Status appear
        # only in the ResumeTrackingNotification pattern.
        order = order[:8]
    if populated not in order:
        order.append(populated)
    return order


def _append_payload(data: Element, payload: CallbackData, promo_quirk: bool) -> None:
    content = payload.to_content(Wire.SOAP)
    if isinstance(content, tuple):
        raise CallbackEncodeError(
            "soap.payload-list",
            f"{payload.element_name}: a list cannot be the content of a Data child.",
            spec=_SPEC_ENVELOPE,
        )
    (element,) = _append_value(data, payload.element_name, content)
    if promo_quirk and isinstance(payload, PromoChange):
        # §0.3: Verizon's sample puts PromoChange in no namespace and its children back in v2.
        element.set("xmlns", "")
        for child in element:
            child.set("xmlns", V2_NS)


def build_soap_envelope(
    message: CallbackMessage,
    *,
    layout: DataLayout = DataLayout.SAMPLE,
    promo_change_quirk: bool = True,
    counters_in_soap: bool = False,
) -> Element:
    """The envelope of *message* as an ElementTree tree (prefixes written literally)."""
    envelope = Element("s:Envelope", {"xmlns:s": SOAP_ENV_NS})
    body = SubElement(envelope, "s:Body", {"xmlns:xsi": XSI_NS, "xmlns:xsd": XSD_NS})
    is_sms = isinstance(message.data, SmsMessage)
    request = SubElement(
        body, SMS_CALLBACK_REQUEST if is_sms else CALLBACK_REQUEST, {"xmlns": V2_NS}
    )
    _leaf(request, "Username", message.username, "Username")
    _leaf(request, "Password", message.password, "Password")
    if message.request_id is not None:
        _leaf(request, "RequestId", message.request_id, "RequestId")
    for device in message.devices:
        element = SubElement(request, "Device")
        _leaf(element, "Kind", device.soap_label(), "Device/Kind")
        _leaf(element, "Identifier", device.value, "Device/Identifier")
    if isinstance(message.data, SmsMessage):
        _leaf(request, "SmsMessage", message.data.text, "SmsMessage")
    else:
        data = SubElement(request, "Data")
        populated = message.data.element_name
        for name in _data_children(populated, layout):
            if name == populated:
                _append_payload(data, message.data, promo_change_quirk)
            else:
                _leaf(data, name, None, name)
    if counters_in_soap:
        _append_counters(request, message)
    return envelope


def _append_counters(request: Element, message: CallbackMessage) -> None:
    # Inferred: the platform's SOAP samples carry no attempt counters (REST documents them);
    # a third-party table names CallbackCount/MaxCallbackThreshold but not where they go.
    if message.callback_count is not None:
        _leaf(request, "CallbackCount", str(message.callback_count), "CallbackCount")
    if message.max_callback_threshold is not None:
        _leaf(
            request,
            "MaxCallbackThreshold",
            str(message.max_callback_threshold),
            "MaxCallbackThreshold",
        )


def build_soap_callback(
    message: CallbackMessage,
    *,
    layout: DataLayout = DataLayout.SAMPLE,
    promo_change_quirk: bool = True,
    counters_in_soap: bool = False,
) -> bytes:
    """The SOAP body the platform would POST for *message*, as UTF-8 bytes.

    Defaults reproduce Verizon's published samples: ``s:`` prefix, ``xsi``/``xsd`` declared on
    ``s:Body``, ``<PromoChange xmlns="">`` with v2 children, nil siblings as the page shows them
    (``DataLayout.SAMPLE``: CarrierService…Fault around the first eight payloads, all eleven
    for Comment/Summary/Status), and no attempt counters: the samples have none, so
    ``CallbackCount``/``MaxCallbackThreshold`` are written (after ``Data``, an inferred place)
    only with ``counters_in_soap=True``. Raises :class:`CallbackEncodeError` for text XML
    cannot carry.
    """
    return serialise(
        build_soap_envelope(
            message,
            layout=layout,
            promo_change_quirk=promo_change_quirk,
            counters_in_soap=counters_in_soap,
        )
    )
