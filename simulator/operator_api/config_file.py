"""A service configuration written as a JSON file (``run --operator-config``,
``check-api --config``), so a team can describe its staging set-up once:

```json
{
  "brandName": "Contoso Mobile",
  "moBaseUrl": "https://staging.contoso.example/v1/",
  "offerUri": "https://staging.contoso.example/v1/",
  "notificationUri": "https://staging.contoso.example/v1/",
  "basicAuth": "mobileplans:secret",
  "clientCertificate": {"certificate": "client.pem", "key": "client.key"},
  "trustedCa": "staging-ca.pem",
  "iccidRanges": ["8988247000100000000-8988247000199999999"],
  "walledGardenHosts": ["cdn.contoso.example", "*payments.contoso.example"],
  "promotionTemplates": [{"id": "0", "bodyText": "...", "buttonText": "Get started"}],
  "notificationTemplates": [{"id": "1", "notificationType": "lowBalance",
                             "title": "...", "body": "...", "image": "https://..."}]
}
```

Only ``moBaseUrl`` is required; ``offerUri`` and ``notificationUri`` default to it. Relative
file names are read from the file's folder. Every problem is a :class:`ConfigurationError`
naming its rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.operator_api.config import (
    MAX_TEMPLATES,
    BasicAuth,
    ClientCertificate,
    ConfigurationError,
    NotificationTemplate,
    NotificationType,
    ServiceConfiguration,
    parse_promotion_templates,
    refuse_unknown_fields,
)
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES, IccidRange, IccidRangeError
from simulator.operator_api.urls import parse_https_url
from simulator.portal.walled_garden import GardenHost, GardenHostError

__all__ = [
    "load_service_configuration",
    "parse_service_configuration",
    "read_configuration_json",
]

_MAX_FILE_BYTES = 1024 * 1024
_KNOWN = frozenset(
    {
        "brandName", "moBaseUrl", "offerUri", "notificationUri", "basicAuth",
        "clientCertificate", "trustedCa", "iccidRanges", "promotionTemplates",
        "notificationTemplates", "fieldsTemplate", "walledGardenHosts",
    }
)  # fmt: skip


def load_service_configuration(path: Path) -> ServiceConfiguration:
    return parse_service_configuration(read_configuration_json(path), path.parent)


def read_configuration_json(path: Path) -> Any:
    """The JSON document in ``path``, read no further than 1 MiB: the size a file reports is
    no bound (``/dev/zero`` or a pipe report 0 and never end)."""
    try:
        with path.open("rb") as file:
            data = file.read(_MAX_FILE_BYTES + 1)
        if len(data) > _MAX_FILE_BYTES:
            raise ConfigurationError("config.file.too-large", f"{path} is over 1 MiB")
        return json.loads(data.decode("utf-8"))
    except ConfigurationError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = "JSON nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ConfigurationError("config.file.unreadable", f"{path}: {reason}") from None


def parse_service_configuration(document: Any, folder: Path) -> ServiceConfiguration:
    if not isinstance(document, Mapping):
        raise ConfigurationError("config.shape", "the configuration is not a JSON object")
    unknown = sorted(k for k in document if k not in _KNOWN)
    if unknown:
        raise ConfigurationError(
            "config.unknown-field", f"unknown field(s) {unknown}; known: {sorted(_KNOWN)}"
        )
    base = _url(document, "moBaseUrl", None)
    assert base is not None
    listed_ranges = _list(document, "iccidRanges")
    if len(listed_ranges) > MAX_ICCID_RANGES:
        # An operator onboards a range or a few; each one is shown and logged with every launch.
        raise ConfigurationError(
            "config.iccidRanges", f"iccidRanges: at most {MAX_ICCID_RANGES} ranges"
        )
    try:
        ranges = tuple(IccidRange.parse(str(r)) for r in listed_ranges)
    except IccidRangeError as error:
        raise ConfigurationError(error.rule, error.message) from None
    templates = (
        parse_promotion_templates({"promotionTemplates": document["promotionTemplates"]})
        if "promotionTemplates" in document
        else ()
    )
    auth = document.get("basicAuth")
    if auth is not None and not isinstance(auth, str):
        raise ConfigurationError("auth.basic.format", "basicAuth is a USER:PASSWORD string")
    fields_template = document.get("fieldsTemplate", "basic")
    if fields_template not in ("basic", "full"):
        raise ConfigurationError("config.fieldsTemplate", "fieldsTemplate is basic or full")
    trusted = document.get("trustedCa")
    configuration = ServiceConfiguration(
        brand_name=_brand_name(document.get("brandName", "Operator")),
        mo_base_url=base,
        offer_uri=_url(document, "offerUri", base) or base,
        notification_uri=_url(document, "notificationUri", base) or base,
        iccid_ranges=ranges or SAMPLE_ICCID_RANGES,
        basic_auth=BasicAuth.parse(auth) if auth is not None else None,
        client_certificate=_client_certificate(document.get("clientCertificate"), folder),
        trusted_ca=_file(trusted, folder, "trustedCa") if trusted is not None else None,
        gateway_templates=templates,
        notification_templates=tuple(
            _notification(item, n)
            for n, item in enumerate(_bounded(_list(document, "notificationTemplates")))
        ),
        balance_fields_template=fields_template,
        walled_garden_hosts=_garden_hosts(_list(document, "walledGardenHosts")),
    )
    if configuration.trusted_ca is not None or configuration.client_certificate is not None:
        # Refused here, with its rule, rather than at the first call of a running app.
        from simulator.operator_api.client import client_tls_context

        client_tls_context(configuration)
    return configuration


MAX_ICCID_RANGES = 100
MAX_TOAST_TITLE = 200  # a toast is a line and a short paragraph
MAX_TOAST_BODY = 1000
MAX_BRAND_NAME = 64  # a tile's caption, a window title: a brand, never a paragraph


def _brand_name(value: Any) -> str:
    """The operator's name on the app's pages and in the window title."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > MAX_BRAND_NAME
        or not value.isprintable()
    ):
        raise ConfigurationError(
            "config.brandName",
            f"brandName is the operator's name: 1 to {MAX_BRAND_NAME} printable characters",
        )
    return value.strip()


def _bounded(templates: list[Any]) -> list[Any]:
    if len(templates) > MAX_TEMPLATES:
        raise ConfigurationError(
            "config.notificationTemplates", f"notificationTemplates: at most {MAX_TEMPLATES}"
        )
    return templates


def _garden_hosts(values: list[Any]) -> tuple[str, ...]:
    if len(values) > 1000:
        raise ConfigurationError("walled-garden.hosts", "walledGardenHosts: at most 1000 hosts")
    hosts = []
    for value in values:
        try:
            hosts.append(str(GardenHost.parse(value if isinstance(value, str) else repr(value))))
        except GardenHostError as error:
            raise ConfigurationError(error.rule, f"walledGardenHosts: {error.message}") from None
    return tuple(hosts)


def _url(document: Mapping[str, Any], name: str, default: str | None) -> str | None:
    if name not in document and default is not None:
        return default
    return parse_https_url(document.get(name), name, f"config.{name}", base=True)


def _list(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise ConfigurationError(f"config.{name}", f"{name} must be a list")
    return value


def _file(value: Any, folder: Path, name: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"config.{name}", f"{name} must be a file name")
    path = (folder / value).resolve()
    if not path.is_file():
        raise ConfigurationError(f"config.{name}", f"{name}: {path} is not a file")
    return path


def _client_certificate(value: Any, folder: Path) -> ClientCertificate | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            "config.clientCertificate", "clientCertificate has certificate and key file names"
        )
    return ClientCertificate(
        _file(value.get("certificate"), folder, "clientCertificate.certificate"),
        _file(value.get("key"), folder, "clientCertificate.key"),
    )


_NOTIFICATION_FIELDS = ("id", "notificationType", "title", "body", "image")


def _notification(item: Any, index: int) -> NotificationTemplate:
    where = f"notificationTemplates[{index}]"
    if not isinstance(item, Mapping):
        raise ConfigurationError("config.notificationTemplates", f"{where} is not an object")
    refuse_unknown_fields(item, _NOTIFICATION_FIELDS, where, "config.notificationTemplates")
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        raise ConfigurationError("config.notificationTemplates", f"{where}.id must be a string")
    kind = item.get("notificationType")
    if not isinstance(kind, str):
        raise ConfigurationError(
            "config.notificationTemplates", f"{where}.notificationType must be a string"
        )
    texts = {k: item.get(k, "") for k in ("title", "body", "image")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise ConfigurationError(
            "config.notificationTemplates", f"{where}: title, body and image are strings"
        )
    if len(texts["title"]) > MAX_TOAST_TITLE or len(texts["body"]) > MAX_TOAST_BODY:
        raise ConfigurationError(
            "config.notificationTemplates",
            f"{where}: a toast shows a title of at most {MAX_TOAST_TITLE} and a body of at most "
            f"{MAX_TOAST_BODY} characters",
        )
    image = texts["image"]
    if image:  # the toast's picture, fetched by the app: only over https, like the APIs
        image = parse_https_url(image, f"{where}.image", "config.notificationTemplates")
    return NotificationTemplate(
        str(raw_id), NotificationType.parse(kind), texts["title"], texts["body"], image
    )
