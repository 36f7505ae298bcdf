"""Which bridge message may reach the portal session: the checks made on every one. Pure.

A message is believed only when it carries this launch's token, the page's current top-level
URL is on the allowed origin (Mobile Plans web portal doc), the address the message was sent from is
too, and it comes from the live document: the last one that introduced itself (`ready`). A
document the page has navigated away from, a plain http or foreign-host page, and a sub-frame
(which never introduces itself) reach nothing. Only the live document is remembered, plus a
bounded list of retired ones so a refusal can say why.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass

from simulator.bridge.envelope import Envelope
from simulator.bridge.origin import OriginPolicy

RETIRED_DOCUMENTS_KEPT = 32


@dataclass(frozen=True)
class Refusal:
    """Why a message was dropped: a rule name and a sentence for the event log."""

    rule: str
    message: str


class DocumentGate:
    def __init__(self, policy: OriginPolicy, token: str) -> None:
        self._policy = policy
        self._token = token
        self._token_bytes = token.encode()
        # Read on every message: plain attributes, not properties (each Python function on the
        # GUI thread's path costs microseconds, cache-cold). Only `admit` changes them.
        self.live_doc: str | None = None
        self.live_url = ""  # the page's address when the live document introduced itself
        self._retired: deque[str] = deque(maxlen=RETIRED_DOCUMENTS_KEPT)
        self._allowed_page_url: str | None = None  # the last page address the policy allowed

    def admit(self, envelope: Envelope, page_url: str) -> Refusal | None:
        """None when `envelope` may reach the session; a `ready` then makes its document live."""
        if not self._token or not secrets.compare_digest(
            envelope.token.encode(), self._token_bytes
        ):
            return Refusal("bridge.token", "the message was not sent by this launch's bridge")
        if page_url != self._allowed_page_url:  # the policy's answer depends on the text only
            if not self._policy.allows(page_url):
                return Refusal(
                    "bridge.origin", "the page is now elsewhere: " + self._policy.refusal(page_url)
                )
            self._allowed_page_url = page_url
        # Mostly the page's own address: asked once (the policy's answer depends on the text).
        if envelope.href != page_url and not self._policy.allows(envelope.href):
            return Refusal(
                "bridge.origin",
                f"the message was sent from {envelope.href[:200]!r}: "
                + self._policy.refusal(envelope.href),
            )
        if envelope.kind == "ready":
            return self._introduce(envelope.doc, page_url)
        if envelope.doc == self.live_doc:
            return None
        if envelope.doc in self._retired:
            return Refusal(
                "bridge.document",
                f"document {envelope.doc[:8]}… has navigated away; "
                "only the page's current document may call the app",
            )
        return Refusal("bridge.document", f"document {envelope.doc[:8]}… never introduced itself")

    def _introduce(self, doc: str, url: str) -> Refusal | None:
        if doc == self.live_doc or doc in self._retired:
            return Refusal("bridge.document", f"document {doc[:8]}… introduced itself twice")
        if self.live_doc is not None:
            self._retired.append(self.live_doc)
        self.live_doc = doc
        self.live_url = url
        return None
