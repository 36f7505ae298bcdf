"""Local profile management over ES10c and notification handling over ES10b (SGP.22 §5.7.9-§5.7.21).

Each call opens the ISD-R channel, runs one function and closes it. Failures raise
:class:`~esim.lpa.errors.LpaError` with the Mobile Plans value of
:mod:`esim.lpa.activation_errors` (e.g. ``profileNotPresent`` for iccidOrAidNotFound,
``cardBusy`` for catBusy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from esim.identifiers import IdentifierError
from esim.lpa.activation_errors import local_error, to_lpa_error
from esim.lpa.apdu_channel import DEFAULT_BLOCK_SIZE, ISD_R_AID, ApduChannel, CardTransport
from esim.lpa.errors import CardError, Es10Error, LpaError
from esim.lpa.es9_client import Es9Client
from esim.lpa.es10 import Es10, NotificationInfo, ProfileInfo
from esim.lpa.notifications import NotificationOutcome, deliver_pending

MAX_NICKNAME_CHARACTERS = 64
"""SetNicknameRequest.profileNickname is UTF8String (SIZE(0..64)) (SGP.22 §5.7.21)."""

T = TypeVar("T")


class ProfileManager:
    """List, enable, disable, delete and rename profiles; list and send notifications."""

    def __init__(
        self,
        card: CardTransport,
        *,
        block_size: int = DEFAULT_BLOCK_SIZE,
        isd_r_aid: bytes = ISD_R_AID,
    ) -> None:
        self._card = card
        self._block_size = block_size
        self._aid = isd_r_aid

    def _with_es10(self, step: str, action: Callable[[Es10], T]) -> T:
        try:
            with ApduChannel(self._card, aid=self._aid, block_size=self._block_size) as channel:
                return action(Es10(channel))
        except (CardError, Es10Error) as error:
            raise to_lpa_error(error, step) from None
        except IdentifierError as error:
            raise LpaError(
                "invalidIccid",
                step,
                f"{step}: {error}",
                rule=getattr(error, "rule", "iccid"),
                spec="ITU-T E.118",
            ) from None

    def eid(self) -> str:
        return self._with_es10("ES10c.GetEID", lambda es10: es10.get_eid())

    def euicc_info2(self) -> dict[str, Any]:
        return self._with_es10("ES10b.GetEUICCInfo2", lambda es10: es10.get_euicc_info2())

    def configured_addresses(self) -> tuple[str | None, str]:
        return self._with_es10(
            "ES10a.GetEuiccConfiguredAddresses", lambda es10: es10.configured_addresses()
        )

    def list_profiles(self) -> list[ProfileInfo]:
        return self._with_es10("ES10c.GetProfilesInfo", lambda es10: es10.get_profiles_info())

    def enable(self, iccid_or_aid: str, *, refresh: bool = True) -> None:
        self._with_es10(
            "ES10c.EnableProfile", lambda es10: es10.enable_profile(iccid_or_aid, refresh)
        )

    def disable(self, iccid_or_aid: str, *, refresh: bool = True) -> None:
        self._with_es10(
            "ES10c.DisableProfile", lambda es10: es10.disable_profile(iccid_or_aid, refresh)
        )

    def delete(self, iccid_or_aid: str) -> None:
        self._with_es10("ES10c.DeleteProfile", lambda es10: es10.delete_profile(iccid_or_aid))

    def set_nickname(self, iccid: str, nickname: str) -> None:
        if len(nickname) > MAX_NICKNAME_CHARACTERS:
            raise local_error(
                "lpa.nickname-too-long",
                "ES10c.SetNickname",
                f"the nickname has {len(nickname)} characters; SetNickname takes at most "
                f"{MAX_NICKNAME_CHARACTERS}",
            )
        self._with_es10("ES10c.SetNickname", lambda es10: es10.set_nickname(iccid, nickname))

    def list_notifications(self) -> list[NotificationInfo]:
        return self._with_es10("ES10b.ListNotification", lambda es10: es10.list_notifications())

    async def send_notifications(
        self, client: Es9Client, seq_numbers: Iterable[int] | None = None
    ) -> list[NotificationOutcome]:
        """Deliver pending notifications (all, or ``seq_numbers``); see :mod:`.notifications`."""
        step = "ES10b.ListNotification"
        try:
            with ApduChannel(self._card, aid=self._aid, block_size=self._block_size) as channel:
                return await deliver_pending(Es10(channel), client, seq_numbers)
        except (CardError, Es10Error) as error:
            raise to_lpa_error(error, step) from None
