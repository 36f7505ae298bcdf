"""Every template the composer offers, in §1.1 order, and the lookup by service name."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import CallbackDecodeError, shown
from ..services import ServiceName, canonical_service_name
from ..unverified import Fault
from .template import SPEC_SERVICES, CallbackComposeError, CallbackTemplate
from .typed_templates import TYPED_TEMPLATES
from .unverified_templates import UNVERIFIED_TEMPLATES

_BY_NAME = {t.name: t for t in (*TYPED_TEMPLATES, *UNVERIFIED_TEMPLATES)}
_ORDER = (*(s.value for s in ServiceName), Fault.ELEMENT, "Summary", "Status")

TEMPLATES: Mapping[str, CallbackTemplate] = {name: _BY_NAME[name] for name in _ORDER}
# What the composer offers: the 17 services of §1.1 in order, then Fault, Summary, Status.
COMPOSABLE: tuple[str, ...] = tuple(TEMPLATES)
assert len(TEMPLATES) == len(_BY_NAME)  # no template is left out of the order
assert set(COMPOSABLE) >= {s.value for s in ServiceName}  # every service has a template


def template_for(name: str) -> CallbackTemplate:
    """The template for a composable *name* (a §1.1 service, in either documented spelling)."""
    if name in TEMPLATES:
        return TEMPLATES[name]
    try:
        return TEMPLATES[canonical_service_name(name).value]
    except CallbackDecodeError:
        raise CallbackComposeError(
            "service.unknown",
            f"{shown(name)} is not a callback the composer makes; choose one of "
            f"{', '.join(COMPOSABLE)}.",
            spec=SPEC_SERVICES,
            field="service",
        ) from None
