"""What `mobileplans-sim check` found, as findings a person and a CI job can read. Pure: no Qt.

Every finding has a stable code (documented in docs/quickstart-check.md) and a message that
says what was seen and what the real app requires; any finding makes the exit status 1.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# The codes, in the order a report lists them; docs/quickstart-check.md has the same table.
FINDING_CODES = (
    "not-loaded",
    "not-https",
    "no-injection",
    "plain-http",
    "popup",
    "console-error",
    "certificate-refused",
    "contract",
)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


@dataclass
class LoadOutcome:
    """How the main document's load ended, as the web engine reported it."""

    status: str = ""  # "succeeded" | "failed" | "stopped" | "" (never finished)
    http_status: int | None = None
    error_domain: str = ""  # "dns" | "connection" | "certificate" | "http" | "internal" | ...
    error_code: int = 0
    error_text: str = ""

    def reason(self) -> str:
        """Why the portal did not load, in words ('' when it did)."""
        if self.http_status is not None and self.http_status >= 400:
            return f"the server answered HTTP {self.http_status}"
        if self.status == "succeeded":
            return ""
        if not self.status:
            return "no answer before the timeout"
        detail = f" ({self.error_text})" if self.error_text else ""
        return {
            "dns": f"the host name could not be resolved (DNS failure){detail}",
            "connection": f"the connection failed{detail}",
            "certificate": f"the server's TLS certificate was refused{detail}",
            "http": f"the HTTP exchange failed{detail}",
        }.get(self.error_domain, f"the load {self.status}{detail}")


@dataclass
class CheckReport:
    """What a check found; `findings` decides the exit status."""

    url: str
    final_url: str = ""
    origin: str = ""
    loaded: bool = False
    load: LoadOutcome = field(default_factory=LoadOutcome)
    injection_refusal: str = ""
    bridge: bool = False
    calls: int = 0
    plain_http: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    certificate_errors: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        if not self.loaded:
            where = self.final_url or self.url
            found.append(Finding("not-loaded", f"{where} did not load: {self.load.reason()}"))
        elif urlsplit(self.final_url).scheme != "https":
            found.append(
                Finding(
                    "not-https",
                    f"the portal ended on {self.final_url}; the app loads portals over https only "
                    "(docs/rules.md#portal.https)",
                )
            )
        if self.loaded and self.injection_refusal:
            found.append(
                Finding(
                    "no-injection",
                    "the real app would not inject MobilePlans, MobilePlansInlineOperations or "
                    f"DataMart into this page: {self.injection_refusal}",
                )
            )
        found += [
            Finding(
                "plain-http",
                f"fetched over plain http: {u}; every resource must be https "
                "(docs/rules.md#portal.plain-http)",
            )
            for u in self.plain_http
        ]
        found += [
            Finding(
                "popup",
                f"tried to open a pop-up or new window to {u or 'no URL'} "
                "(docs/rules.md#portal.popup)",
            )
            for u in self.popups
        ]
        found += [Finding("console-error", m) for m in self.console_errors]
        found += [Finding("certificate-refused", m) for m in self.certificate_errors]
        found += [
            Finding("contract", f"{v['rule']}: {v['message']} ({v['spec']})")
            for v in self.violations
            if v.get("severity") == "error" and v.get("rule") != "portal.popup"
        ]
        return found

    @property
    def errors(self) -> list[str]:
        return [f"{f.code}: {f.message}" for f in self.findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    def render(self) -> str:
        """The report as a person reads it in a CI log."""
        loaded = "yes" if self.loaded else f"no ({self.load.reason()})"
        lines = [
            f"portal   {self.url}",
            f"loaded   {loaded}" + (f" ({self.final_url})" * self.loaded),
            f"origin   {self.origin or '-'}",
            f"bridge   {'injected' if self.bridge else 'not injected'}; {self.calls} call(s)",
            f"http     {len(self.plain_http)} plain-http resource(s)",
            f"pop-ups  {len(self.popups)}",
            f"console  {len(self.console_errors)} error(s)",
        ]
        warnings = [v for v in self.violations if v.get("severity") == "warning"]
        lines += [f"warning  {v['rule']}: {v['message']} ({v['spec']})" for v in warnings]
        findings = self.findings
        lines += [f"ERROR    {f.code}: {f.message}" for f in findings]
        lines.append("result   " + ("OK" if not findings else f"FAILED ({len(findings)} error(s))"))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "load_error": self.load.reason() if not self.loaded else "",
            "findings": [asdict(f) for f in self.findings],
            "errors": self.errors,
            "ok": self.ok,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)
