"""The https URLs a service configuration names (moBaseUrl, OfferUri, NotificationUri, a
portal, an image), checked once at the edge so nothing later trips on one. Pure.

The Mobile Plans service reaches an operator only over https; a base URL has the API paths
appended to it, so it carries no query or fragment. Credentials never ride in a URL: Basic
credentials are their own item of the configuration.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from simulator.operator_api.config import ConfigurationError

__all__ = ["MAX_URL_LENGTH", "parse_https_url"]

MAX_URL_LENGTH = 2048  # what browsers and CDNs reliably carry


def parse_https_url(value: Any, field_name: str, rule: str, *, base: bool = False) -> str:
    """``value`` as an absolute https URL with a host, or :class:`ConfigurationError` naming
    ``rule`` and what is wrong. ``base``: the URL gets API paths appended, so it ends with "/"
    and has no query or fragment."""

    def refuse(why: str) -> ConfigurationError:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:79] + "…"
        return ConfigurationError(rule, f"{field_name} must be an https URL: {shown} {why}")

    if not isinstance(value, str):
        raise refuse("is not a string")
    if len(value) > MAX_URL_LENGTH:
        raise refuse(f"is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise refuse("has a space or control character")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError as error:
        raise refuse(f"cannot be read ({error})") from None
    if parts.scheme.lower() != "https":
        raise refuse("does not start with https://")
    if not parts.hostname:
        raise refuse("names no host")
    if parts.username is not None or parts.password is not None:
        raise refuse("carries credentials; give them as Basic credentials instead")
    if port == 0:
        raise refuse("names port 0")
    if base and (parts.query or parts.fragment or value.endswith(("?", "#"))):
        raise refuse("has a query or fragment; the API paths are appended to it")
    if base and not value.endswith("/"):
        return value + "/"
    return value
