"""The web page that hosts a portal: its channel, its script, its certificate and pop-up policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEngineCertificateError,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEngineProfile,
)

from simulator.bridge.script import (
    CHANNEL_SCRIPT_NAME,
    CHANNEL_WORLD,
    ENDPOINT_NAME,
    SCRIPT_NAME,
    bridge_scripts,
)
from simulator.portal.tls import is_hosted_name

if TYPE_CHECKING:  # `cryptography` is imported only by the `check --ca` that builds one
    from simulator.portal.trust import LocalCaTrust


def _unheard(_envelope: str) -> None:
    """The receiver until the bridge's host takes over: nothing is believed yet."""


class BridgeEndpoint(QObject):
    """The only object on the channel: one property in, one signal out (qutebrowser's practice).

    The page's channel half assigns each envelope to `envelope`: a property write is one
    message with no answer, where a slot call costs an answer message and a JS promise.
    """

    deliver = Signal(str)
    # Never emitted: QWebChannel wants a notify signal on every writable property, and pushes
    # nothing back for one that never fires.
    envelopeChanged = Signal()

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        # Called with every envelope, directly: a Qt signal here would take each call through
        # the meta-object system and back into Python (the host sets it; tests may wrap it).
        self.receiver: Callable[[str], None] = _unheard

    def call(self, envelope: str) -> None:
        """Hand `envelope` to the receiver, as the page's write to `envelope` does."""
        # The receiver parses and validates and never raises; here the text is only handed on.
        self.receiver(envelope)

    def _nothing(self) -> str:
        return ""  # what the page reads back: never an earlier envelope

    envelope = Property(str, _nothing, call, notify=envelopeChanged)


class PortalPage(QWebEnginePage):
    console = Signal(int, str, int, str)  # level, message, line, source id
    popupBlocked = Signal(str)  # the URL the portal tried to open elsewhere (§4.12)
    certificateRefused = Signal(str, str)  # url, description

    def __init__(
        self, profile: QWebEngineProfile, trusted_leaf_der: bytes, parent: QObject
    ) -> None:
        super().__init__(profile, parent)
        self._trusted_leaf_der = trusted_leaf_der
        self._local_trust: LocalCaTrust | None = None
        self.endpoint = BridgeEndpoint(self)
        self.channel = QWebChannel(self)
        # Registered before any load: later registrations never reach existing clients.
        self.channel.registerObject(ENDPOINT_NAME, self.endpoint)
        self.channel.setPropertyUpdateInterval(0)
        # Only the isolated world gets `qt.webChannelTransport`; the page's world never sees it.
        self.setWebChannel(self.channel, CHANNEL_WORLD)
        self.certificateError.connect(self._on_certificate_error)
        self.newWindowRequested.connect(self._on_new_window_requested)

    def trust_local_ca(self, trust: LocalCaTrust) -> None:
        """Also accept server chains that verify against a user's own CA (`check --ca`)."""
        self._local_trust = trust

    def install_bridge(self, host: str, token: str) -> None:
        """(Re)configure the injected script for the portal's notification host."""
        scripts = self.scripts()
        for name in (CHANNEL_SCRIPT_NAME, SCRIPT_NAME):
            for old in scripts.find(name):
                scripts.remove(old)
        for script in bridge_scripts(host, token):
            scripts.insert(script)

    @Slot(QWebEngineCertificateError)
    def _on_certificate_error(self, error: QWebEngineCertificateError) -> None:
        # Trust the simulator's own leaf, for the simulator's own host names, and nothing else.
        host = error.url().host()
        chain = error.certificateChain()
        presented = bytes(chain[0].toDer().data()) if chain else b""
        if is_hosted_name(host) and presented == self._trusted_leaf_der:
            error.acceptCertificate()
            return
        description = error.description()
        if self._local_trust is not None:
            chain_der = [bytes(c.toDer().data()) for c in chain]
            refusal = self._local_trust.refusal(host, chain_der, dt.datetime.now(dt.UTC))
            if not refusal:
                error.acceptCertificate()
                return
            description = f"{description} ({refusal})"
        self.certificateRefused.emit(error.url().toString(), description)
        error.rejectCertificate()

    def createWindow(  # type: ignore[override]  # returning None refuses the window (Qt docs)
        self, _type: QWebEnginePage.WebWindowType
    ) -> QWebEnginePage | None:
        # "No pop-ups or extra windows" (Mobile Plans web portal doc): the app opens none. Returning
        # None makes Qt emit newWindowRequested, which knows the pop-up's own target URL.
        return None

    @Slot(QWebEngineNewWindowRequest)
    def _on_new_window_requested(self, request: QWebEngineNewWindowRequest) -> None:
        # Never adopted (openIn is not called), so no window is ever created.
        self.popupBlocked.emit(request.requestedUrl().toString())

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        self.console.emit(int(level.value), message, line, source)
        # Keep Qt's own logging of console messages: a JS error is a Qt warning, which fails tests.
        super().javaScriptConsoleMessage(level, message, line, source)
