"""The simulated Mobile Plans service configuration of one operator.

What an operator onboards ("Mobile Plans service configuration", "Mobile Plans gateway page",
"Mobile Plans notifications", "Mobile Operator account management in Windows 10"): the base
URLs of its three service APIs (moBaseUrl for GetBalance, OfferUri for GetOffers,
NotificationUri for GetNotifications), how the service authenticates to them (optional Basic
credentials, mutual TLS with a client certificate), the ICCID ranges, the Gateway page
templates and the notification templates. Pure: no Qt, no I/O besides reading named files.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES, IccidRange

__all__ = [
    "BalanceType",
    "BasicAuth",
    "ClientCertificate",
    "Color",
    "ConfigurationError",
    "GatewayImage",
    "GatewayTemplate",
    "NotificationTemplate",
    "NotificationType",
    "ServiceConfiguration",
    "parse_promotion_templates",
    "refuse_unknown_fields",
]


class ConfigurationError(ValueError):
    """A configuration value that cannot be used; ``rule`` names what is wrong."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class BalanceType(StrEnum):
    """GetBalance `type` ("Mobile Operator account management in Windows 10")."""

    MODIRECT = "MODIRECT"
    MODIRECTPAYG = "MODIRECTPAYG"
    NONE = "NONE"
    NOTSUPPORTED = "NOTSUPPORTED"


class NotificationType(StrEnum):
    """SMS-triggered notification types ("Mobile Plans notifications"); the query value is the
    camel-case form of the documented names (the docs' example: ``notificationType=lowBalance``).
    """

    LOW_BALANCE = "lowBalance"
    ZERO_BALANCE = "zeroBalance"
    NEW_OFFER = "newOffer"
    TRIAL_OFFER = "trialOffer"
    TRIAL_ENDING = "trialEnding"
    TRIAL_ENDED = "trialEnded"

    @classmethod
    def parse(cls, text: str) -> NotificationType:
        folded = text.replace(" ", "").casefold()
        for member in cls:
            if member.value.casefold() == folded:
                return member
        raise ConfigurationError(
            "notification-type.unknown",
            f"{text!r} is not a notification type; one of {', '.join(m.value for m in cls)}",
        )


@dataclass(frozen=True)
class Color:
    """A Gateway page colour, written ``0xRRGGBBAA`` ("Mobile Plans gateway page")."""

    red: int
    green: int
    blue: int
    alpha: int

    @classmethod
    def parse(cls, text: str, field_name: str = "color") -> Color:
        body = text[2:] if text[:2] in ("0x", "0X") else None
        if body is None or len(body) != 8 or any(c not in "0123456789abcdefABCDEF" for c in body):
            raise ConfigurationError(
                "gateway.color.format",
                f"{field_name} {text!r} is not a hexadecimal 0xRRGGBBAA string",
            )
        red, green, blue, alpha = (int(body[i : i + 2], 16) for i in range(0, 8, 2))
        return cls(red, green, blue, alpha)

    def css(self) -> str:
        """``rgba(r, g, b, a)`` for a style sheet."""
        return f"rgba({self.red}, {self.green}, {self.blue}, {round(self.alpha / 255, 3)})"

    def __str__(self) -> str:
        return f"0x{self.red:02X}{self.green:02X}{self.blue:02X}{self.alpha:02X}"


# The docs set no length; a promotion is a sentence or two and a button a few words, and a
# bound keeps a runaway template from stalling the page's layout.
MAX_TEMPLATES = 100  # Gateway or notification templates of one operator
MAX_BODY_TEXT = 1000
MAX_BUTTON_TEXT = 64
MAX_IMAGE_WIDTH = 1200  # "Maximum image size is 1200 x 600 pixels, file format png."
MAX_IMAGE_HEIGHT = 600


@dataclass(frozen=True)
class GatewayImage:
    uri: str
    width: int
    height: int


@dataclass(frozen=True)
class GatewayTemplate:
    """One enhanced Gateway page template (`promotionTemplates[]`). A colour left None takes
    the documented default (white background, black body, system highlight button/links)."""

    id: str
    body_text: str = ""
    button_text: str = "Continue"
    background_color: Color | None = None
    body_font_color: Color | None = None
    button_color: Color | None = None
    button_font_color: Color | None = None
    hyperlink_font_color: Color | None = None
    images: tuple[GatewayImage, ...] = ()


@dataclass(frozen=True)
class NotificationTemplate:
    """One SMS-triggered toast template: its id (what GetNotifications returns), its type and
    the operator's title, body and image."""

    id: str
    notification_type: NotificationType
    title: str
    body: str
    image_uri: str = ""


@dataclass(frozen=True)
class BasicAuth:
    """The optional Basic credentials the operator gave for its endpoints."""

    username: str
    password: str

    @classmethod
    def parse(cls, text: str) -> BasicAuth:
        username, colon, password = text.partition(":")
        if not colon or not username:
            raise ConfigurationError(
                "auth.basic.format", "Basic credentials are written USER:PASSWORD"
            )
        return cls(username, password)

    def header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


@dataclass(frozen=True)
class ClientCertificate:
    """The certificate the service presents for mutual TLS (PEM files)."""

    certificate: Path
    key: Path


@dataclass(frozen=True)
class ServiceConfiguration:
    """One operator as the Mobile Plans service knows it."""

    brand_name: str
    mo_base_url: str
    offer_uri: str
    notification_uri: str
    iccid_ranges: tuple[IccidRange, ...] = SAMPLE_ICCID_RANGES
    basic_auth: BasicAuth | None = None
    client_certificate: ClientCertificate | None = None
    # extra CA certificates (PEM) trusted for the operator's endpoints besides the system's
    trusted_ca: Path | None = None
    gateway_templates: tuple[GatewayTemplate, ...] = ()
    notification_templates: tuple[NotificationTemplate, ...] = ()
    balance_fields_template: str = "basic"
    locations: tuple[str, ...] = field(default=("US",))
    # hosts the operator lets through its walled garden besides its portal and GetBalance host
    walled_garden_hosts: tuple[str, ...] = ()

    def gateway_template(self, gateway_id: str) -> GatewayTemplate | None:
        return next((t for t in self.gateway_templates if t.id == gateway_id), None)

    def notification_template(self, notification_id: str) -> NotificationTemplate | None:
        return next((t for t in self.notification_templates if t.id == notification_id), None)

    @property
    def gateway_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.gateway_templates)

    @property
    def notification_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.notification_templates)

    @classmethod
    def for_endpoint(cls, url: str, brand_name: str = "Operator") -> ServiceConfiguration:
        """One base URL for all three APIs (``--operator-api URL``)."""
        base = url if url.endswith("/") else url + "/"
        return cls(brand_name, base, base, base)


def parse_promotion_templates(document: Any) -> tuple[GatewayTemplate, ...]:
    """The ``{"promotionTemplates": [...]}`` JSON of "Mobile Plans gateway page". Accepts the
    2019 field name ``hyperlinkColor`` for ``hyperlinkFontColor`` and numeric ids."""
    if not isinstance(document, Mapping) or not isinstance(
        document.get("promotionTemplates"), list
    ):
        raise ConfigurationError(
            "gateway.templates.shape", "expected an object with a promotionTemplates list"
        )
    if len(document["promotionTemplates"]) > MAX_TEMPLATES:
        raise ConfigurationError(
            "gateway.templates.shape", f"promotionTemplates: at most {MAX_TEMPLATES} templates"
        )
    templates = [_template(item, n) for n, item in enumerate(document["promotionTemplates"])]
    ids = [t.id for t in templates]
    if len(set(ids)) != len(ids):
        raise ConfigurationError("gateway.templates.duplicate-id", f"template ids repeat: {ids}")
    return tuple(templates)


# "Mobile Plans gateway page": a template's fields (hyperlinkColor: their 2019 name) and an
# image's. Anything else is a typo that would silently leave the page at a default.
_TEMPLATE_FIELDS = (
    "id", "backgroundColor", "bodyFontColor", "bodyText", "buttonColor", "buttonFontColor",
    "buttonText", "hyperlinkFontColor", "hyperlinkColor", "images",
)  # fmt: skip
_IMAGE_FIELDS = ("uri", "width", "height")


def refuse_unknown_fields(
    item: Mapping[Any, Any], known: tuple[str, ...], where: str, rule: str
) -> None:
    """A :class:`ConfigurationError` naming the fields of ``item`` not in ``known``."""
    unknown = sorted(str(k) for k in item if k not in known)
    if unknown:
        raise ConfigurationError(
            rule, f"{where} has unknown field(s) {unknown[:5]}; known: {', '.join(known)}"
        )


def _template(item: Any, index: int) -> GatewayTemplate:
    where = f"promotionTemplates[{index}]"
    if not isinstance(item, Mapping):
        raise ConfigurationError("gateway.templates.shape", f"{where} is not an object")
    refuse_unknown_fields(item, _TEMPLATE_FIELDS, where, "gateway.templates.shape")
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        raise ConfigurationError("gateway.template.id", f"{where}.id must be a string")

    def color(name: str, *aliases: str) -> Color | None:
        for key in (name, *aliases):
            if key in item:
                value = item[key]
                if not isinstance(value, str):
                    raise ConfigurationError(
                        "gateway.color.format", f"{where}.{key} must be a 0xRRGGBBAA string"
                    )
                return Color.parse(value, f"{where}.{key}")
        return None

    def text(name: str, default: str, longest: int) -> str:
        value = item.get(name, default)
        if not isinstance(value, str):
            raise ConfigurationError("gateway.template.text", f"{where}.{name} must be a string")
        if len(value) > longest:
            raise ConfigurationError(
                "gateway.template.text",
                f"{where}.{name} has {len(value)} characters; a Gateway page shows at most "
                f"{longest}",
            )
        return value

    return GatewayTemplate(
        id=str(raw_id),
        body_text=text("bodyText", "", MAX_BODY_TEXT),
        button_text=text("buttonText", "Continue", MAX_BUTTON_TEXT),
        background_color=color("backgroundColor"),
        body_font_color=color("bodyFontColor"),
        button_color=color("buttonColor"),
        button_font_color=color("buttonFontColor"),
        hyperlink_font_color=color("hyperlinkFontColor", "hyperlinkColor"),
        images=_images(item.get("images", []), where),
    )


def _images(value: Any, where: str) -> tuple[GatewayImage, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ConfigurationError("gateway.images.shape", f"{where}.images must be a list")
    images = []
    for n, image in enumerate(value):
        if not isinstance(image, Mapping):
            raise ConfigurationError("gateway.images.shape", f"{where}.images[{n}] not an object")
        refuse_unknown_fields(image, _IMAGE_FIELDS, f"{where}.images[{n}]", "gateway.images.shape")
        uri, width, height = image.get("uri"), image.get("width"), image.get("height")
        if (
            not isinstance(uri, str)
            or not isinstance(width, int)
            or not isinstance(height, int)
            or isinstance(width, bool)  # JSON true is no pixel count
            or isinstance(height, bool)
        ):
            raise ConfigurationError(
                "gateway.images.shape",
                f"{where}.images[{n}] needs uri (a string), width and height (whole pixels)",
            )
        if not (0 < width <= MAX_IMAGE_WIDTH and 0 < height <= MAX_IMAGE_HEIGHT):
            raise ConfigurationError(
                "gateway.images.size",
                f"{where}.images[{n}] is {width}x{height}; an image is 1 to {MAX_IMAGE_WIDTH} "
                f"pixels wide and 1 to {MAX_IMAGE_HEIGHT} high",
            )
        # The Gateway page's picture comes from the operator's web server, never the PC.
        from simulator.operator_api.urls import parse_https_url

        parse_https_url(uri, f"{where}.images[{n}].uri", "gateway.images.uri")
        images.append(GatewayImage(uri, width, height))
    return tuple(images)
