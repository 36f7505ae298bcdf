"""The eSIM side of one simulated PC: its eUICC, the stub SM-DP+ and the LPA between them.

No Qt. Card work (downloads, enable, disable) runs on one worker thread that owns the card;
the SM-DP+ runs on the background loop; every result is handed back through `post`, which the
composition root points at the GUI thread, so flows and events only ever run there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from esim.activation_code import ActivationCode, ActivationCodeError
from esim.euicc import Euicc, EuiccConfig
from esim.euicc.config import DEFAULT_MEMORY_BYTES
from esim.euicc.profile_ops import Result
from esim.euicc.records import ProfileRecord
from esim.lpa.errors import LpaError
from esim.lpa.lpa import Lpa
from esim.pki import TestPki
from esim.smdp import (
    Order,
    OrderBehaviour,
    OrderStore,
    ProfileSpec,
    SmdpConfig,
    SmdpServer,
    StoreError,
)
from esim.smdp import generate_iccid as smdp_generate_iccid
from esim.smdp.orders import OrderState
from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.flows.ports import CardOutcome, DownloadOutcome

SMDP_ADDRESS = "smdp.mobileplans.test"
Post = Callable[[Callable[[], None]], None]
Progress = Callable[[str, int, int], None]

__all__ = [
    "SMDP_ADDRESS",
    "CardOutcome",
    "DownloadOutcome",
    "EsimWorld",
    "route_activation_code",
    "with_behaviour",
]


class EsimWorld:
    def __init__(
        self,
        data_dir: Path,
        eid: str,
        loop: BackgroundLoop,
        clock: VirtualClock,
        events: EventLog,
        post: Post,
        *,
        operator_name: str = "Contoso Mobile",
        smdp_hosts: Sequence[str] = (),
        memory_limit_bytes: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.eid = eid
        self.loop = loop
        self.clock = clock
        self.events = events
        self.post = post
        self.operator_name = operator_name
        self.smdp_address = SMDP_ADDRESS
        data_dir.mkdir(parents=True, exist_ok=True)
        self.certificates = TestPki.load_or_generate(data_dir / "pki", eid, [SMDP_ADDRESS])
        # Other SM-DP+ host names (a real operator's) whose downloads go to the stub instead.
        self.smdp_hosts = tuple(dict.fromkeys(host.lower() for host in smdp_hosts))
        self.memory_limit_bytes = memory_limit_bytes or DEFAULT_MEMORY_BYTES
        self.euicc = Euicc.open(
            data_dir / "euicc",
            EuiccConfig(
                eid=eid,
                certificates=self.certificates,
                note_listener=lambda note, fields: self._on_smdp_event(
                    "euicc.note", {"note": note, **fields}
                ),
                memory_limit_bytes=memory_limit_bytes,
            ),
        )
        self.orders = OrderStore.open(
            data_dir / "smdp.sqlite", clock=clock.now, smdp_address=SMDP_ADDRESS
        )
        self.server = SmdpServer(
            SmdpConfig(
                address=SMDP_ADDRESS,
                certificates=self.certificates,
                data_dir=data_dir / "smdp",
                clock=clock.now,
            ),
            self.orders,
        )
        self.server.add_listener(self._on_smdp_event)
        self.smdp_port = loop.run(self.server.start(host="127.0.0.1", port=0))
        self._card_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="euicc")
        self._abort = threading.Event()
        self._busy = False
        self._distrusted_ci: x509.Certificate | None = None
        # The LPA's bound on each ES9+ exchange; a device condition a test may shorten.
        self.es9_timeout_seconds = 30.0

    # -- the operator side ---------------------------------------------------------------------
    def create_order(
        self,
        *,
        iccid: str | None = None,
        plan_name: str = "Contoso 5 GB",
        eid: str | None = None,
        confirmation_code: str | None = None,
        behaviour: OrderBehaviour | None = None,
        size_bytes: int | None = None,
        profile: Path | str | None = None,
    ) -> Order:
        """A released order for a generated profile, or for the real SAIP unprotected profile
        package in `profile` (e.g. GSMA TS.48): its ICCID then comes from the ProfileHeader."""
        if profile is not None:
            if iccid is not None:
                raise ValueError("iccid and profile exclude each other: the package names it")
            spec = ProfileSpec.from_upp(
                _read_package(Path(profile)), service_provider=self.operator_name
            )
        else:
            spec = ProfileSpec(
                iccid=iccid or smdp_generate_iccid(),
                service_provider=self.operator_name,
                profile_name=plan_name,
            )
        if size_bytes is not None:
            spec = replace(spec, size_bytes=size_bytes)
        return self.orders.create_order(spec, eid, confirmation_code, behaviour)

    def set_behaviour_by_iccid(self, iccid: str, behaviour: OrderBehaviour) -> Order:
        """The behaviour of the newest order for ``iccid`` (the sample backend's next order)."""
        order = self.orders.get_by_iccid(iccid)
        if order is None:
            raise StoreError("order.unknown", f"no order has ICCID {iccid}")
        return self.orders.set_behaviour(order.matching_id, behaviour)

    def release_again(self, matching_id: str, *, reset: bool = False) -> Order:
        """Make an order downloadable again: released now, not expired, its claim and wrong
        confirmation codes forgotten; with ``reset`` its behaviour is a plain order's too."""
        order = self.orders.get(matching_id)
        if order is None:
            raise StoreError("order.unknown", f"no order has matching ID {matching_id}")
        behaviour = (
            OrderBehaviour()
            if reset
            else replace(order.behaviour, release_at=None, expires_at=None, expired=False)
        )
        self.orders.set_behaviour(matching_id, behaviour)
        if order.state == OrderState.DOWNLOADING:
            raise StoreError("order.in-use", f"the order {matching_id} is being downloaded now")
        if order.state != OrderState.RELEASED:
            released = self.orders.transition(
                order,
                frozenset(OrderState) - {OrderState.RELEASED, OrderState.DOWNLOADING},
                OrderState.RELEASED,
                "re-released",
                transaction_id=None,
                downloaded_by=None,
                euicc_certificate=None,
                cc_failures=0,
                last_error=None,
            )
            if released is None:
                raise StoreError("order.changed", f"the order {matching_id} changed meanwhile")
        changed = self.orders.get(matching_id)
        assert changed is not None
        return changed

    def _on_smdp_event(self, name: str, fields: dict[str, Any]) -> None:
        # Called on the server's loop thread: the event log lives on the GUI thread.
        def emit() -> None:
            self.events.emit(name, **fields)

        self.post(emit)

    # -- the card ------------------------------------------------------------------------------
    def profiles(self) -> list[ProfileRecord]:
        return self.euicc.profiles()

    def iccids(self) -> list[str]:
        return [p.iccid for p in self.euicc.profiles()]

    def enabled_iccid(self) -> str | None:
        return next((p.iccid for p in self.euicc.profiles() if p.state == "enabled"), None)

    def discover(self) -> str | None:
        """SM-DS discovery by EID, played by the stub SM-DP+'s order book (no ES11 server):
        the oldest released order bound to this eUICC (Mobile Plans async fulfilment doc)."""
        for order in self.orders.orders():
            if order.eid == self.eid and str(order.state) == "released":
                return order.activation_code
        return None

    def free_memory(self) -> int:
        """Free memory for profiles on the card, in bytes."""
        return self.euicc.free_memory()

    def route(self, activation_code: str) -> tuple[str, str | None]:
        """:func:`route_activation_code` with this world's --smdp-host mappings."""
        return route_activation_code(activation_code, self.smdp_hosts)

    @property
    def card_busy(self) -> bool:
        return self._busy

    def set_card_busy(self, busy: bool) -> None:
        """A running toolkit session: the card answers catBusy to enable/disable (SGP.22)."""
        self._busy = busy

    @property
    def smdp_trusted(self) -> bool:
        return self._distrusted_ci is None

    def set_smdp_trusted(self, trusted: bool) -> None:
        """Device condition: whether the PC trusts the CI the SM-DP+'s TLS certificate chains to.

        Untrusted, the LPA trusts only an unrelated CI, so ES9+ TLS fails (SGP.22 §6.1) and the
        next launch reports ServerNotTrusted."""
        self._distrusted_ci = None if trusted else _unrelated_ci()

    def download(
        self,
        activation_code: str,
        *,
        confirmation_code: str | None,
        progress: Progress,
        done: Callable[[DownloadOutcome], None],
    ) -> None:
        anchor = self._distrusted_ci or self.certificates.ci.certificate
        lpa = Lpa(
            self.euicc,
            trust_anchors=[anchor],
            resolver={SMDP_ADDRESS: ("127.0.0.1", self.smdp_port)},
            http_timeout=self.es9_timeout_seconds,
        )

        def report_progress(stage: str, done_bytes: int, total: int) -> None:
            self.post(lambda: progress(stage, done_bytes, total))

        routed, unreachable = self.route(activation_code)

        def work() -> None:
            if self._busy:
                outcome = DownloadOutcome(
                    activation_code,
                    None,
                    "cardBusy",
                    "the eUICC is busy (a toolkit session)",
                    attempted_iccid=self.ordered_iccid(activation_code),
                )
            else:
                try:
                    result = lpa.download_blocking(
                        routed, confirmation_code, progress=report_progress
                    )
                    outcome = DownloadOutcome(activation_code, result.iccid, "success", "")
                except LpaError as error:
                    message = error.message
                    if unreachable is not None and error.activation_error == "serverNotReachable":
                        # Say which host and how to send it to the stub, then what failed.
                        message = f"{unreachable} ({error.message})"
                    outcome = DownloadOutcome(
                        activation_code,
                        None,
                        error.activation_error,
                        message,
                        error.step,
                        error.rule,
                        self.ordered_iccid(activation_code),
                    )
                except Exception as error:
                    outcome = DownloadOutcome(
                        activation_code, None, "unknownError", f"{type(error).__name__}: {error}"
                    )
            self.post(lambda: self._downloaded(outcome, done))

        self._card_thread.submit(work)

    def ordered_iccid(self, activation_code: str) -> str | None:
        """The ICCID the user tried to install, known from the order behind the activation code
        (X-MP-LPAError-ICCIDs); None for another SM-DP+'s code or an unknown matching ID."""
        try:
            code = ActivationCode.parse(activation_code)
        except ActivationCodeError:
            return None
        if code.smdp_address.lower() != SMDP_ADDRESS:
            return None
        order = self.orders.get(code.matching_id)
        return order.iccid if order is not None else None

    def _downloaded(
        self, outcome: DownloadOutcome, done: Callable[[DownloadOutcome], None]
    ) -> None:
        if outcome.ok and outcome.iccid:
            self.events.emit("euicc.profile", iccid=outcome.iccid, state="disabled")
        done(outcome)

    def enable(self, iccid: str, done: Callable[[CardOutcome], None]) -> None:
        def work() -> None:
            if self._busy:
                outcome = CardOutcome(False, "cardBusy")
            else:
                result = self.euicc.enable(iccid)
                outcome = CardOutcome(result == Result.OK, result.name)
            self.post(lambda: self._card_changed(iccid, outcome, done))

        self._card_thread.submit(work)

    def disable(self, iccid: str, done: Callable[[CardOutcome], None]) -> None:
        def work() -> None:
            result = self.euicc.disable(iccid)
            outcome = CardOutcome(result == Result.OK, result.name)
            self.post(lambda: self._card_changed(iccid, outcome, done))

        self._card_thread.submit(work)

    def delete(self, iccid: str, done: Callable[[CardOutcome], None]) -> None:
        def work() -> None:
            result = self.euicc.delete(iccid)
            outcome = CardOutcome(result == Result.OK, result.name)
            self.post(lambda: self._card_changed(iccid, outcome, done, deleted=True))

        self._card_thread.submit(work)

    def _card_changed(
        self,
        iccid: str,
        outcome: CardOutcome,
        done: Callable[[CardOutcome], None],
        *,
        deleted: bool = False,
    ) -> None:
        if outcome.ok:
            for profile in self.euicc.profiles():
                self.events.emit("euicc.profile", iccid=profile.iccid, state=profile.state)
            if deleted:
                self.events.emit("euicc.profile", iccid=iccid, state="deleted")
        done(outcome)

    def close(self) -> None:
        self._card_thread.shutdown(wait=True, cancel_futures=True)
        self.loop.run(self.server.stop())
        self.orders.close()
        self.euicc.close()


def _unrelated_ci() -> x509.Certificate:
    """A self-signed CI certificate no SM-DP+ of ours chains to."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unrelated test CI")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def with_behaviour(order: Order, **changes: Any) -> OrderBehaviour:
    """The order's behaviour with some fields changed (the Operator panel's edits)."""
    return replace(order.behaviour, **changes)


def route_activation_code(
    activation_code: str, mapped_hosts: Sequence[str]
) -> tuple[str, str | None]:
    """The activation code to download with, and what to say if its host cannot be reached.

    A code for a host mapped with --smdp-host is sent to the stub SM-DP+. Any other foreign
    host is still tried (an SM-DP+ of the user's own running on this PC's test PKI can
    answer), and the sentence returned, naming the host and the option, explains the
    serverNotReachable a real operator's SM-DP+ gives.
    """
    try:
        code = ActivationCode.parse(activation_code)
    except ActivationCodeError:
        return activation_code, None  # the LPA reports the malformed code itself
    host = (code.smdp_address.rpartition(":")[0] or code.smdp_address).lower()
    if host == SMDP_ADDRESS:
        return activation_code, None
    if host in mapped_hosts:
        return replace(code, smdp_address=SMDP_ADDRESS).format(), None
    return activation_code, (
        f"the SM-DP+ {code.smdp_address} named by the activation code was not reachable: "
        f"start the simulator with --smdp-host {host} to send that host's downloads to its "
        f"own SM-DP+ ({SMDP_ADDRESS})"
    )


def _read_package(path: Path) -> bytes:
    """A profile package's bytes, read no further than the largest package accepted."""
    from esim.smdp.profile_package import MAX_UPP_BYTES

    with path.open("rb") as stream:
        return stream.read(MAX_UPP_BYTES + 1)
