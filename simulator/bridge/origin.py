"""Which documents may see and call the bridge (Mobile Plans web portal doc). Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Every bridge message asks about the same one or two addresses (the page's and the
# document's); the answers for a few recent ones are kept. Longer addresses are not.
_ANSWERS_KEPT = 16
_ADDRESS_KEPT_CHARS = 2048


@dataclass(frozen=True)
class OriginPolicy:
    """https, exactly the configured notification host, no port; the path is ignored."""

    host: str
    _answers: dict[str, bool] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def allows(self, url: str) -> bool:
        answer = self._answers.get(url)
        if answer is None:
            answer = self._allows(url)
            if len(url) <= _ADDRESS_KEPT_CHARS:
                if len(self._answers) >= _ANSWERS_KEPT:
                    self._answers.clear()
                self._answers[url] = answer
        return answer

    def _allows(self, url: str) -> bool:
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
        if self._allows(url):
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
