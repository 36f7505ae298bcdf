"""One callback message, independent of the wire it travelled on (spec §0.1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .devices import DeviceId
from .payloads import CallbackData
from .services import ServiceName
from .unverified import SmsMessage


@dataclass(frozen=True)
class CallbackMessage:
    """A ThingSpace/nPhase device callback, as SOAP ``CallbackRequest``/``SmsCallbackRequest``
    (§1.2) or REST JSON (§1.3).

    ``request_id`` is None only for mobile-originated SMS, which carry none (§1.2.6).
    ``callback_count``/``max_callback_threshold`` are 1-based delivery attempt numbers; REST
    always carries them, SOAP only in the third-party table (§1.2), so None means "not sent".
    ``status`` is the REST ``status`` (``Success``/``Failed``/NIDD states).
    """

    data: CallbackData
    request_id: str | None = None
    devices: tuple[DeviceId, ...] = ()
    username: str = ""
    password: str = field(default="", repr=False)  # echoed in clear by the platform (§2.7)
    callback_count: int | None = None
    max_callback_threshold: int | None = None
    status: str | None = None

    @property
    def service(self) -> ServiceName | None:
        """The registration service this payload belongs to (§1.1), when it is known."""
        return self.data.service

    @property
    def is_sms(self) -> bool:
        """True for a mobile-originated SMS (SOAP root ``SmsCallbackRequest``)."""
        return isinstance(self.data, SmsMessage)

    @property
    def dedupe_key(self) -> tuple[object, ...]:
        """What identifies one logical callback across retries (§2.6 [INF]).

        RequestId alone is not unique (one per API request, shared by per-device callbacks),
        and retries differ only in the attempt counters, which are left out here.
        """
        service = self.service.value if self.service is not None else ""
        return (
            service,
            self.request_id or "",
            tuple(device.key for device in self.devices),
            self.data,
        )
