"""Local hosting of portals: one HTTPS front (and one plain-HTTP front) routed by host name.

Chromium's host resolver rules are fixed when QtWebEngine starts, so the listening sockets are
reserved first (`ReservedSockets.reserve()`), the resolver rules point every
`*.mobileplans.test` name at them, and sites (a folder, a sample backend) are then attached
and detached by host name for the life of the process.
"""

from __future__ import annotations

import mimetypes
import socket
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from simulator.portal.tls import HOSTED_DOMAIN

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RequestObserver = Callable[[str, str, str, Mapping[str, str]], None]
INLINE_FILE_BYTES = 1 << 20  # larger files (videos, archives) stream from a worker thread

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

    async def respond(self, request: web.Request) -> web.StreamResponse:
        handler = self.routes.get((request.method, request.path))
        if handler is not None:
            return await handler(request)
        if self.root is not None and request.method in ("GET", "HEAD"):
            return _static(self.root, request.path)
        return web.Response(status=404, text=f"nothing at {request.path}\n")


def _static(root: Path, url_path: str) -> web.StreamResponse:
    relative = unquote(url_path).lstrip("/")
    base = root.resolve()
    target = (base / relative).resolve()
    if base != target and base not in target.parents:
        return web.Response(status=403, text="outside the portal folder\n")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return web.Response(status=404, text=f"{url_path} is not in the portal folder\n")
    content_type, _ = mimetypes.guess_type(target.name)
    headers = {
        "Content-Type": content_type or "application/octet-stream",
        "Cache-Control": "no-store",
    }
    try:
        size = target.stat().st_size
        if size <= INLINE_FILE_BYTES:
            # A portal's pages, scripts and styles: read at once on the loop. FileResponse would
            # hop to a worker thread several times per file (stat, open, read: no sendfile
            # through TLS), which made each one cost tens of milliseconds of a page load.
            return web.Response(body=target.read_bytes(), headers=headers)
    except OSError:
        return web.Response(status=404, text=f"{url_path} is not in the portal folder\n")
    return web.FileResponse(target, headers=headers)


class PortalFront:
    """Serves every attached site on the reserved sockets. Runs on the background loop."""

    def __init__(self, sockets: ReservedSockets, tls_context: ssl.SSLContext) -> None:
        self._sockets = sockets
        self._tls_context = tls_context
        self._sites: dict[str, Site] = {}
        self._observers: list[RequestObserver] = []
        self._runner: web.AppRunner | None = None

    def attach(self, host: str, site: Site) -> None:
        self._sites[host.lower()] = site

    def detach(self, host: str) -> None:
        self._sites.pop(host.lower(), None)

    def observe(self, observer: RequestObserver) -> None:
        """`observer(scheme, host, path_qs, headers)` is called for each request (any thread)."""
        self._observers.append(observer)

    async def start(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, self._sockets.tls, ssl_context=self._tls_context).start()
        await web.SockSite(self._runner, self._sockets.plain).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").split(":")[0].lower()
        for observer in self._observers:
            observer(request.scheme, host, request.path_qs, dict(request.headers))
        site = self._sites.get(host)
        if site is None:
            return web.Response(status=421, text=f"no portal is attached at {host}\n")
        return await site.respond(request)
