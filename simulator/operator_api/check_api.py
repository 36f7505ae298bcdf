"""`mobileplans-sim check-api URL`: smoke-check an operator's service APIs (e.g. staging).

Calls GetBalance, GetOffers and GetNotifications once each, exactly as the Mobile Plans service
would, checks every answer against the documented contract, then replays one request with its
TransactionId to see the documented 409, and fetches each configured Gateway image as the app
does. Exit status 0 when no ERROR was found, 1 otherwise,
2 on a usage error. ``--sample`` checks the bundled sample operator instead (no URL needed).
No Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from simulator.contract.violations import Violation
from simulator.operator_api.client import Exchange, OperatorApiClient, client_tls_context
from simulator.operator_api.config import (
    BasicAuth,
    ClientCertificate,
    ConfigurationError,
    GatewayTemplate,
    NotificationTemplate,
    NotificationType,
    ServiceConfiguration,
)
from simulator.operator_api.config_file import load_service_configuration
from simulator.operator_api.gateway_images import (
    MAX_IMAGES,
    FetchLimits,
    fetch_gateway_image,
    image_client,
    read_png_header,
)
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.operator_api.requests import RequestFactory
from simulator.operator_api.rules import violation
from simulator.operator_api.sample_config import sample_configuration
from simulator.operator_api.sample_operator import SampleOperator
from simulator.operator_api.tls import OperatorTls
from simulator.operator_api.urls import parse_https_url

__all__ = ["add_check_api_command", "run_check_api_command"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_ICCID = "8999001000000000018"  # inside the sample operator's range


@dataclass
class ApiCheck:
    api: str
    url: str
    status: int
    elapsed_ms: float
    violations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ApiReport:
    checks: list[ApiCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(v["severity"] == "error" for c in self.checks for v in c.violations)

    def render(self) -> str:
        lines = []
        for check in self.checks:
            status = check.status or "no answer"
            lines.append(f"{check.api:17} GET {check.url} -> {status} ({check.elapsed_ms} ms)")
            for v in check.violations:
                lines.append(f"  {v['severity']:7} {v['rule']}: {v['message']} ({v['spec']})")
        lines += [f"note: {n}" for n in self.notes]
        lines.append("OK: no errors" if self.ok else "FAILED: see the errors above")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, **asdict(self)}, indent=2)


def add_check_api_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `check-api` to `mobileplans-sim`'s sub-commands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check-api",
        help="smoke-check an operator's GetBalance / GetOffers / GetNotifications endpoints",
    )
    parser.add_argument("url", nargs="?", help="moBaseUrl (and OfferUri, NotificationUri)")
    parser.add_argument("--sample", action="store_true", help="check the bundled sample operator")
    parser.add_argument(
        "--config", type=Path, metavar="FILE.json", help="the service configuration, instead of URL"
    )
    parser.add_argument("--offer-uri", help="OfferUri when it differs from URL")
    parser.add_argument("--notification-uri", help="NotificationUri when it differs from URL")
    parser.add_argument(
        "--iccid", help="an ICCID the endpoints know (required with URL; --sample has its own)"
    )
    parser.add_argument("--imei", default="001102000315468", help="the IMEI sent as imei=")
    parser.add_argument("--location", default="US", help="GetBalance location= (case-sensitive)")
    parser.add_argument("--fields-template", choices=("basic", "full"), default="basic")
    parser.add_argument("--notification-type", default="lowBalance", help="e.g. zeroBalance")
    parser.add_argument("--basic-auth", metavar="USER:PASSWORD", help="Basic credentials")
    parser.add_argument("--client-cert", type=Path, metavar="PEM", help="mutual TLS certificate")
    parser.add_argument("--client-key", type=Path, metavar="PEM", help="its private key")
    parser.add_argument("--ca", type=Path, metavar="PEM", help="also trust this CA (staging)")
    parser.add_argument(
        "--gateway-id",
        action="append",
        default=[],
        help='configured Gateway template ids GetOffers may return (default "0"); repeatable',
    )
    parser.add_argument(
        "--notification-id",
        action="append",
        default=[],
        help="configured notification template ids GetNotifications may return; repeatable",
    )
    parser.add_argument(
        "--timeout", type=_timeout, default=10.0, help="seconds per request (0.1 to 300)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _timeout(text: str) -> float:
    """``--timeout``: a finite number of seconds a person would wait (NaN and inf are floats)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= seconds <= 300:  # also false for NaN
        raise argparse.ArgumentTypeError(f"{text!r}: give 0.1 to 300 seconds")
    return seconds


def configuration_from_args(args: argparse.Namespace) -> ServiceConfiguration:
    """The service configuration the flags describe; ConfigurationError on a bad one."""
    url = parse_https_url(args.url, "the API base", "config.url.https", base=True)
    if args.iccid is None:
        raise ConfigurationError(
            "config.iccid", "give --iccid: an ICCID of a test SIM the endpoints know"
        )
    only = _iccid_range(args.iccid)
    config = ServiceConfiguration.for_endpoint(url)
    kind = NotificationType.parse(args.notification_type)
    config = replace(
        config,
        offer_uri=_optional_base(args.offer_uri, "--offer-uri") or config.offer_uri,
        notification_uri=(
            _optional_base(args.notification_uri, "--notification-uri") or config.notification_uri
        ),
        iccid_ranges=(only,),
        basic_auth=BasicAuth.parse(args.basic_auth) if args.basic_auth else None,
        trusted_ca=args.ca,
        balance_fields_template=args.fields_template,
        gateway_templates=tuple(GatewayTemplate(i) for i in (args.gateway_id or ["0"])),
        notification_templates=tuple(
            NotificationTemplate(i, kind, "", "") for i in args.notification_id
        ),
    )
    if (args.client_cert is None) != (args.client_key is None):
        raise ConfigurationError(
            "config.client-cert.pair", "--client-cert and --client-key go together"
        )
    if args.client_cert is not None:
        certificate = ClientCertificate(args.client_cert, args.client_key)
        config = replace(config, client_certificate=certificate)
    return config


def _optional_base(value: str | None, flag: str) -> str | None:
    return None if value is None else parse_https_url(value, flag, "config.url.https", base=True)


def _check_device_flags(imei: str, location: str) -> None:
    """What the service would send: a PC's 15-digit IMEI and a two-letter country code."""
    if not (imei.isascii() and imei.isdigit() and len(imei) == 15):
        raise ConfigurationError("config.imei", f"--imei {imei!r} is not an IMEI (15 digits)")
    if not (location.isascii() and location.isalpha() and len(location) == 2):
        raise ConfigurationError(
            "config.location", f"--location {location!r} is not a two-letter country code"
        )


def _iccid_range(text: str) -> IccidRange:
    """The one ICCID check-api asks about, as the configuration's only range."""
    iccid = text.strip().rstrip("Ff")
    if not (iccid.isascii() and iccid.isdigit() and 18 <= len(iccid) <= 20):
        raise ConfigurationError(
            "config.iccid", f"--iccid {text!r} is not an ICCID (18 to 20 digits)"
        )
    return IccidRange(iccid, iccid)


async def check_operator_api(
    config: ServiceConfiguration,
    *,
    iccid: str,
    imei: str,
    location: str,
    notification_type: NotificationType,
    timeout: float = 10.0,
    extra_ca_pem: bytes = b"",
) -> ApiReport:
    """The three calls and the replay, checked; then the configured Gateway images."""
    tls = client_tls_context(config, extra_ca_pem)
    client = OperatorApiClient(config, tls=tls, timeout_seconds=timeout)
    factory = RequestFactory(config)
    report = ApiReport()
    try:
        requests = [
            factory.balance(iccid, location=location),
            factory.offers(iccid, imei=imei),
            factory.notifications(iccid, notification_type, imei=imei),
        ]
        exchanges = [await client.send(request) for request in requests]
        for exchange in exchanges:
            report.checks.append(_summary(exchange))
        first = exchanges[0]
        if first.response is not None and first.response.status in (200, 201):
            replayed = await client.send(requests[0])
            check = _summary(replayed, label=f"{first.request.api} (replay)")
            if replayed.response is not None and replayed.response.status != 409:
                found = violation(
                    "status.replay-accepted",
                    f"the same {first.request.api} with TransactionId "
                    f"{first.request.transaction_id} was answered {replayed.response.status}; "
                    "a repeated TransactionId is answered 409 (Conflict)",
                )
                check.violations = [_as_dict(found)]
            elif replayed.response is not None:
                check.violations = []  # 409 is the documented answer here
            report.checks.append(check)
    finally:
        await client.aclose()
    images = await _check_gateway_images(config, tls, timeout)
    report.checks += images
    if images:
        report.notes.append(
            "Gateway images were checked for the PNG signature and pixel size; the app also "
            "decodes them"
        )
    unchecked = [
        c.api for c in report.checks if c.status in (401, 403, 404) and c.api != "Gateway image"
    ]  # an image has no body rules: its 404 is its own error
    if unchecked:
        report.notes.append(
            f"{', '.join(unchecked)} refused the request, so the body rules were not checked"
        )
    if not config.notification_templates:
        report.notes.append(
            "notificationId values were not matched against a configuration; pass "
            "--notification-id for each configured template"
        )
    return report


async def _check_gateway_images(
    config: ServiceConfiguration, tls: ssl.SSLContext, timeout: float
) -> list[ApiCheck]:
    """Each configured Gateway image (once per URI) fetched as the app fetches it."""
    limits = FetchLimits(timeout_seconds=timeout, deadline_seconds=2 * timeout)
    images = {image.uri: image for t in config.gateway_templates for image in t.images[:MAX_IMAGES]}
    checks: dict[str, ApiCheck] = {}
    async with image_client(tls, limits) as http:
        for image in images.values():
            started = time.perf_counter()
            result = await fetch_gateway_image(http, image, read_png_header, limits)
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            found = [_as_dict(v) for v in result.findings]
            checks[image.uri] = ApiCheck("Gateway image", image.uri, result.status, elapsed, found)
    for template in config.gateway_templates:
        if len(template.images) > MAX_IMAGES:  # as the app says it when the page shows
            too_many = violation(
                "gateway.images-over-limit",
                f"template {template.id!r} has {len(template.images)} images; the first "
                f"{MAX_IMAGES} are fetched",
            )
            checks[template.images[0].uri].violations.append(_as_dict(too_many))
    return list(checks.values())


def _as_dict(found: Violation) -> dict[str, Any]:
    return {
        "rule": found.rule,
        "severity": str(found.severity),
        "message": found.message,
        "spec": found.spec,
    }


def _summary(exchange: Exchange, label: str | None = None) -> ApiCheck:
    return ApiCheck(
        label or str(exchange.request.api),
        exchange.request.url,
        exchange.checked.status,
        exchange.elapsed_ms,
        [_as_dict(v) for v in exchange.checked.violations],
    )


async def _check_sample(args: argparse.Namespace, kind: NotificationType) -> ApiReport:
    with tempfile.TemporaryDirectory(prefix="mobileplans-check-api-") as folder:
        tls = OperatorTls.load_or_create(Path(folder))
        server = SampleOperator(sample_configuration("https://127.0.0.1/v1/"), tls)
        await server.start()
        try:
            config = sample_configuration(server.base_url)
            return await check_operator_api(
                config,
                iccid=_iccid_range(args.iccid).start if args.iccid else DEFAULT_ICCID,
                imei=args.imei,
                location=args.location,
                notification_type=kind,
                timeout=args.timeout,
                extra_ca_pem=tls.ca_pem,
            )
        finally:
            await server.stop()


def run_check_api_command(args: argparse.Namespace) -> int:
    """Run `check-api` from parsed arguments; the exit status."""
    try:
        kind = NotificationType.parse(args.notification_type)
        _check_device_flags(args.imei, args.location)
        if args.sample:
            report = asyncio.run(_check_sample(args, kind))
        elif not args.url and args.config is None:
            print("mobileplans-sim check-api: give the API base URL, --config FILE or --sample")
            return EXIT_USAGE
        else:
            if args.config is not None:
                config = load_service_configuration(args.config)
                if args.iccid is None:
                    raise ConfigurationError(
                        "config.iccid", "give --iccid: an ICCID of a test SIM the endpoints know"
                    )
                config = replace(config, iccid_ranges=(_iccid_range(args.iccid),))
            else:
                config = configuration_from_args(args)
            report = asyncio.run(
                check_operator_api(
                    config,
                    iccid=config.iccid_ranges[0].start,
                    imei=args.imei,
                    location=args.location,
                    notification_type=kind,
                    timeout=args.timeout,
                )
            )
    except (ConfigurationError, ValueError, OSError) as error:
        rule = getattr(error, "rule", "config")
        print(f"mobileplans-sim check-api: {rule}: {error}")
        return EXIT_USAGE
    print(report.to_json() if args.json else report.render())
    return EXIT_OK if report.ok else EXIT_FAILED
