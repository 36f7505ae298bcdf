"""Request parsing and responses for the backend's routes: every body is untrusted.

Anything malformed raises :class:`BadRequestError`, answered 400 with its message.
"""

from __future__ import annotations

import json
import re
from typing import Any

from esim.identifiers import Eid, Iccid, IdentifierError
from simulator.portal.http_messages import Request, Response

MAX_BODY = 16 * 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")


class BadRequestError(Exception):
    """The request is malformed: answered 400 with this message."""


async def read_body(request: Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise BadRequestError(f"the body is larger than {MAX_BODY} bytes")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        raise BadRequestError(f"the body is larger than {MAX_BODY} bytes")
    if not raw.strip():
        raise BadRequestError("the body is empty; send a JSON object")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadRequestError(f"the body is not UTF-8 JSON: {str(error)[:120]}") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def text_field(body: dict[str, Any], name: str, *, required: bool = True, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise BadRequestError(f"{name} is missing")
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"{name} must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise BadRequestError(f"{name} is longer than {limit} characters")
    return value


def choice_field(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = text_field(body, name, limit=32)
    if value not in allowed:
        raise BadRequestError(f"{name} must be one of {', '.join(allowed)}")
    assert value is not None
    return value


def parse_email(value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise BadRequestError("email must be an email address such as alex@example.com")
    return value.strip().lower()


def parse_eid(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"eid must be a string, not {type(value).__name__}")
    try:
        return Eid.parse(value[:64]).digits
    except IdentifierError as error:
        raise BadRequestError(f"eid: {error}") from None


def parse_iccid(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"{name} must be a string, not {type(value).__name__}")
    try:
        return Iccid.parse(value[:32], check_luhn=False).digits
    except IdentifierError as error:
        raise BadRequestError(f"{name}: {error}") from None


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response.json(body, status=status, headers={"Cache-Control": "no-store"})


def error_response(status: int, message: str) -> Response:
    return json_response({"error": message}, status=status)
