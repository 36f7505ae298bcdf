"""The Mobile Plans service's side of one simulated PC: the operator's configuration, the
client calling its APIs, and (by default) the sample operator serving them. No Qt.

Calls start on the GUI thread, run on the background loop, and come back through ``post``, so
events are emitted on the GUI thread only: `operator_api.request` when a call starts,
`operator_api.response` and one `contract.violation` per finding when it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.background import BackgroundLoop, InFlight
from simulator.events import EventLog
from simulator.operator_api.client import Exchange, OperatorApiClient, client_tls_context
from simulator.operator_api.config import (
    ConfigurationError,
    NotificationType,
    ServiceConfiguration,
)
from simulator.operator_api.contract import CheckedResponse
from simulator.operator_api.gateway_image_loader import GatewayImageLoader
from simulator.operator_api.iccid_ranges import SAMPLE_ICCID_RANGES, IccidRange
from simulator.operator_api.requests import ApiRequest, RequestFactory
from simulator.operator_api.rules import log_finding
from simulator.operator_api.sample_config import sample_configuration
from simulator.operator_api.sample_operator import SampleOperator
from simulator.operator_api.tls import OperatorTls

__all__ = ["OperatorApiWorld"]

Post = Callable[[Callable[[], None]], None]
Done = Callable[[Exchange], None]


class OperatorApiWorld:
    def __init__(
        self,
        data_dir: Path,
        loop: BackgroundLoop,
        events: EventLog,
        post: Post,
        *,
        base_url: str | None = None,
        iccid_ranges: tuple[IccidRange, ...] = SAMPLE_ICCID_RANGES,
        brand_name: str = "Contoso Mobile",
        configuration: ServiceConfiguration | None = None,
    ) -> None:
        """The sample operator unless ``base_url`` (``--operator-api``) or a full
        ``configuration`` names the team's own endpoints."""
        self.loop = loop
        self.events = events
        self.post = post
        self.sample: SampleOperator | None = None
        extra_ca = b""
        if configuration is not None:
            self.config = configuration
        elif base_url is not None:
            self.config = replace(
                ServiceConfiguration.for_endpoint(base_url, brand_name),
                iccid_ranges=iccid_ranges,
                # the sample's template "0" without its picture, which only the sample serves
                gateway_templates=tuple(
                    replace(template, images=())
                    for template in sample_configuration(base_url).gateway_templates[:1]
                ),
            )
        else:
            tls = OperatorTls.load_or_create(data_dir / "tls")
            self.sample = SampleOperator(sample_configuration("https://127.0.0.1/v1/"), tls)
            loop.run(self.sample.start())
            self.config = replace(
                sample_configuration(self.sample.base_url, iccid_ranges), brand_name=brand_name
            )
            self.sample.config = self.config
            extra_ca = tls.ca_pem
        self._sample_config = self.config if self.sample is not None else None
        self._retired_clients: list[OperatorApiClient] = []
        self._extra_ca = extra_ca
        self.client = OperatorApiClient(self.config, tls=client_tls_context(self.config, extra_ca))
        # the Gateway page's images: the same trust (CA, client certificate) as the APIs
        self.gateway_images = GatewayImageLoader(
            loop, post, events, lambda config: client_tls_context(config, extra_ca)
        )
        self.requests = RequestFactory(self.config)
        self.last: dict[str, Exchange] = {}
        # GetBalance's location= (case-sensitive): the PC's country, set by the app
        self.location: str | None = "US"
        self._closed = False
        # cancelled and awaited before the clients close: none opens a connection after it
        self._in_flight = InFlight()

    def set_iccid_ranges(self, ranges: tuple[IccidRange, ...]) -> None:
        """New ICCID ranges in the service configuration (the MO service panel)."""
        self.config = replace(self.config, iccid_ranges=ranges)
        self.requests.config = self.config
        self.client.config = self.config
        if self.sample is not None:
            self.sample.config = self.config
        self.events.emit("operator_api.configured", iccid_ranges=[str(r) for r in ranges])

    def use_configuration(self, configuration: ServiceConfiguration | None, brand: str) -> None:
        """Another operator chosen in the catalog: its service configuration, or (None) the
        bundled sample operator's under ``brand``."""
        sample_chosen = configuration is None
        if configuration is None:
            if self._sample_config is None:
                raise ConfigurationError(
                    "catalog.sample-unavailable",
                    f"{brand} has no moBaseUrl and the bundled sample operator is not running",
                )
            configuration = replace(self._sample_config, brand_name=brand)
        old_client = self.client
        self.config = configuration
        self.client = OperatorApiClient(
            configuration, tls=client_tls_context(configuration, self._extra_ca)
        )
        self.requests = RequestFactory(configuration)
        if sample_chosen and self.sample is not None:
            self.sample.config = configuration
        self._retired_clients.append(old_client)  # calls in flight finish; closed with the world
        self.events.emit(
            "operator_api.configured",
            brand=configuration.brand_name,
            moBaseUrl=configuration.mo_base_url,
            iccid_ranges=[str(r) for r in configuration.iccid_ranges],
        )

    # -- the three calls (GUI thread) ------------------------------------------------------------
    def get_balance(self, iccid: str, done: Done | None = None) -> ApiRequest:
        """Called when the network flyout opens."""
        return self._send(self.requests.balance(iccid, location=self.location), done)

    def get_offers(self, iccid: str, imei: str | None, done: Done | None = None) -> ApiRequest:
        """Called before the Gateway page, only with an active profile of the operator."""
        return self._send(self.requests.offers(iccid, imei=imei), done)

    def get_notifications(
        self,
        iccid: str,
        notification_type: NotificationType,
        imei: str | None,
        done: Done | None = None,
    ) -> ApiRequest:
        """Called when the operator's SMS arrives."""
        return self._send(self.requests.notifications(iccid, notification_type, imei=imei), done)

    def _send(self, request: ApiRequest, done: Done | None) -> ApiRequest:
        self.events.emit(
            "operator_api.request",
            api=str(request.api),
            method="GET",
            url=request.url,
            transactionId=request.transaction_id,
            headers=request.loggable_headers(),
        )
        future = self.loop.submit(self._in_flight.run(self.client.send(request)))

        def finished(_: Any) -> None:
            if future.cancelled() or self._closed:
                return
            error = future.exception()
            if error is None:
                exchange = future.result()
            else:  # the client turns failures into values; anything else still answers
                checked = CheckedResponse(request.api, 0)
                checked.add("transport.unreachable", f"{type(error).__name__}: {error}")
                exchange = Exchange(request, None, checked, 0.0)
            self.post(lambda: self._answered(exchange, done))

        future.add_done_callback(finished)
        return request

    def _answered(self, exchange: Exchange, done: Done | None) -> None:
        if self._closed:
            return
        checked = exchange.checked
        api = str(exchange.request.api)
        self.last[api] = exchange
        self.events.emit(
            "operator_api.response",
            api=api,
            transactionId=exchange.request.transaction_id,
            status=checked.status,
            elapsed_ms=exchange.elapsed_ms,
            ok=checked.ok,
            **_understood(exchange),
        )
        for found in checked.violations:
            log_finding(self.events, found, api)
        if done is not None:
            done(exchange)

    def close(self) -> None:
        self._closed = True
        self.gateway_images.close()
        # An exchange still connecting would otherwise open its socket after its client's pool
        # had closed, and leave it to the garbage collector (ResourceWarning).
        self.loop.run(self._in_flight.cancel_all())
        for client in (*self._retired_clients, self.client):
            self.loop.run(client.aclose())
        if self.sample is not None:
            self.loop.run(self.sample.stop())


def _understood(exchange: Exchange) -> dict[str, Any]:
    checked = exchange.checked
    if checked.balances is not None:
        return {
            "balances": [
                {
                    "type": str(b.type),
                    "dataRemainingInMB": b.data_remaining_mb,
                    "timeRemaining": b.time_remaining.text if b.time_remaining else None,
                }
                for b in checked.balances
            ]
        }
    if checked.gateway_ids is not None:
        return {"gatewayIds": checked.gateway_ids}
    if checked.notification_ids is not None:
        return {"notificationIds": checked.notification_ids}
    if checked.retry_after is not None:
        return {"retryAfter": checked.retry_after}
    return {}
