"""A sample operator on real HTTPS at 127.0.0.1:<ephemeral>, and a service client for it.

A uniquely named helper module (not conftest) so `from ... import` never picks another
folder's conftest; test modules import its fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from simulator.background import BackgroundLoop
from simulator.operator_api.client import Exchange, OperatorApiClient, client_tls_context
from simulator.operator_api.config import NotificationType, ServiceConfiguration
from simulator.operator_api.requests import Api, RequestFactory
from simulator.operator_api.sample_config import sample_configuration
from simulator.operator_api.sample_operator import SampleOperator, ScriptedAnswer
from simulator.operator_api.tls import OperatorTls

ICCID = "8999001000000000018"


@dataclass
class Operator:
    loop: BackgroundLoop
    server: SampleOperator
    tls: OperatorTls
    config: ServiceConfiguration

    def call(
        self,
        api: Api,
        *answers: ScriptedAnswer,
        config: ServiceConfiguration | None = None,
        iccid: str = ICCID,
        limit: int = 1,
        timeout: float = 10.0,
    ) -> Exchange:
        """Script the next answers of ``api`` (if any), then call it once like the service."""
        chosen = config or self.config
        self.server.script(api, *answers)
        factory = RequestFactory(chosen)
        if api is Api.GET_BALANCE:
            request = factory.balance(iccid, limit=limit)
        elif api is Api.GET_OFFERS:
            request = factory.offers(iccid, imei="001102000315468", limit=limit)
        else:
            request = factory.notifications(
                iccid, NotificationType.LOW_BALANCE, imei="001102000315468", limit=limit
            )
        return self.loop.run(self._send(chosen, request, timeout))

    async def _send(
        self, config: ServiceConfiguration, request: object, timeout: float
    ) -> Exchange:
        client = OperatorApiClient(
            config, tls=client_tls_context(config, self.tls.ca_pem), timeout_seconds=timeout
        )
        try:
            return await client.send(request)  # type: ignore[arg-type]
        finally:
            await client.aclose()


@pytest.fixture(scope="session", name="operator_tls")
def operator_tls_fixture(tmp_path_factory: pytest.TempPathFactory) -> OperatorTls:
    return OperatorTls.load_or_create(Path(tmp_path_factory.mktemp("operator-tls")))


@pytest.fixture(scope="module", name="operator")
def operator_fixture(operator_tls: OperatorTls) -> Iterator[Operator]:
    loop = BackgroundLoop("operator-api-test")
    server = SampleOperator(sample_configuration("https://127.0.0.1/v1/"), operator_tls)
    loop.run(server.start())
    config = sample_configuration(server.base_url)
    server.config = replace(server.config, mo_base_url=server.base_url)
    yield Operator(loop, server, operator_tls, config)
    loop.run(server.stop())
    loop.stop()


@pytest.fixture(name="fresh")
def fresh_fixture(operator: Operator) -> Iterator[Operator]:
    """The module's operator with nothing scripted left over."""
    yield operator
    for queue in operator.server.scripted.values():
        queue.clear()
    operator.server.require_client_certificate = False
    operator.server.balances.clear()
