"""Joins the page's channel to the portal session: the only way calls reach Python.

Every envelope is checked here before anything else sees it (simulator/bridge/gate.py): the
token the script was built with, the page's current top-level URL and the message's own address
against the origin policy (Mobile Plans web portal doc), the live document, then the document's call
numbering. A message from anywhere else is dropped with a `bridge.rejected` event.
"""

from __future__ import annotations

import json
import secrets

from PySide6.QtCore import QObject, QUrl, Slot

from simulator.bridge.envelope import EnvelopeError, parse_call, parse_envelope
from simulator.bridge.gate import DocumentGate
from simulator.bridge.origin import OriginPolicy
from simulator.bridge.page import PortalPage
from simulator.contract.violations import rule_link
from simulator.events import EventLog
from simulator.flows.portal_session import PortalSession


class EnvelopeReceiver:
    """Checks each envelope and hands what passes to the session: the host's handling of every
    message, in a plain Python object. An attribute read on a Qt object's Python wrapper goes
    through Shiboken, several times a plain read and colder code, and this runs for every call
    on the GUI thread while the page waits."""

    def __init__(self, session: PortalSession, events: EventLog, page_url: str) -> None:
        self.session = session
        self.events = events
        self.gate = DocumentGate(OriginPolicy(""), "")
        # The page's address, as QWebEnginePage.url() gives it (the host keeps it current).
        self.page_url = page_url

    def handle(self, text: str) -> None:
        page_url = self.page_url
        try:
            envelope = parse_envelope(text)
        except EnvelopeError as error:
            self._reject(error.rule, error.message, page_url)
            return
        gate = self.gate
        refusal = gate.admit(envelope, page_url)
        if refusal is not None:
            self._reject(refusal.rule, refusal.message, page_url)
            return
        session = self.session
        if envelope.kind == "ready":
            session.document_ready(envelope.doc, page_url)
            return
        session.note_sequence(envelope.doc, envelope.seq)
        if envelope.kind == "callback-result":
            body = envelope.body
            session.callback_result(
                callback_id=str(body.get("callbackId", "")),
                invoked=body.get("invoked") is True,
                resolved=str(body.get("resolved", ""))[:200],
                reason=str(body.get("reason", ""))[:40],
                error=str(body.get("error", ""))[:2000],
            )
            return
        try:
            call = parse_call(envelope, gate.live_url)
        except EnvelopeError as error:
            self._reject(error.rule, error.message, page_url)
            return
        session.call(envelope.doc, call)

    def _reject(self, rule: str, message: str, url: str) -> None:
        self.events.emit("bridge.rejected", rule=rule, message=message, url=url)


class BridgeHost(QObject):
    def __init__(self, page: PortalPage, session: PortalSession, events: EventLog) -> None:
        super().__init__(page)
        self._page = page
        self._session = session
        self._events = events
        self._policy = OriginPolicy("")
        self._token = ""
        # The page's address, as QWebEnginePage.url() gives it: Qt 6 keeps that address itself
        # and changes it only together with emitting urlChanged (QWebEnginePage::setUrl and
        # the navigation's commit), so the receiver's copy, taken in the signal, is always equal
        # to it. Asking Qt for it on every message cost ~75 µs, its code cold in the CPU's caches.
        self._receiver = EnvelopeReceiver(session, events, page.url().toString())
        page.urlChanged.connect(self._on_url_changed)
        page.endpoint.receiver = self._receiver.handle
        page.loadStarted.connect(self._on_load_started)
        page.popupBlocked.connect(self._on_popup)
        page.certificateRefused.connect(self._on_certificate_refused)

    @property
    def policy(self) -> OriginPolicy:
        return self._policy

    @property
    def page_url(self) -> str:
        """The page's address as the gate sees it (kept from `urlChanged`)."""
        return self._receiver.page_url

    def configure(self, notification_host: str) -> None:
        """A new launch: a new token, so nothing built for an earlier launch is believed."""
        self._policy = OriginPolicy(notification_host)
        self._token = secrets.token_hex(16)
        self._receiver.gate = DocumentGate(self._policy, self._token)
        self._page.install_bridge(notification_host, self._token)

    # PortalChannel -----------------------------------------------------------------------------
    def deliver_callback(self, doc: str, script_property: str, argument: str) -> str | None:
        callback_id = secrets.token_hex(8)
        message = {
            "doc": doc,
            "property": script_property,
            "argument": argument,
            "callbackId": callback_id,
        }
        self._page.endpoint.deliver.emit(json.dumps(message))
        return callback_id

    # envelopes -------------------------------------------------------------------------------
    @Slot(QUrl)
    def _on_url_changed(self, url: QUrl) -> None:
        self._receiver.page_url = url.toString()

    @Slot()
    def _on_load_started(self) -> None:
        self._session.navigation_started()

    @Slot(str)
    def _on_popup(self, url: str) -> None:
        self._events.emit(
            "contract.violation",
            rule="portal.popup",
            severity="error",
            message=f"the portal tried to open a pop-up or new window ({url or 'no URL'})",
            spec=rule_link("portal.popup"),
            field=None,
            object="window",
            method="open",
            call_seq=None,
        )

    @Slot(str, str)
    def _on_certificate_refused(self, url: str, description: str) -> None:
        self._events.emit("portal.certificate-refused", url=url, message=description)
