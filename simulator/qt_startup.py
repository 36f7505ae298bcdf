"""The Qt side of a run's start-up, in the order that shows the portal soonest.

`mobileplans-sim run|demo` (`simulator.runner`) makes the QApplication, then: Qt's TLS layer
parses certificates only; QtWebEngine starts while a thread imports the composition root;
automatic garbage collection, off since the command line's imports, resumes after the first
page load.
"""

from __future__ import annotations

import gc
import threading

import PySide6.QtWebEngineWidgets  # noqa: F401  (before the QApplication, as Qt requires)
from PySide6.QtCore import QTimer
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

from simulator.startup_timeline import mark

# How long automatic garbage collection stays off at start-up (`mobileplans-sim` turns it off
# before its imports) when no page load finishes first: a run that shows the catalog first, a
# portal that never answers.
STARTUP_GC_PAUSE_MS = 5000


def start_chromium_while_importing_the_app() -> QWebEngineProfile:
    """Start QtWebEngine (its first profile) while another thread imports the composition
    root and its widgets; returns that first profile, to keep for the run.

    The first profile starts Chromium: about 0.05 s, of which the GUI thread computes a third
    and waits for Chromium's zygote process the rest, holding the GIL throughout (PySide's
    constructor does not release it): the importing thread runs in the moments the GUI thread
    lets it, and finishes after. Made from a C++ slot with the GIL released, Chromium's start
    measured 10-30 ms longer (docs/performance.md, sixth round). Every later profile (each
    simulator has its own) is made in under a millisecond.
    """
    failure: list[BaseException] = []

    def import_app() -> None:
        try:
            import simulator.app  # noqa: F401

            mark("composition root imported (simulator.app)")
        except BaseException as error:  # raised again on the GUI thread, where it belongs
            failure.append(error)

    importer = threading.Thread(target=import_app, name="import-app", daemon=True)
    importer.start()
    first_profile = QWebEngineProfile()
    mark("Chromium's first profile made")
    importer.join()
    if failure:
        raise failure[0]
    return first_profile


def collect_garbage_after_the_first_load(page: QWebEnginePage) -> None:
    """Turn automatic garbage collection back on when `page` first finishes loading (either
    way), or after :data:`STARTUP_GC_PAUSE_MS` at the latest; idempotent."""

    def resume(*_: object) -> None:
        gc.enable()

    page.loadFinished.connect(resume)
    QTimer.singleShot(STARTUP_GC_PAUSE_MS, resume)


def use_certificate_only_tls() -> bool:
    """Have Qt's TLS layer parse certificates only, before anything in the process uses it.

    Chromium verifies every certificate itself (its own TLS stack); Qt's is used only to hand
    the chain of a certificate error to the page as `QSslCertificate`s, which the page compares
    byte for byte with its own leaf. Qt's OpenSSL backend would first read and parse every
    system CA certificate (about 0.1 s, on the GUI thread, in the middle of the portal's first
    load); the certificate-only backend parses just the chain. Nothing in this process uses
    Qt for TLS connections. False when the backend is missing (the default is then kept).
    """
    from PySide6.QtNetwork import QSslSocket

    return bool(QSslSocket.setActiveBackend("cert-only"))
