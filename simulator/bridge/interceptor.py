"""Adds the launch headers to the portal's own request, as the real app does (§2.4)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor


class LaunchHeaderInterceptor(QWebEngineUrlRequestInterceptor):
    """Adds one launch's extra headers (X-MP-LPAError-*) to its first main-frame request."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending_url = ""
        self._headers: dict[str, str] = {}
        self.plain_http_requests: list[str] = []

    def arm(self, url: str, headers: dict[str, str]) -> None:
        self._pending_url = url
        self._headers = dict(headers)

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl().toString()
        if url.startswith("http:"):
            self.plain_http_requests.append(url)
        if (
            self._headers
            and info.resourceType() == QWebEngineUrlRequestInfo.ResourceType.ResourceTypeMainFrame
            and url == self._pending_url
        ):
            for name, value in self._headers.items():
                info.setHttpHeader(QByteArray(name.encode()), QByteArray(value.encode()))
            self._headers = {}
