"""Compose the callback a platform would send: a service, devices and ``NAME=VALUE`` fields.

The one message builder behind the Platform panel's composer and ``mobileplans-sim thingspace
send`` (issue 5, item 6). It builds every service of ThingSpace service names doc, and the
``Data`` children of §1.2 that belong to no single service (``Fault``, ``Summary`` and
``Status``). Every field has a default, so a service name alone is enough to make a message.

Payloads the codec types are built typed. These are PromoChange, ResumeTrackingNotification,
ExternalProvisioningChange, CarrierService, the §1.2.5 payloads (DeviceSuspendStatus, Usage,
SMSDelivery, PRLInformation, Fault) and the MO SMS. Every other service becomes an
:class:`UnverifiedPayload` holding an :class:`UnverifiedFields` tree, marked
``SHAPE_VERIFIED = False``. Field names of unverified shapes are the simulator's own guesses,
and any further ``NAME=VALUE`` is carried as given.

Pure: no I/O. Pass ``now`` and ``request_id`` to get the same message every time. Bad input
raises :class:`CallbackComposeError`, which names the field and the spec section.
"""

from .assignments import parse_device_argument, parse_field_assignments
from .message import REQUEST_ID_FIELD, compose_message, default_fields
from .registry import COMPOSABLE, TEMPLATES, template_for
from .template import (
    Builder,
    CallbackComposeError,
    CallbackTemplate,
    Check,
    ComposeContext,
    ComposeField,
    Default,
    Values,
)

__all__ = [
    "COMPOSABLE",
    "REQUEST_ID_FIELD",
    "TEMPLATES",
    "Builder",
    "CallbackComposeError",
    "CallbackTemplate",
    "Check",
    "ComposeContext",
    "ComposeField",
    "Default",
    "Values",
    "compose_message",
    "default_fields",
    "parse_device_argument",
    "parse_field_assignments",
    "template_for",
]
