"""The LPA façade: one object per card with download, profile management and notifications.

``Lpa.download`` is a coroutine (the ES9+ client runs on asyncio). From a worker thread
run it with :meth:`Lpa.download_blocking` (``asyncio.run`` on a private loop) and abort it by
setting the ``abort`` event from any thread; from an asyncio task, cancel the task (the session
is then cancelled with ``postponed`` before the CancelledError propagates). Card calls are
synchronous: the emulated eUICC answers in microseconds and a real reader would be driven from
this same worker thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Sequence

from cryptography import x509

from esim.activation_code import ActivationCode
from esim.lpa.apdu_channel import DEFAULT_BLOCK_SIZE, ISD_R_AID, ApduChannel, CardTransport
from esim.lpa.download import (
    Consent,
    DownloadResult,
    DownloadSession,
    Progress,
    open_channel,
    parse_activation_code,
)
from esim.lpa.es9_client import Es9Client
from esim.lpa.es10 import DeviceInfo, Es10
from esim.lpa.notifications import NotificationOutcome
from esim.lpa.profiles import ProfileManager
from esim.lpa.transport import Resolver


class Lpa:
    """A Local Profile Assistant bound to one card.

    * ``card``: anything with ``transmit(apdu: bytes) -> bytes`` (e.g. ``esim.euicc.Euicc``).
    * ``trust_anchors``: the CI certificates CERT.DPtls must chain to (e.g.
      ``[certificate_set.ci.certificate]``); the system store is never used.
    * ``resolver``: SM-DP+ host name → ``(ip, port)``; with it the system resolver is never
      asked and other hosts are unreachable. None uses ordinary DNS (real SM-DP+s).
    * ``device_info``: TAC, IMEI and capabilities sent in ctxParams1.
    * ``block_size``: STORE DATA segment size (lpac's default 120).
    * ``send_notifications``: deliver the install notification right after a download
      (OpenEUICC's default).
    * ``allow_expired_tls``: accept an expired CERT.DPtls that is otherwise valid (a test
      against the published SGP.26 set; :mod:`esim.lpa.tls_trust`).
    """

    def __init__(
        self,
        card: CardTransport,
        *,
        trust_anchors: Sequence[x509.Certificate],
        resolver: Resolver | None = None,
        device_info: DeviceInfo | None = None,
        block_size: int = DEFAULT_BLOCK_SIZE,
        isd_r_aid: bytes = ISD_R_AID,
        http_timeout: float = 30.0,
        send_notifications: bool = True,
        allow_expired_tls: bool = False,
    ) -> None:
        self._card = card
        self._trust_anchors = list(trust_anchors)
        self._resolver = None if resolver is None else dict(resolver)
        self._device_info = device_info or DeviceInfo()
        self._block_size = block_size
        self._aid = isd_r_aid
        self._timeout = http_timeout
        self._send_notifications = send_notifications
        self._allow_expired_tls = allow_expired_tls
        self.profiles = ProfileManager(card, block_size=block_size, isd_r_aid=isd_r_aid)
        """Local profile management and notification listing (:class:`ProfileManager`)."""

    def es9_client(self) -> Es9Client:
        """A fresh ES9+ client with this LPA's trust anchors and resolver (close it after use)."""
        return Es9Client(
            self._trust_anchors,
            resolver=self._resolver,
            timeout=self._timeout,
            allow_expired_tls=self._allow_expired_tls,
        )

    async def download(
        self,
        activation_code: str | ActivationCode,
        confirmation_code: str | None = None,
        *,
        progress: Progress | None = None,
        consent: Consent | None = None,
        abort: threading.Event | None = None,
    ) -> DownloadResult:
        """Download and install the profile of ``activation_code`` (SGP.22 §3.1.3).

        Raises :class:`~esim.lpa.errors.LpaError`; its ``activation_error`` is the Mobile
        Plans value to report and its ``cancel`` says how the session was cancelled.
        """
        code = parse_activation_code(activation_code)
        channel = ApduChannel(self._card, aid=self._aid, block_size=self._block_size)
        open_channel(channel)
        try:
            async with self.es9_client() as client:
                session = DownloadSession(
                    Es10(channel),
                    client,
                    code,
                    confirmation_code,
                    device_info=self._device_info,
                    progress=progress,
                    consent=consent,
                    abort=abort,
                    send_notifications=self._send_notifications,
                )
                return await session.run()
        finally:
            channel.close()

    def download_blocking(
        self,
        activation_code: str | ActivationCode,
        confirmation_code: str | None = None,
        *,
        progress: Progress | None = None,
        consent: Consent | None = None,
        abort: threading.Event | None = None,
    ) -> DownloadResult:
        """:meth:`download` on a private event loop, for worker threads (never the GUI thread)."""
        return asyncio.run(
            self.download(
                activation_code, confirmation_code, progress=progress, consent=consent, abort=abort
            )
        )

    async def send_notifications(
        self, seq_numbers: Iterable[int] | None = None
    ) -> list[NotificationOutcome]:
        """Deliver pending notifications to their SM-DP+s and remove the delivered ones."""
        async with self.es9_client() as client:
            return await self.profiles.send_notifications(client, seq_numbers)
