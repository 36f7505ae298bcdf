"""The requests the Mobile Plans service sends to an operator's APIs, built exactly as the
public pages show them. Pure: building a request does no I/O.

* GetBalance ("Mobile Operator account management in Windows 10"):
  ``GET https://{moBaseUrl}/sims/{sim id}/balances?fieldsTemplate=basic&limit=1&location=US``
* GetOffers ("Mobile Plans gateway page"):
  ``GET https://{offerUri}sims/{simmri}/offers?limit=1&imei=1234``
* GetNotifications ("Mobile Plans notifications"):
  ``GET https://{notificationUri}sims/{simmri}/notifications?notificationType=lowBalance&limit=1&imei=1234``

The sim id is ``iccid:<ICCID>`` as in every example. Every request carries
``X-MS-DM-TransactionId`` (``MSFT-<uuid>``, unique per request) and, when configured, a Basic
``Authorization`` header.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote, urlencode

from simulator.operator_api.config import NotificationType, ServiceConfiguration

__all__ = ["Api", "ApiRequest", "RequestFactory"]

TRANSACTION_HEADER = "X-MS-DM-TransactionId"


class Api(StrEnum):
    GET_BALANCE = "GetBalance"
    GET_OFFERS = "GetOffers"
    GET_NOTIFICATIONS = "GetNotifications"


@dataclass(frozen=True)
class ApiRequest:
    api: Api
    url: str
    iccid: str
    transaction_id: str
    headers: dict[str, str]
    limit: int
    fields_template: str | None = None
    notification_type: NotificationType | None = None
    query: dict[str, str] = field(default_factory=dict)

    def loggable_headers(self) -> dict[str, str]:
        """The headers for the event log: the credentials themselves are never written."""
        return {
            name: ("Basic (redacted)" if name.lower() == "authorization" else value)
            for name, value in self.headers.items()
        }


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path


def new_transaction_id() -> str:
    """Shaped like the docs' example "MSFT-12345678-1234-1234-1234-123456789abc"."""
    return f"MSFT-{uuid.uuid4()}"


@dataclass
class RequestFactory:
    config: ServiceConfiguration
    transaction_ids: Callable[[], str] = new_transaction_id

    def _headers(self, transaction_id: str) -> dict[str, str]:
        headers = {TRANSACTION_HEADER: transaction_id, "Accept": "application/json"}
        if self.config.basic_auth is not None:
            headers["Authorization"] = self.config.basic_auth.header()
        return headers

    def _build(
        self,
        api: Api,
        base: str,
        iccid: str,
        resource: str,
        query: dict[str, str],
        *,
        limit: int,
        fields_template: str | None = None,
        notification_type: NotificationType | None = None,
    ) -> ApiRequest:
        transaction_id = self.transaction_ids()
        sim = quote(f"iccid:{iccid}", safe=":")
        url = _join(base, f"sims/{sim}/{resource}") + "?" + urlencode(query)
        return ApiRequest(
            api,
            url,
            iccid,
            transaction_id,
            self._headers(transaction_id),
            limit,
            fields_template,
            notification_type,
            query,
        )

    def balance(self, iccid: str, *, location: str | None = "US", limit: int = 1) -> ApiRequest:
        template = self.config.balance_fields_template
        query = {"fieldsTemplate": template, "limit": str(limit)}
        if location is not None:
            query["location"] = location  # case-sensitive: sent as given
        return self._build(
            Api.GET_BALANCE,
            self.config.mo_base_url,
            iccid,
            "balances",
            query,
            limit=limit,
            fields_template=template,
        )

    def offers(self, iccid: str, *, imei: str | None = None, limit: int = 1) -> ApiRequest:
        query = {"limit": str(limit)}
        if imei is not None:
            query["imei"] = imei
        return self._build(
            Api.GET_OFFERS, self.config.offer_uri, iccid, "offers", query, limit=limit
        )

    def notifications(
        self,
        iccid: str,
        notification_type: NotificationType,
        *,
        imei: str | None = None,
        limit: int = 1,
    ) -> ApiRequest:
        query = {"notificationType": notification_type.value, "limit": str(limit)}
        if imei is not None:
            query["imei"] = imei
        return self._build(
            Api.GET_NOTIFICATIONS,
            self.config.notification_uri,
            iccid,
            "notifications",
            query,
            limit=limit,
            notification_type=notification_type,
        )
