"""The bundled sample operator's service configuration (Contoso Mobile): two Gateway page
templates and one notification template per documented notification type. The texts are the
docs' own examples where they have one, otherwise ours."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin

from simulator.operator_api.config import (
    Color,
    GatewayImage,
    GatewayTemplate,
    NotificationTemplate,
    NotificationType,
    ServiceConfiguration,
)
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES, IccidRange

__all__ = ["SAMPLE_BRAND", "SAMPLE_IMAGE_PATH", "sample_configuration"]

SAMPLE_BRAND = "Contoso Mobile"

SAMPLE_IMAGE_PATH = "/images/gateway.png"  # served by the sample operator, beside its APIs


def _gateway_templates(image_uri: str) -> tuple[GatewayTemplate, ...]:
    return (
        replace(_GATEWAY_TEMPLATES[0], images=(GatewayImage(image_uri, 740, 480),)),
        *_GATEWAY_TEMPLATES[1:],
    )


_GATEWAY_TEMPLATES = (
    # "Mobile Plans gateway page" example template, id "0" (the default); its 740 x 480 picture
    # is the sample operator's (the docs' example points at picsum.photos)
    GatewayTemplate(
        id="0",
        body_text="Stay connected from virtually anywhere.",
        button_text="Get started",
        background_color=Color.parse("0x000000FF"),
        body_font_color=Color.parse("0xFFFFFFFF"),
        button_color=Color.parse("0x00B0F0FF"),
        button_font_color=Color.parse("0xFFFFFFFF"),
        hyperlink_font_color=Color.parse("0x00B0F0FF"),
    ),
    # returning customers (our example of a second segment)
    GatewayTemplate(
        id="returning",
        body_text="Welcome back. Add data to the plan you already have.",
        button_text="Add data",
        background_color=Color.parse("0xFFFFFFFF"),
        body_font_color=Color.parse("0x202020FF"),
        button_color=Color.parse("0x414243FF"),
        button_font_color=Color.parse("0xFFFFFFFF"),
        hyperlink_font_color=Color.parse("0xBB8CF9FF"),
    ),
)

_NOTIFICATION_TEXTS = {
    # the docs' example for the SMS-triggered template
    NotificationType.LOW_BALANCE: (
        "You're almost out of data",
        "There's less than 5MB left for your current data plan. Take action now to make sure "
        "you stay connected.",
    ),
    NotificationType.ZERO_BALANCE: (
        "You're out of data",
        "Your data plan has run out. Buy more data to get back online.",
    ),
    NotificationType.NEW_OFFER: ("A new plan for you", "Get 10 GB for the price of 5 GB."),
    # the docs' example for the app-triggered promotional template
    NotificationType.TRIAL_OFFER: (
        "Activate your free trial",
        "Get 30GB FREE data, so you can stay connected from anywhere.",
    ),
    NotificationType.TRIAL_ENDING: ("Your trial ends soon", "Keep your connection: pick a plan."),
    NotificationType.TRIAL_ENDED: ("Your trial has ended", "Pick a plan to stay connected."),
}

_NOTIFICATION_TEMPLATES = tuple(
    NotificationTemplate(str(n), kind, title, body)
    for n, (kind, (title, body)) in enumerate(_NOTIFICATION_TEXTS.items(), start=1)
)


def sample_configuration(
    base_url: str, iccid_ranges: tuple[IccidRange, ...] = SAMPLE_ICCID_RANGES
) -> ServiceConfiguration:
    """Contoso's configuration with all three APIs at ``base_url`` (the sample server's)."""
    return ServiceConfiguration(
        brand_name=SAMPLE_BRAND,
        mo_base_url=base_url,
        offer_uri=base_url,
        notification_uri=base_url,
        iccid_ranges=iccid_ranges,
        gateway_templates=_gateway_templates(urljoin(base_url, SAMPLE_IMAGE_PATH)),
        notification_templates=_NOTIFICATION_TEMPLATES,
    )
