"""The ES2+ credential: an operator is its requester ID plus a secret it sends as a bearer token.

SGP.22 leaves ES2+ authentication to the deployment (mutually authenticated TLS in practice);
here an operator proves itself with ``Authorization: Bearer <secret>`` next to
``header.functionRequesterIdentifier``. The secrets live in ``es2-credentials.json`` in the
SM-DP+'s data directory (``{"<requester id>": "<secret>"}``, mode 0600), created with fresh
random secrets on first use and never overwritten, so every process serving or calling that
SM-DP+ (``esim smdp serve``, the app's bundled operator backend) reads the same one.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

CREDENTIALS_FILE = "es2-credentials.json"


class Es2CredentialsError(ValueError):
    """The credentials file exists but cannot be used (rule, message)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


@dataclass(frozen=True, slots=True)
class Es2Credential:
    """What an operator sends on every ES2+ request."""

    requester_id: str
    secret: str

    def headers(self) -> dict[str, str]:
        """The HTTP header carrying the secret."""
        return {"Authorization": f"Bearer {self.secret}"}


def bearer_matches(authorization: str | None, secret: str) -> bool:
    """True when ``authorization`` is ``Bearer <secret>`` (compared in constant time)."""
    if authorization is None:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode("utf-8", "replace"), secret.encode("utf-8")
    )


def _read(path: Path) -> dict[str, str]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Es2CredentialsError(
            "es2-credentials.unreadable", f"{path} cannot be read as JSON: {error}"
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) and item for key, item in value.items()
    ):
        raise Es2CredentialsError(
            "es2-credentials.shape",
            f"{path} must map each requester ID to a non-empty secret string",
        )
    return value


def _write_new(path: Path, credentials: Mapping[str, str]) -> bool:
    """Create ``path`` with ``credentials`` unless it exists (atomic); True if created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".es2-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(dict(credentials), file, indent=2)
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)  # fails if another process created it first
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def load_or_create(directory: Path, requester_ids: Iterable[str]) -> dict[str, str]:
    """The secrets of ``directory``'s credentials file, created with one per requester ID."""
    path = directory / CREDENTIALS_FILE
    wanted = sorted(set(requester_ids))
    if not path.exists():
        _write_new(path, {requester: secrets.token_urlsafe(32) for requester in wanted})
    credentials = _read(path)
    missing = [requester for requester in wanted if requester not in credentials]
    if missing:
        raise Es2CredentialsError(
            "es2-credentials.missing-requester",
            f"{path} has no secret for {', '.join(missing)}; add one or remove the file",
        )
    return credentials
