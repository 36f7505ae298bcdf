"""Which documents may see and call the bridge (Mobile Plans web portal doc). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class OriginPolicy:
    """https, exactly the configured notification host, no port; the path is ignored."""

    host: str

    def allows(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        return (
            parts.scheme == "https"
            and (parts.hostname or "").lower() == self.host.lower()
            and port is None
        )

    def refusal(self, url: str) -> str:
        """Why `url` may not use the bridge, in words (empty when it may)."""
        if self.allows(url):
            return ""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return f"{url[:200]!r} is not a valid URL"
        if parts.scheme != "https":
            return f"scheme {parts.scheme!r} is not https (Mobile Plans web portal doc)"
        if port is not None:
            return (
                f"port {port} given; port numbers are not supported (Mobile Plans web portal doc)"
            )
        return (
            f"host {parts.hostname!r} is not the configured notification host {self.host!r} "
            "(Mobile Plans web portal doc)"
        )
