"""Local hosting of portals: one HTTPS front (and one plain-HTTP front) routed by host name.

Chromium's host resolver rules are fixed when QtWebEngine starts, so the listening sockets are
reserved first (`ReservedSockets.reserve()`), the resolver rules point every
`*.mobileplans.test` name at them, and sites (a folder, a sample backend) are then attached
and detached by host name for the life of the process.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from simulator.portal.http_messages import Answer, FileResponse, Handler, Request, Response
from simulator.portal.http_server import HttpServer
from simulator.portal.tls import HOSTED_DOMAIN

__all__ = ["INSECURE_HOST", "Handler", "PortalFront", "ReservedSockets", "Site"]

RequestObserver = Callable[[str, str, str, Mapping[str, str]], None]
INLINE_FILE_BYTES = 1 << 20  # larger files (videos, archives) stream from a worker thread

# The types of the files a portal is made of, as the WHATWG and IANA name them. Python's
# `mimetypes` reads the system's type files on its first question, about 2 ms that would fall
# on the first answer of every start-up, and its answers differ from one system to another
# (`.js` was `application/javascript` in older tables): it is asked only for anything else.
WEB_CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
}

# A test and the `check` command use this host to show what the app does with plain http.
INSECURE_HOST = f"insecure.{HOSTED_DOMAIN}"


@dataclass
class ReservedSockets:
    """Listening sockets on 127.0.0.1, bound before Chromium starts so their ports are known."""

    tls: socket.socket
    plain: socket.socket

    @classmethod
    def reserve(cls) -> ReservedSockets:
        return cls(_listen(), _listen())

    @property
    def tls_port(self) -> int:
        return int(self.tls.getsockname()[1])

    @property
    def plain_port(self) -> int:
        return int(self.plain.getsockname()[1])

    def host_resolver_rules(self) -> str:
        """Chromium `--host-resolver-rules`: the insecure host first, since the first match wins."""
        return (
            f"MAP {INSECURE_HOST} 127.0.0.1:{self.plain_port},"
            f"MAP *.{HOSTED_DOMAIN} 127.0.0.1:{self.tls_port},"
            f"MAP {HOSTED_DOMAIN} 127.0.0.1:{self.tls_port}"
        )


def _listen() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@dataclass
class Site:
    """What one host name serves: a folder of static files, and optional dynamic routes."""

    root: Path | None = None
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)

    async def respond(self, request: Request) -> Answer:
        handler = self.routes.get((request.method, unquote(request.path)))
        if handler is not None:
            return await handler(request)
        if self.root is not None and request.method in ("GET", "HEAD"):
            return _static(self.root, request.path)
        return Response.text(404, f"nothing at {unquote(request.path)}\n")


def _static(root: Path, url_path: str) -> Answer:
    """The file at `url_path` (percent-encoded) under `root`: a folder's index.html, never
    anything outside `root`."""
    url_path = unquote(url_path)
    relative = url_path.lstrip("/")
    if "\x00" in relative:
        return Response.text(404, f"{url_path!r} is not in the portal folder\n")
    base = root.resolve()
    target = (base / relative).resolve()
    if base != target and base not in target.parents:
        return Response.text(403, "outside the portal folder\n")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return Response.text(404, f"{url_path} is not in the portal folder\n")
    headers = {
        "Content-Type": content_type(target.name),
        "Cache-Control": "no-store",
    }
    try:
        size = target.stat().st_size
        if size <= INLINE_FILE_BYTES:
            # A portal's pages, scripts and styles: read at once on the loop. Streaming hops to
            # a worker thread for each step (open, read: no sendfile through TLS), which would
            # make each one cost tens of milliseconds of a page load.
            return Response(200, target.read_bytes(), headers)
    except OSError:
        return Response.text(404, f"{url_path} is not in the portal folder\n")
    return FileResponse(target, headers)


def content_type(file_name: str) -> str:
    """The Content-Type a portal's file is served with."""
    suffix = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    if (known := WEB_CONTENT_TYPES.get(suffix)) is not None:
        return known
    import mimetypes  # the system's table, read once, for what a portal rarely holds

    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or "application/octet-stream"


class PortalFront:
    """Serves every attached site on the reserved sockets. Runs on the background loop."""

    def __init__(self, sockets: ReservedSockets, tls_context: ssl.SSLContext) -> None:
        self._sockets = sockets
        self._tls_context = tls_context
        self._sites: dict[str, Site] = {}
        self._observers: list[RequestObserver] = []
        self._server: HttpServer | None = None

    def attach(self, host: str, site: Site) -> None:
        self._sites[host.lower()] = site

    def detach(self, host: str) -> None:
        self._sites.pop(host.lower(), None)

    def observe(self, observer: RequestObserver) -> None:
        """`observer(scheme, host, path_qs, headers)` is called for each request (any thread)."""
        self._observers.append(observer)

    async def start(self) -> None:
        self._server = HttpServer(self._dispatch)
        await self._server.listen(self._sockets.tls, self._tls_context)
        await self._server.listen(self._sockets.plain, None)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.close()
            self._server = None

    async def _dispatch(self, request: Request) -> Answer:
        host = request.host
        for observer in self._observers:
            observer(request.scheme, host, request.path_qs, dict(request.headers))
        site = self._sites.get(host)
        if site is None:
            return Response.text(421, f"no portal is attached at {host}\n")
        return await site.respond(request)
