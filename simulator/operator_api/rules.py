"""Every rule an operator API response is checked against: id, severity and a summary.

Each rule has a section in docs/operator-apis.md whose anchor is the rule id; a violation's
``spec`` points there, the way portal-call violations point at their rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from simulator.contract.violations import Severity, Violation
from simulator.events import EventLog

__all__ = ["DOCS_PAGE", "RULES", "Rule", "log_finding", "violation"]

DOCS_PAGE = "docs/operator-apis.md"

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str


_RULES = [
    # -- transport and status (all three APIs) -----------------------------------------------
    Rule("transport.unreachable", E, "the endpoint could not be reached (DNS, TCP, HTTP)"),
    Rule("transport.tls", E, "TLS failed: the server certificate is not trusted or the "
         "mutual-TLS handshake was refused"),
    Rule("transport.timeout", E, "no answer in time"),
    Rule("transport.too-large", E, "the response body is larger than an API answer can be"),
    Rule("transport.protocol", E, "the answer is not HTTP/1.1 the service can read (a garbled "
         "status line, oversized headers, a body cut short, a corrupt gzip body)"),
    Rule("status.undocumented", E, "a status code the error-code table does not list"),
    Rule("status.created-on-get", W, "201 Created answers a GET, which creates nothing"),
    Rule("status.bad-request", E, "400: the service sent a documented request; the body "
         "should name the parameter"),
    Rule("status.bad-request-without-detail", W, "400 without naming the wrong parameter"),
    Rule("status.unauthorized", E, "401: the configured Basic credentials were refused"),
    Rule("status.forbidden", E, "403: the client certificate was refused"),
    Rule("status.not-found", W, "404: the ICCID is unknown (never used for a zero balance)"),
    Rule("status.conflict", E, "409 for a TransactionId the service never sent before"),
    Rule("status.replay-accepted", W, "a repeated TransactionId answered without 409 "
         "(check-api replays one request on purpose)"),
    Rule("status.too-many-requests", W, "429: the operator throttles the service"),
    Rule("status.retry-after-missing", E, "429 without a Retry-After header"),
    Rule("status.retry-after-invalid", E, "Retry-After is neither seconds nor an HTTP-date"),
    Rule("status.retry-after-unreasonable", W, "Retry-After asks the service to wait more than a "
         "day, which leaves the user without a balance or an offer that long"),
    Rule("status.server-error", E, "500: the operator's service failed"),
    Rule("status.server-error-without-cause", W, "500 without a cause in the body"),
    Rule("header.content-type", W, "a 200 body not labelled application/json"),
    Rule("header.transaction-id-missing", INFO, "no X-MS-DM-TransactionId in the answer"),
    Rule("body.not-json", E, "the body is not JSON"),
    Rule("body.not-an-object", E, "the body is not a JSON object"),
    # -- GetBalance ---------------------------------------------------------------------------
    Rule("balance.balances.missing", E, "no `balances` collection"),
    Rule("balance.balances.not-a-list", E, "`balances` is not a list"),
    Rule("balance.balances.empty", W, "an empty `balances` list; zero balance is 200 with "
         "dataRemainingInMB=0 and timeRemaining=PT0S"),
    Rule("balance.balances.over-limit", E, "more balances than `limit` asked for"),
    Rule("balance.entry.not-an-object", E, "a balance is not an object"),
    Rule("balance.type.missing", E, "a balance without `type`"),
    Rule("balance.type.unknown", E, "`type` is not MODIRECT, MODIRECTPAYG, NONE or NOTSUPPORTED"),
    Rule("balance.dataRemainingInMB.missing", E, "no `dataRemainingInMB` (Basic fields)"),
    Rule("balance.dataRemainingInMB.sample-spelling", W, "`dataRemaininginMB`, the spelling of "
         "the docs' sample, instead of the table's `dataRemainingInMB`"),
    Rule("balance.dataRemainingInMB.not-a-number", E, "`dataRemainingInMB` is not a number"),
    Rule("balance.dataRemainingInMB.negative", E, "`dataRemainingInMB` is negative"),
    Rule("balance.timeRemaining.missing", E, "no `timeRemaining` (Basic fields)"),
    Rule("balance.timeRemaining.not-iso8601", E, "`timeRemaining` is not an ISO 8601 duration"),
    Rule("balance.id.missing", E, "no `id` although fieldsTemplate=full asks for every field"),
    Rule("balance.id.not-a-string", E, "`id` is not a string"),
    Rule("balance.zero-not-none", W, "no data left but time left: the docs expect NONE so the "
         "user can buy a plan"),
    # -- GetOffers ----------------------------------------------------------------------------
    Rule("offers.offers.missing", E, "no `offers` list"),
    Rule("offers.offers.not-a-list", E, "`offers` is not a list"),
    Rule("offers.offers.empty", INFO, "no offer: the Gateway page uses template \"0\""),
    Rule("offers.offers.over-limit", E, "more offers than `limit` asked for"),
    Rule("offers.entry.not-an-object", E, "an offer is not an object"),
    Rule("offers.gatewayId.missing", E, "an offer without `gatewayId`"),
    Rule("offers.gatewayId.not-a-string", W, "`gatewayId` is a number, not a string"),
    Rule("offers.gatewayId.unknown", E, "`gatewayId` names no Gateway template in the service "
         "configuration"),
    # -- GetNotifications ---------------------------------------------------------------------
    Rule("notifications.notifications.missing", E, "no `notifications` list"),
    Rule("notifications.notifications.not-a-list", E, "`notifications` is not a list"),
    Rule("notifications.notifications.empty", INFO, "no notification: no toast is shown"),
    Rule("notifications.notifications.over-limit", E, "more notifications than `limit`"),
    Rule("notifications.entry.not-an-object", E, "a notification is not an object"),
    Rule("notifications.notificationId.missing", E, "a notification without `notificationId`"),
    Rule("notifications.notificationId.not-an-id", E, "`notificationId` is neither a string "
         "nor an integer"),
    Rule("notifications.notificationId.unknown", E, "`notificationId` names no notification "
         "template in the service configuration"),
    Rule("notifications.notificationType.mismatch", W, "`notificationType` differs from the "
         "type asked for"),
    # -- the Gateway page's images (fetched when the page shows) -------------------------------
    Rule("gateway.image-unreachable", E, "an image could not be fetched: no connection, an HTTP "
         "status other than 200 (404 included), or a redirect the app does not follow (to "
         "http://, or more than 3)"),
    Rule("gateway.image-tls", E, "TLS with the image's host failed: its certificate is not "
         "trusted (the same trust as the operator's APIs)"),
    Rule("gateway.image-timeout", E, "the image did not arrive in time"),
    Rule("gateway.image-too-large", E, "the image file is over 4 MiB (reading stops there)"),
    Rule("gateway.image-not-png", E, "the file is not a PNG: no PNG signature, or it does not "
         "decode"),
    Rule("gateway.image-pixels-over-limit", E, "the PNG is larger than 1200 x 600 pixels (it "
         "is not decoded)"),
    Rule("gateway.image-size-mismatch", W, "the PNG's pixel size differs from the template's "
         "width and height; the page draws it at the template's size"),
    Rule("gateway.image-content-type", W, "the image is served with a Content-Type other "
         "than image/png"),
    Rule("gateway.images-over-limit", W, "a template with more than 8 images: the rest are "
         "not fetched"),
]  # fmt: skip

RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _RULES})


def violation(rule_id: str, message: str, field: str | None = None) -> Violation:
    """A violation of ``rule_id`` with its documented severity and docs link."""
    rule = RULES[rule_id]
    return Violation(rule.id, rule.severity, message, f"{DOCS_PAGE}#{rule.id}", field)


def log_finding(events: EventLog, found: Violation, api: str, **where: Any) -> None:
    """``found`` as the `contract.violation` of the "MO service" (an operator API's answer or
    a Gateway image), as the Contract panel, the report and the fixture read it."""
    events.emit(
        "contract.violation",
        rule=found.rule,
        severity=str(found.severity),
        message=found.message,
        spec=found.spec,
        field=found.field,
        api=api,
        object="MO service",
        method=api,
        **where,
    )
