"""The operator's ES2+ client to the SM-DP+ over HTTPS (esim/smdp/es2plus.py is the server).

An eSIM order is ``downloadOrder`` (with the EID when the launch gave one), then
``confirmOrder`` with ``releaseFlag: true``; the activation code is
``1$<smdpAddress>$<matchingId>``. A refusal or an outage is :class:`SmdpRefusedError`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
from cryptography import x509

from esim.http_cancel_safe import cancel_safe
from esim.lpa.transport import ResolvingTransport, trust_context
from esim.smdp.es2plus import DEFAULT_OPERATOR_ID, ES2_PREFIX
from simulator.portal.sample_backend.catalogue import OPERATOR_NAME, Plan


class SmdpRefusedError(Exception):
    """The SM-DP+ refused an ES2+ function or could not be reached: answered 502."""


class Es2Client:
    """ES2+ functions on one SM-DP+, as the operator ``operator_id``."""

    def __init__(
        self,
        smdp_base: str,
        resolver: Mapping[str, tuple[str, int]],
        trust_anchors: Sequence[x509.Certificate],
        operator_id: str = DEFAULT_OPERATOR_ID,
        *,
        timeout: float = 20.0,
        secret: str | None = None,
        operator_name: str = OPERATOR_NAME,
    ) -> None:
        self.smdp_base = smdp_base.rstrip("/")
        self.operator_name = operator_name  # the profiles' service provider name
        self.operator_id = operator_id
        # The operator's ES2+ secret (SmdpServer.es2_credential), sent as a bearer token.
        self._authorization = {} if secret is None else {"Authorization": f"Bearer {secret}"}
        self._ssl = trust_context(trust_anchors)
        self._resolver = dict(resolver)
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def place_order(
        self,
        plan: Plan,
        eid: str | None,
        *,
        confirmation_code: str | None = None,
        before_confirm: Callable[[str], None] | None = None,
    ) -> dict[str, str]:
        """``downloadOrder`` then ``confirmOrder``: the ICCID, matchingId and activation code.

        ``before_confirm`` gets the ICCID between the two (the simulator sets the order's
        behaviour there, before the release announces it).
        """
        ordered = await self.call(
            "downloadOrder",
            {
                **({"eid": eid} if eid else {}),
                "profileType": plan.name,
                "profileName": plan.name,
                "serviceProviderName": self.operator_name,
            },
        )
        iccid = ordered.get("iccid")
        if not isinstance(iccid, str):
            raise SmdpRefusedError("downloadOrder answered without an ICCID")
        if before_confirm is not None:
            before_confirm(iccid)
        confirmed = await self.call(
            "confirmOrder",
            {
                "iccid": iccid,
                **({"eid": eid} if eid else {}),
                **({"confirmationCode": confirmation_code} if confirmation_code else {}),
                "releaseFlag": True,
            },
        )
        matching_id, address = confirmed.get("matchingId"), confirmed.get("smdpAddress")
        if not isinstance(matching_id, str) or not isinstance(address, str):
            raise SmdpRefusedError("confirmOrder answered without matchingId and smdpAddress")
        return {
            "iccid": iccid,
            "matchingId": matching_id,
            "activationCode": f"1${address}${matching_id}",
        }

    async def call(self, function: str, fields: dict[str, Any]) -> dict[str, Any]:
        """One ES2+ function; the answer's fields, or :class:`SmdpRefusedError`."""
        body = {
            "header": {
                "functionRequesterIdentifier": self.operator_id,
                "functionCallIdentifier": str(uuid.uuid4()),
            },
            **fields,
        }
        try:
            response = await self._http().post(
                self.smdp_base + ES2_PREFIX + function,
                json=body,
                headers={"X-Admin-Protocol": "gsma/rsp/v2.2.2", **self._authorization},
            )
        except httpx.HTTPError as error:
            raise SmdpRefusedError(f"{function}: {type(error).__name__}: {error}") from None
        if response.status_code != 200:
            raise SmdpRefusedError(f"{function}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SmdpRefusedError(f"{function}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise SmdpRefusedError(f"{function}: the answer is not a JSON object")
        header = answer.get("header")
        execution = header.get("functionExecutionStatus") if isinstance(header, dict) else None
        state = execution.get("status") if isinstance(execution, dict) else None
        if state != "Executed-Success":
            data = execution.get("statusCodeData") if isinstance(execution, dict) else None
            detail = ""
            if isinstance(data, dict):
                detail = " ".join(
                    str(data[key])
                    for key in ("subjectCode", "reasonCode", "message")
                    if data.get(key) is not None
                )
            raise SmdpRefusedError(f"{function}: {state or 'no status'} {detail}".strip())
        return answer

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # A pool belongs to one event loop; the portal front runs on one, tests on others.
            self._client = cancel_safe(
                httpx.AsyncClient(
                    transport=ResolvingTransport(self._ssl, self._resolver), timeout=self._timeout
                )
            )
            self._client_loop = loop
        return self._client

    async def cancel_order(self, iccid: str) -> None:
        """``cancelOrder``: the profile goes back to Available (a cancelled delayed download)."""
        await self.call("cancelOrder", {"iccid": iccid, "finalProfileStatusIndicator": "Available"})
