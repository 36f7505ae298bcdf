"""The profile download of SGP.22 §3.1.3, step by step as SGP.22 §3.1.3 describes it.

``Lpa.download`` runs GetEUICCInfo1 and GetEUICCChallenge, ES9+.InitiateAuthentication,
ES10b.AuthenticateServer, ES9+.AuthenticateClient, ES10b.PrepareDownload (with hashCc when
the SM-DP+ asks for a Confirmation Code), ES9+.GetBoundProfilePackage and
ES10b.LoadBoundProfilePackage in lpac's chunks (stopping at an early BF37), then delivers the
install notification and removes it from the card. On a failure after the session started it
cancels the session on the eUICC and, unless the SM-DP+ itself refused, on the SM-DP+ (§3.8).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from esim.activation_code import ActivationCode, ActivationCodeError
from esim.asn1 import device_der
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1Error
from esim.lpa import bpp_split
from esim.lpa.activation_errors import local_error, to_lpa_error
from esim.lpa.apdu_channel import ApduChannel
from esim.lpa.errors import (
    CancelOutcome,
    CardError,
    Es9Error,
    Es9TransportError,
    Es10Error,
    LpaError,
)
from esim.lpa.es9_client import Es9Client
from esim.lpa.es10 import (
    Es10,
    NotificationInfo,
    iccid_text,
    notification_info,
)
from esim.lpa.es10_codes import BPP_ERROR_REASON_NAMES
from esim.lpa.notifications import NotificationOutcome, deliver

Progress = Callable[[str, int, int], None]
"""``(stage, bytes_done, bytes_total)``; stages are the SGP.22 function names below."""
Consent = Callable[["ProfileMetadata"], bool]
"""Asked after AuthenticateClient with the profile's metadata; False declines (§3.5 step 5)."""

STAGES = (
    "GetEUICCInfo1", "InitiateAuthentication", "AuthenticateServer", "AuthenticateClient",
    "PrepareDownload", "GetBoundProfilePackage", "LoadBoundProfilePackage", "HandleNotification",
    "Done",
)  # fmt: skip
CANCEL_REASONS = {
    "endUserRejection": 0, "postponed": 1, "timeout": 2, "pprNotAllowed": 3,
    "metadataMismatch": 4, "loadBppExecutionError": 5, "undefinedReason": 127,
}  # fmt: skip
_PROFILE_CLASSES = {0: "test", 1: "provisioning", 2: "operational"}


@dataclass(frozen=True, slots=True)
class ProfileMetadata:
    """The StoreMetadataRequest the SM-DP+ sent with AuthenticateClient (§3.5 step 4.8)."""

    iccid: str
    service_provider_name: str
    profile_name: str
    profile_class: str

    def to_json(self) -> dict[str, Any]:
        return {
            "iccid": self.iccid,
            "serviceProviderName": self.service_provider_name,
            "profileName": self.profile_name,
            "profileClass": self.profile_class,
        }


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """A profile installed (Disabled) on the eUICC."""

    iccid: str
    aid: str
    """The ISD-P AID, upper-case hex."""
    transaction_id: str
    smdp_address: str
    metadata: ProfileMetadata
    notifications: tuple[NotificationOutcome, ...]
    """The install notification's delivery (empty when delivery was switched off)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "iccid": self.iccid,
            "isdpAid": self.aid,
            "transactionId": self.transaction_id,
            "smdpAddress": self.smdp_address,
            "metadata": self.metadata.to_json(),
            "notifications": [outcome.to_json() for outcome in self.notifications],
        }


class _InstallFailedError(Exception):
    """The card's BF37 carried an errorResult; the eUICC already ended the session."""

    def __init__(self, error: Es10Error) -> None:
        super().__init__(str(error))
        self.error = error


class DownloadSession:
    """One download; :class:`esim.lpa.Lpa` builds it. Not reusable."""

    def __init__(
        self,
        es10: Es10,
        client: Es9Client,
        code: ActivationCode,
        confirmation_code: str | None,
        *,
        device_info: Any,
        progress: Progress | None,
        consent: Consent | None,
        abort: threading.Event | None,
        send_notifications: bool,
    ) -> None:
        self._es10 = es10
        self._client = client
        self._code = code
        self._address = code.smdp_address
        self._confirmation_code = confirmation_code
        self._device_info = device_info
        self._progress = progress
        self._consent = consent
        self._abort = abort
        self._send_notifications = send_notifications
        self._step = "GetEUICCInfo1"
        self._transaction_id: bytes | None = None
        self._transaction_hex = ""

    def _enter(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self._abort is not None and self._abort.is_set():
            raise local_error("lpa.aborted", self._step, "the download was aborted")
        self._step = stage
        if self._progress is not None:
            self._progress(stage, done, total)

    async def run(self) -> DownloadResult:
        try:
            return await self._run()
        except asyncio.CancelledError:
            if self._transaction_id is not None:
                await self._cancel("postponed", server=True)
            raise
        except _InstallFailedError as failed:
            raise to_lpa_error(failed.error, "LoadBoundProfilePackage") from None
        except Exception as error:
            lpa_error = to_lpa_error(error, self._step)
            if self._transaction_id is not None:
                reason, server = _cancel_policy(error, lpa_error, self._step)
                lpa_error.cancel = await self._cancel(reason, server=server)
            # an LpaError raised as is must not become its own cause (a cause loop never ends)
            raise lpa_error from (None if lpa_error is error else error)

    async def _run(self) -> DownloadResult:
        es10, client, address = self._es10, self._client, self._address
        self._enter("GetEUICCInfo1")
        info1 = es10.get_euicc_info1()
        challenge = es10.get_euicc_challenge()

        self._enter("InitiateAuthentication")
        init = await client.initiate_authentication(address, challenge, info1)
        self._transaction_id = self._check_server_signed1(
            init.transaction_id, init.server_signed1, challenge
        )

        self._enter("AuthenticateServer")
        authenticate_response = es10.authenticate_server(
            init.server_signed1,
            init.server_signature1,
            init.euicc_ci_pkid_to_be_used,
            init.server_certificate,
            self._code.matching_id,
            self._device_info,
        )

        self._enter("AuthenticateClient")
        auth = await client.authenticate_client(
            address, self._transaction_hex, authenticate_response
        )
        self._same_transaction(auth.transaction_id, "authenticateClient")
        metadata, cc_required = self._read_offer(auth.profile_metadata, auth.smdp_signed2)
        if self._consent is not None and not self._consent(metadata):
            raise local_error(
                "lpa.user-declined", "AuthenticateClient", "the user declined the profile"
            )
        hash_cc = None
        if cc_required:
            if not self._confirmation_code:
                raise local_error(
                    "lpa.confirmation-code-missing",
                    "PrepareDownload",
                    "the SM-DP+ requires a Confirmation Code (ccRequiredFlag) and none was given",
                )
            hash_cc = m.hash_confirmation_code(self._confirmation_code, self._transaction_id)

        self._enter("PrepareDownload")
        prepare_response = es10.prepare_download(
            auth.smdp_signed2, auth.smdp_signature2, hash_cc, auth.smdp_certificate
        )

        self._enter("GetBoundProfilePackage")
        bpp = await client.get_bound_profile_package(
            address, self._transaction_hex, prepare_response
        )
        result = self._load(bpp)
        return await self._finish(result, metadata)

    # -- checks --------------------------------------------------------------------------------

    def _check_server_signed1(
        self, transaction_hex: str, server_signed1: bytes, challenge: bytes
    ) -> bytes:
        try:
            transaction_id = bytes.fromhex(transaction_hex)
            signed = device_der.decode(m.SERVER_SIGNED1, server_signed1)
        except (ValueError, Asn1Error) as error:
            raise local_error(
                "lpa.server-mismatch", "InitiateAuthentication", f"unreadable answer: {error}"
            ) from None
        self._transaction_hex = transaction_hex.upper()
        problems = []
        if signed["transactionId"] != transaction_id:
            problems.append("the signed transactionId differs from the JSON one")
        if signed["euiccChallenge"] != challenge:
            problems.append("serverSigned1 does not carry the eUICC's challenge")
        if signed["serverAddress"].lower() != self._address.lower():
            problems.append(f"serverAddress {signed['serverAddress']!r} is not {self._address!r}")
        if problems:
            raise local_error("lpa.server-mismatch", "InitiateAuthentication", "; ".join(problems))
        return transaction_id

    def _same_transaction(self, transaction_hex: str, function: str) -> None:
        if transaction_hex.upper() != self._transaction_hex:
            raise local_error(
                "lpa.server-mismatch",
                self._step,
                f"{function} answered for transaction {transaction_hex}",
            )

    def _read_offer(
        self, profile_metadata: bytes, smdp_signed2: bytes
    ) -> tuple[ProfileMetadata, bool]:
        try:
            signed2 = device_der.decode(m.SMDP_SIGNED2, smdp_signed2)
            stored = device_der.decode(m.STORE_METADATA_REQUEST, profile_metadata)
        except Asn1Error as error:
            raise local_error(
                "lpa.server-mismatch", "AuthenticateClient", f"unreadable answer: {error}"
            ) from None
        if signed2["transactionId"] != self._transaction_id:
            raise local_error(
                "lpa.server-mismatch",
                "AuthenticateClient",
                "smdpSigned2 is for another transaction",
            )
        metadata = ProfileMetadata(
            iccid=iccid_text(stored["iccid"]),
            service_provider_name=stored.get("serviceProviderName", ""),
            profile_name=stored.get("profileName", ""),
            profile_class=_PROFILE_CLASSES.get(stored.get("profileClass", 2), "operational"),
        )
        return metadata, bool(signed2["ccRequiredFlag"])

    # -- LoadBoundProfilePackage (SGP.22 §5.7.2) ---------------------------------

    def _load(self, bpp: bytes) -> bytes:
        try:
            commands = bpp_split.load_bpp_commands(bpp)
        except Asn1Error as error:
            raise local_error(
                "lpa.server-mismatch", "GetBoundProfilePackage", f"the BPP is malformed: {error}"
            ) from None
        done = 0
        self._enter("LoadBoundProfilePackage", 0, len(bpp))
        # Runs of commands go to the card in one call (a chain of STORE DATA blocks when the
        # card is in this process); progress is still reported once per command, and an abort
        # is noticed after at most one run (_LOAD_RUN_BYTES) more than command by command.
        for run in _runs(commands, _LOAD_RUN_BYTES):
            sent, answer = self._es10.load_bpp_commands(run)
            for command in run[:sent]:
                done += len(command)
                self._enter("LoadBoundProfilePackage", done, len(bpp))
            if answer:  # an early BF37 ends the load: real cards reject the rest with 6A88
                return answer
        raise local_error(
            "lpa.bpp-no-result", "LoadBoundProfilePackage", "all commands sent, no BF37 came back"
        )

    async def _finish(self, result: bytes, metadata: ProfileMetadata) -> DownloadResult:
        try:
            value = device_der.decode(m.PROFILE_INSTALLATION_RESULT, result)
        except Asn1Error as error:
            raise CardError(
                0x6F00, "LoadBoundProfilePackage", f"the BF37 is not valid: {error}"
            ) from None
        data = value["profileInstallationResultData"]
        info = notification_info(data["notificationMetadata"])
        kind, final = data["finalResult"]
        if kind == "errorResult":
            self._transaction_id = None  # the eUICC closed the session with this result
            await self._deliver(info)  # the failed PIR tells the SM-DP+ what happened
            reason = int(final["errorReason"])
            raise _InstallFailedError(
                Es10Error(
                    "LoadBoundProfilePackage",
                    reason,
                    BPP_ERROR_REASON_NAMES.get(reason, f"code{reason}"),
                    "SGP.22 §5.7.6",
                    bpp_command_id=int(final["bppCommandId"]),
                )
            )
        self._transaction_id = None
        outcomes = await self._deliver(info)
        self._enter("Done")
        return DownloadResult(
            iccid=info.iccid or metadata.iccid,
            aid=bytes(final["aid"]).hex().upper(),
            transaction_id=self._transaction_hex,
            smdp_address=self._address,
            metadata=metadata,
            notifications=outcomes,
        )

    async def _deliver(self, info: NotificationInfo) -> tuple[NotificationOutcome, ...]:
        if not self._send_notifications:
            return ()
        self._enter("HandleNotification")
        return (await deliver(self._es10, self._client, info),)

    # -- CancelSession (SGP.22 CancelSession) ------------------------------------------------------

    async def _cancel(self, reason: str, *, server: bool) -> CancelOutcome:
        transaction_id, self._transaction_id = self._transaction_id, None
        assert transaction_id is not None
        try:
            response = self._es10.cancel_session(transaction_id, CANCEL_REASONS[reason])
        except (CardError, Es10Error) as error:
            return CancelOutcome(reason, False, False, f"ES10b.CancelSession: {error}")
        if not server:
            return CancelOutcome(reason, True, False, "the SM-DP+ already ended its session")
        try:
            await self._client.cancel_session(self._address, self._transaction_hex, response)
        except (Es9Error, Es9TransportError) as error:
            return CancelOutcome(reason, True, False, f"ES9+.cancelSession: {error}")
        return CancelOutcome(reason, True, True)


def _cancel_policy(error: Exception, lpa_error: LpaError, step: str) -> tuple[str, bool]:
    """(CancelSessionReason, whether to tell the SM-DP+) for a failure (SGP.22 CancelSession).

    postponed and timeout keep the operator's order alive. After an SM-DP+ refusal the session
    is cancelled on both sides as SGP.22 and lpac do, unless the refusal says the SM-DP+ does
    not know the transaction (8.10.1).
    """
    if isinstance(error, Es9Error):
        return "endUserRejection", error.subject_code != "8.10.1"
    if isinstance(error, Es9TransportError):
        return "timeout", True
    if lpa_error.rule in ("lpa.aborted", "lpa.confirmation-code-missing"):
        return "postponed", True
    if lpa_error.rule == "lpa.consent-timeout":
        return "timeout", True
    if step == "LoadBoundProfilePackage":
        return "loadBppExecutionError", True
    return "endUserRejection", True


_LOAD_RUN_BYTES = 16 * 1024


def _runs(commands: list[bytes], size: int) -> list[list[bytes]]:
    """``commands`` in order, cut into runs of about ``size`` bytes (at least one command)."""
    runs: list[list[bytes]] = []
    current: list[bytes] = []
    length = 0
    for command in commands:
        if current and length + len(command) > size:
            runs.append(current)
            current, length = [], 0
        current.append(command)
        length += len(command)
    if current:
        runs.append(current)
    return runs


def parse_activation_code(code: str | ActivationCode) -> ActivationCode:
    """The activation code, or an LpaError(invalidActivationCode) naming the broken rule."""
    if isinstance(code, ActivationCode):
        return code
    try:
        return ActivationCode.parse(code)
    except ActivationCodeError as error:
        raise local_error(
            "lpa.invalid-activation-code", "ActivationCode", f"{error} [{error.rule}]"
        ) from None


def open_channel(channel: ApduChannel) -> None:
    """Open the ISD-R channel, turning card failures into LpaErrors."""
    try:
        channel.open()
    except CardError as error:
        raise to_lpa_error(error, "ES10 channel to the ISD-R") from None
