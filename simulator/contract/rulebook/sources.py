"""Where each contract rule comes from: Microsoft's public Mobile Plans documentation pages
(MicrosoftDocs windows-driver-docs, mobilebroadband folder; published on learn.microsoft.com),
by page title and section, and the places where the documents are silent and the simulator
chooses. Internally the rules cite short section keys ("§1.3"); this table turns them into
sources a reader can look up."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Where the current pages are published (the file name without ".md", lower-case).
LEARN = "https://learn.microsoft.com/windows-hardware/drivers/mobilebroadband/"


@dataclass(frozen=True)
class Source:
    """A page (its title and, for the record, its file name in the MicrosoftDocs
    windows-driver-docs repository) and the section on it."""

    page: str
    file: str
    section: str

    @property
    def url(self) -> str:
        """The page on learn.microsoft.com; "" for a page only the repository's history has
        (its file name then says which versions)."""
        if not self.file.endswith(".md"):
            return ""
        return LEARN + self.file.removesuffix(".md").lower()

    def text(self) -> str:
        return f"{self.page} ({self.url or self.file}), {self.section}"

    def page_markdown(self) -> str:
        """The page as a markdown link (or, for a historical page, its name and versions)."""
        return f"[{self.page}]({self.url})" if self.url else f"{self.page} ({self.file})"


_CALLBACKS = ("Mobile Plans callback notifications", "mobile-plans-callback-notifications.md")
_LEGACY = (
    "Mobile Plans legacy callback notifications",
    "mobile-plans-legacy-callback-notifications.md",
)
_ASYNC = (
    "Mobile Plans asynchronous fulfillment",
    "mobile-plans-asynchronous-fulfillment.md, 2018–2019 versions",
)
_PORTAL = ("Mobile Plans web portal", "mobile-plans-web-portal.md")
_CONFIG = ("Mobile Plans service configuration", "mobile-plans-service-configuration.md")
_IMPLEMENTATION = ("Mobile Plans implementation", "mobile-plans-implementation.md, 2018 versions")
_MO_DIRECT = ("MO Direct API (Data Marketplace)", "mo-direct-api.md, 2017 version")
_ERRORS = ("Mobile Plans eSIM error handling", "mobile-plans-eSIM-error-handling.md")
_OURS = ("Where the documents are silent", "the simulator's own choice")


def _source(page: tuple[str, str], section: str) -> Source:
    return Source(page[0], page[1], section)


#: Section key → the public source(s) it stands for.
SECTIONS: dict[str, tuple[Source, ...]] = {
    "§1": (_source(_CALLBACKS, "the JavaScript objects the app provides"),),
    "§1.1": (
        _source(
            _CALLBACKS, "the MobilePlans and MobilePlansInlineOperations methods and properties"
        ),
    ),
    "§1.2": (
        _source(
            _LEGACY,
            "the legacy objects (DataMart, MobilePlansInlineProfile, and the"
            " MobilePlans.notifyBalanceAddition overload)",
        ),
    ),
    # The 2017 Data Marketplace page: window.external.notify and its orderId/eId payload.
    "§2017": (_source(_MO_DIRECT, "window.external.notify and its payload (orderId, eId)"),),
    "§1.3": (_source(_CALLBACKS, "Purchase Metadata Properties details"),),
    "§1.4": (
        _source(
            _CALLBACKS,
            "the arguments of registrationChangedScript and profileActivationCompleteScript",
        ),
    ),
    "§1.5": (
        _source(_LEGACY, "Other Legacy callback notifications: the notifyPurchaseResult payload"),
    ),
    "§2.2": (_source(_PORTAL, "the query parameters of the portal launch"),),
    "§2.3": (_source(_PORTAL, "the transactionId query parameter"),),
    "§3.1": (
        _source(_LEGACY, "Other Legacy callback notifications: handing control back to the app"),
    ),
    "§3.2": (_source(_CALLBACKS, "Inline profile download and connectivity"),),
    "§3.3": (_source(_CALLBACKS, "Delayed eSIM profile download"),),
    "§3.4": (_source(_CALLBACKS, "Cancel a delayed profile download (notifyOperationCancel)"),),
    "§3.5": (_source(_ASYNC, "Asynchronous connectivity"),),
    "§3.6": (_source(_CALLBACKS, "Balance addition"), _source(_LEGACY, "Adding balance (Legacy)")),
    "§3.7": (_source(_ASYNC, "Asynchronous profile delivery"),),
    "§3.8": (_source(_CALLBACKS, "Cancelled purchase (notifyCancelledPurchase)"),),
    "§4": (_source(_PORTAL, "the portal's requirements"),),
    "§4.2": (_source(_PORTAL, "HTTPS for the portal and all its resources"),),
    "§4.4": (_source(_CALLBACKS, "Purchase Metadata Properties details: planName"),),
    "§4.5": (_source(_CALLBACKS, "Purchase Metadata Properties details: required fields"),),
    "§4.6": (
        _source(_IMPLEMENTATION, '"Ensure that the notification payload is passed as a string"'),
    ),
    "§4.7": (_source(_CALLBACKS, "the script properties take the name of a JavaScript function"),),
    "§4.8": (
        _source(
            _PORTAL, "the transactionId query parameter: at most 64 characters, logged, echoed"
        ),
    ),
    "§4.9": (_source(_PORTAL, "the iccid and iccids query parameters: trailing 'F' removed"),),
    "§4.10": (_source(_CONFIG, "the activation code requirements"),),
    "§4.11": (_source(_ERRORS, "the activation errors the app reports to the portal"),),
    "§4.12": (_source(_PORTAL, "the portal's behaviour policies (no pop-ups or extra windows)"),),
    "§7.2": (_source(_OURS, "both documented spellings are accepted and reported"),),
    "§7.6": (
        _source(_OURS, "ICCIDs are checked as ITU-T E.118 numbers: 18 to 20 digits, '89', Luhn"),
    ),
}

_KEY = re.compile(r"§\d+(?:\.\d+)?")


def sources_of(sections: str) -> tuple[Source, ...]:
    """The sources behind "§1.1, §3.5 (…)": each known key once, in order; a key with no entry
    of its own falls back to its chapter ("§3.9" → "§3")."""
    found: list[Source] = []
    for key in _KEY.findall(sections):
        for source in SECTIONS.get(key) or SECTIONS.get(key.split(".")[0], ()):
            if source not in found:
                found.append(source)
    return tuple(found)


def sources_text(sections: str) -> str:
    """One line naming the pages and sections behind `sections`."""
    return "; ".join(source.text() for source in sources_of(sections))


def sources_brief(sections: str) -> str:
    """Page titles, each with its sections: "Mobile Plans callback notifications: A; B"."""
    pages: dict[str, list[str]] = {}
    for source in sources_of(sections):
        pages.setdefault(source.page, []).append(source.section)
    return " · ".join(f"{page}: {'; '.join(parts)}" for page, parts in pages.items())


def sources_markdown(sources: tuple[Source, ...]) -> str:
    """Each page once, as a link, with its sections: "[Page](url): A; B · [Other](url): C"."""
    pages: dict[Source, list[str]] = {}
    for source in sources:
        key = next((seen for seen in pages if seen.page == source.page), source)
        pages.setdefault(key, []).append(source.section)
    return " · ".join(
        f"{first.page_markdown()}: {'; '.join(sections)}" for first, sections in pages.items()
    )
