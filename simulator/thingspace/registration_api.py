"""The registration API over HTTP: SOAP ``CallbackRegistrationService`` and REST ``/callbacks``.

SOAP (§2.1): ``RegisterCallback``, ``UnregisterCallback``, ``GetCallbackRegistrations`` in one
envelope each, input fields matched by local name (the real requests mix the v2 and WCF
data-contract namespaces). REST (§2.2): ``POST``/``GET /api/m2m/v1/callbacks/{account}`` and
``DELETE /api/m2m/v1/callbacks/{account}/name/{service}``. Bodies are capped and parsed with
DTDs forbidden (§5). Session tokens are accepted without checking: the simulator has no
session API.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from aiohttp import web

from .codec import CallbackDecodeError
from .codec.errors import spec_ref
from .codec.limits import REST_CONTENT_TYPES, SOAP_CONTENT_TYPES, check_content_type
from .codec.safe_xml import parse_untrusted_xml
from .codec.soap import SOAP_ENV_NS, V2_NS
from .codec.xml_writer import serialise
from .registrations import RegisteredVia, Registration, RegistrationError, RegistrationStore
from .soap_faults import SOAP_CONTENT_TYPE, soap_envelope, soap_fault

MAX_REQUEST_BYTES = 64 * 1024
SOAP_PATH = "/api/v2/CallbackRegistrationService.svc"
REST_PREFIX = "/api/m2m/v1/callbacks"
CONTRACT_NS = (
    "http://schemas.datacontract.org/2004/07/"
    "NPhase.UnifiedWebService.APIs.v2.Contract.CallbackRegistrationService"
)
_OPERATIONS = ("RegisterCallback", "UnregisterCallback", "GetCallbackRegistrations")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _fields(element: Element) -> dict[str, str]:
    """Leaf texts under *element* by local name (``Input`` wrapper or not)."""
    found: dict[str, str] = {}
    for child in element.iter():
        if child is not element and len(child) == 0:
            found.setdefault(_local(child.tag), (child.text or "").strip())
    return found


def _soap_output(operation: str, values: list[tuple[str, str]] | Element) -> bytes:
    response = Element(f"{operation}Response", {"xmlns": V2_NS})
    output = SubElement(response, "Output", {"xmlns:a": CONTRACT_NS})
    if isinstance(values, Element):
        output.append(values)
    else:
        for name, text in values:
            SubElement(output, f"a:{name}").text = text
    return serialise(soap_envelope(response))


class RegistrationApi:
    """aiohttp handlers over a :class:`RegistrationStore`."""

    def __init__(self, store: RegistrationStore) -> None:
        self._store = store

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(SOAP_PATH, self.soap)
        app.router.add_post(REST_PREFIX + "/{account}", self.rest_register)
        app.router.add_get(REST_PREFIX + "/{account}", self.rest_list)
        app.router.add_delete(REST_PREFIX + "/{account}/name/{service}", self.rest_unregister)

    @staticmethod
    async def _body(request: web.Request, allowed: frozenset[str]) -> bytes:
        check_content_type(request.headers.get("Content-Type"), allowed)
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            raise CallbackDecodeError(
                "body.too-large",
                f"Request body over {MAX_REQUEST_BYTES} bytes.",
                spec=spec_ref("§5"),
                status=413,
            )
        body = await request.content.read(MAX_REQUEST_BYTES + 1)
        if len(body) > MAX_REQUEST_BYTES:
            raise CallbackDecodeError(
                "body.too-large",
                f"Request body over {MAX_REQUEST_BYTES} bytes.",
                spec=spec_ref("§5"),
                status=413,
            )
        return body

    # -- SOAP (§2.1) -------------------------------------------------------------------------
    async def soap(self, request: web.Request) -> web.Response:
        try:
            root = parse_untrusted_xml(
                await self._body(request, SOAP_CONTENT_TYPES), max_bytes=MAX_REQUEST_BYTES
            )
            body = root.find(f"{{{SOAP_ENV_NS}}}Body")
            operation = None if body is None or len(body) != 1 else body[0]
            if root.tag != f"{{{SOAP_ENV_NS}}}Envelope" or operation is None:
                raise RegistrationError(
                    "soap.not-envelope",
                    "Expected a SOAP 1.1 Envelope whose Body holds one operation.",
                    spec=spec_ref("§2.1"),
                )
            name = _local(operation.tag)
            if name not in _OPERATIONS:
                raise RegistrationError(
                    "soap.operation-unknown",
                    f"Operation {name!r} is not one of {', '.join(_OPERATIONS)}.",
                    spec=spec_ref("§2.1"),
                )
            answer = self._soap_operation(name, _fields(operation))
        except (CallbackDecodeError, RegistrationError) as error:
            return web.Response(
                status=500,  # SOAP 1.1: a Fault travels with HTTP 500
                body=soap_fault("Client", error.message, rule=error.rule, spec=error.spec),
                headers={"Content-Type": SOAP_CONTENT_TYPE},
            )
        return web.Response(body=answer, headers={"Content-Type": SOAP_CONTENT_TYPE})

    def _soap_operation(self, name: str, fields: dict[str, str]) -> bytes:
        account = fields.get("AccountName", "")
        if name == "GetCallbackRegistrations":
            listing = Element("a:CallbackRegistrations")
            for registration in self._store.for_account(account):
                item = SubElement(listing, "a:CallbackRegistration")
                SubElement(item, "a:ServiceName").text = registration.service.value
                SubElement(item, "a:Url").text = registration.url
            return _soap_output(name, listing)
        service = fields.get("ServiceName", "")
        if name == "RegisterCallback":
            done = self._store.register(
                account,
                service,
                fields.get("Url", ""),
                username=fields.get("Username", ""),
                password=fields.get("Password", ""),
                via=RegisteredVia.SOAP,
            )
        else:
            done = self._store.unregister(account, service)
        return _soap_output(name, [("AccountName", done.account), ("ServiceName", service)])

    # -- REST (§2.2) -------------------------------------------------------------------------
    @staticmethod
    def _rest_error(error: CallbackDecodeError | RegistrationError) -> web.Response:
        document = {
            "errorCode": f"UnifiedWebService.INPUT_INVALID.{error.rule}",
            "errorMessage": error.message,
            "spec": error.spec,
        }
        return web.json_response(document, status=error.status)

    async def rest_register(self, request: web.Request) -> web.Response:
        try:
            document: Any = json.loads(await self._body(request, REST_CONTENT_TYPES))
            if not isinstance(document, dict) or not all(
                isinstance(document.get(k, ""), str)
                for k in ("name", "url", "username", "password")
            ):
                raise RegistrationError(
                    "rest.body-shape",
                    'Body must be {"name", "url", "username"?, "password"?} with string values.',
                    spec=spec_ref("§2.2"),
                )
            done = self._store.register(
                request.match_info["account"],
                document.get("name", ""),
                document.get("url", ""),
                username=document.get("username", ""),
                password=document.get("password", ""),
                via=RegisteredVia.REST,
            )
        except ValueError as error:
            if isinstance(error, CallbackDecodeError | RegistrationError):
                return self._rest_error(error)
            return self._rest_error(
                RegistrationError(
                    "rest.not-json", f"Body is not JSON: {error}", spec=spec_ref("§2.2")
                )
            )
        return web.json_response({"accountName": done.account, "serviceName": done.service.value})

    async def rest_list(self, request: web.Request) -> web.Response:
        registrations = self._store.for_account(
            request.match_info["account"], via=RegisteredVia.REST
        )
        return web.json_response([_rest_listing(r) for r in registrations])

    async def rest_unregister(self, request: web.Request) -> web.Response:
        try:
            done = self._store.unregister(
                request.match_info["account"], request.match_info["service"]
            )
        except RegistrationError as error:
            return self._rest_error(error)
        return web.json_response({"accountName": done.account, "serviceName": done.service.value})


def _rest_listing(registration: Registration) -> dict[str, str]:
    # §2.2: the platform lists passwords in clear; so does the simulator, to be faithful.
    listing = {
        "accountName": registration.account,
        "serviceName": registration.service.value,
        "url": registration.url,
    }
    if registration.username:
        listing["username"] = registration.username
    if registration.password:
        listing["password"] = registration.password
    return listing
