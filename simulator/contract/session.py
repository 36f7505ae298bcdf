"""One portal launch's contract checker: every portal call in, a command or a rejection out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from esim.identifiers.iccid import Iccid

from .accept import JS_IDENTIFIER, build_acceptors
from .codes import check_activation_code, check_iccid, check_minutes, round_up_to_15
from .commands import (
    Command,
    CreatePurchaseMetadata,
    ExternalNotify,
    NotifyBalanceAddition,
    NotifyCancelledPurchase,
    NotifyOperationCancel,
    NotifyProfileDownload,
    NotifyPurchaseDelayedProfile,
    NotifyPurchaseResult,
    NotifyPurchaseWithProfileDownload,
    SetCallbackScript,
)
from .known_metadata import KnownMetadata
from .legacy_payload import parse_legacy_payload
from .metadata import COMPLETE, PurchaseMetadata
from .model import ActivationError, LaunchContext, PortalCall
from .surface import OBJECTS, SCRIPT_PROPERTIES, MethodSpec
from .value_text import describe, describe_typed
from .values import JsFunction, JsObject, JsValue
from .violations import RULES_PAGE, Findings, Severity, Violation

__all__ = ["HANDOFF_COMMANDS", "CheckResult", "ContractSession"]

#: Commands after which control is back with the app and the portal is left (§3.1, §3.5-§3.8).
HANDOFF_COMMANDS: tuple[type, ...] = (
    NotifyPurchaseResult,
    ExternalNotify,
    NotifyCancelledPurchase,
    NotifyPurchaseWithProfileDownload,
    NotifyPurchaseDelayedProfile,
)
_new_tuple = tuple.__new__
_CURRENT_OBJECTS = frozenset({"MobilePlans", "MobilePlansInlineOperations"})
_REMOVED_METHODS = frozenset({("MobilePlans", "notifyBalanceAddition"),
                              ("MobilePlans", "notifyPurchaseDelayedProfile")})  # fmt: skip
# Looked up for every call: built once from the surface table.
_METHODS: Mapping[tuple[str, str], MethodSpec] = MappingProxyType(
    {(name, method.name): method for name, spec in OBJECTS.items() for method in spec.methods}
)
# Where the app can answer a rejected call: the objects whose callback scripts the portal sets
# (the inline objects) and the legacy payload's methods (whose answer is invalidJson);
# MobilePlans.* hand control back with no channel, so errors there are only reported (§3, §7.6).
_OBJECTS_WITH_CALLBACKS = frozenset(
    name for name, spec in OBJECTS.items() if spec.script_properties
)
_LEGACY_PAYLOAD_METHODS = frozenset({"notifyPurchaseResult", "notify"})
# A call that breaks no rule is accepted by its member's acceptor (simulator/contract/accept.py);
# any other is checked in full, which alone words the findings.
_ACCEPTORS = build_acceptors(_CURRENT_OBJECTS, _REMOVED_METHODS)
# The note every call of a legacy method carries, made once per method (a Violation never
# changes): recorded as `Findings.info` would record it.
_LEGACY_NOTES: Mapping[tuple[str, str], Violation] = MappingProxyType(
    {
        (name, method): Violation(
            "call.legacy-api",
            Severity.INFO,
            f'{name}.{method} is a legacy API ("reference only", still supported)',
            f"{RULES_PAGE}#call.legacy-api",
        )
        for (name, method) in _METHODS
        if name not in _CURRENT_OBJECTS or (name, method) in _REMOVED_METHODS
    }
)


class CheckResult(NamedTuple):
    """The verdict on one call.

    ``command`` is None when the call is rejected (then at least one violation is an
    ERROR). ``portal_error`` is the documented answer the app gives through
    ``profileActivationCompleteScript`` (invalidJson / invalidActivationCode /
    invalidIccid), None otherwise.

    A named tuple, made with ``tuple.__new__`` for every call: a frozen dataclass's generated
    ``__init__`` is one more Python function on the GUI thread's path, cache-cold.
    """

    call: PortalCall
    command: Command | None
    violations: tuple[Violation, ...]
    portal_error: ActivationError | None

    @property
    def ok(self) -> bool:
        """Whether the call became a command."""
        return self.command is not None


class ContractSession:
    """The contract state of one portal launch: callbacks set, operations issued, hand-off.

    ``iccids_on_device`` answers which profile ICCIDs the device holds now (digits,
    no padding); it is asked only for ``notifyBalanceAddition(md, iccid)``.
    """

    def __init__(
        self, launch: LaunchContext, iccids_on_device: Callable[[], frozenset[str]]
    ) -> None:
        self.launch = launch
        self._iccids_on_device = iccids_on_device
        self.handed_back = False
        self._scripts: dict[str, str | None] = dict.fromkeys(SCRIPT_PROPERTIES)
        self._scripts_set: set[str] = set()
        # Operation Id -> whether notifyOperationCancel can still cancel it (§3.4).
        self._operations: dict[str, bool] = {}
        self._known_metadata = KnownMetadata()  # purchaseMetadata checked once per content

    @property
    def script_properties(self) -> Mapping[str, str | None]:
        """Callback property -> function name last set on any inline object (None = unset)."""
        return MappingProxyType(self._scripts)

    def check(self, call: PortalCall) -> CheckResult:
        """Validate ``call``, update the session, and say what the app should do with it."""
        accept = _ACCEPTORS.get((call.object_name, call.member, call.kind))
        if accept is not None and not self.handed_back:
            try:
                command = accept(self, call)
            except Exception:  # the full checker meets it again and reports it
                command = None
            if command is not None:
                self._accept(call, command)
                return _new_tuple(CheckResult, (call, command, (), None))
        return self._check_in_full(call)

    def _check_in_full(self, call: PortalCall) -> CheckResult:
        """`check` without the acceptors: every rule examined, every finding worded."""
        findings = Findings()
        command: Command | None
        try:
            command = self._check(call, findings)
        except Exception as error:
            findings.error(
                "contract.internal-error",
                f"the contract checker failed on this call: {type(error).__name__}: "
                f"{str(error)[:200]}",
                "§4",
            )
            command = None
        if findings.rejected:
            command = None
        if (
            command is None and not findings.has_error
        ):  # pragma: no cover - a guard on this module's own promise
            findings.error("contract.internal-error", "call rejected without a reason", "§4")
        if command is not None:
            self._accept(call, command)
        portal_error = None
        if (
            findings.portal_error is not None
            and command is None
            and (
                call.object_name in _OBJECTS_WITH_CALLBACKS
                or call.member in _LEGACY_PAYLOAD_METHODS
            )
        ):
            portal_error = ActivationError(findings.portal_error)
        return _new_tuple(CheckResult, (call, command, tuple(findings.violations), portal_error))

    def _accept(self, call: PortalCall, command: Command) -> None:
        if isinstance(command, HANDOFF_COMMANDS) or (
            isinstance(command, NotifyBalanceAddition) and not command.inline
        ):
            self.handed_back = True
        elif isinstance(command, SetCallbackScript):
            self._scripts[command.property] = command.function_name
            self._scripts_set.add(command.property)
        elif isinstance(command, NotifyProfileDownload | NotifyBalanceAddition):
            if call.operation_id is not None:
                cancellable = isinstance(command, NotifyProfileDownload) and bool(
                    command.delay_minutes
                )
                self._operations[call.operation_id] = cancellable
        elif (
            isinstance(command, NotifyOperationCancel)
            and command.target_operation_id in self._operations
        ):
            self._operations[str(command.target_operation_id)] = False

    # -- dispatch ---------------------------------------------------------------------------

    def _check(self, call: PortalCall, f: Findings) -> Command | None:
        where = f"{call.object_name}.{call.member}"
        if self.handed_back:
            f.error(
                "call.after-handoff",
                f"{where} was called after the portal handed control back to the app; the "
                "portal is being left and the app ignores it",
                "§3.1, §3.5, §3.8",
            )
            return None
        spec = OBJECTS.get(call.object_name)
        if spec is None:
            f.error("call.unknown-member", f"{call.object_name} is not injected", "§1.1, §1.2")
            return None
        if call.kind == "set":
            if call.member not in spec.script_properties:
                f.error(
                    "call.unknown-member",
                    f"{where} is not a settable property of {call.object_name}",
                    "§1.1, §1.4",
                )
                return None
            return self._set_script(call, f)
        method = _METHODS.get((call.object_name, call.member))
        if method is None:
            f.error("call.unknown-member", f"{where} is not a method", "§1.1, §1.2")
            return None
        if len(call.args) not in method.arities:
            expected = " or ".join(str(a) for a in method.arities)
            f.error(
                "call.arity",
                f"{where} takes {expected} argument(s), got {len(call.args)}",
                method.spec,
            )
            return None
        legacy_note = _LEGACY_NOTES.get((call.object_name, call.member))
        if legacy_note is not None:  # a legacy object, or a method the current API removed
            f.violations.append(legacy_note)  # as f.info("call.legacy-api", ...) records it
        handler = _HANDLERS[call.member]
        return handler(self, call, f)

    # -- script properties (§1.1, §1.2, §4.7) ----------------------------------------------

    def _set_script(self, call: PortalCall, f: Findings) -> Command | None:
        name = f"{call.object_name}.{call.member}"
        value = call.args[0] if call.args else None
        section = "§1.1, §4.7"
        if isinstance(value, JsFunction):
            f.warning(
                "callbacks.function-reference",
                f"{name} is assigned {describe(value)}, a function reference (2018 style); it "
                "must be set to a string that is the name of a JavaScript function",
                "§1.2, §4.7",
                name,
            )
            return SetCallbackScript(call.object_name, call.member, value.name or None, True)
        if not isinstance(value, str):
            f.error(
                "callbacks.not-a-string",
                f"{name} is assigned {describe_typed(value)}; it must be a string "
                "naming a global JavaScript function that takes a string",
                section,
                name,
            )
            return None
        if not value:
            f.warning(
                "callbacks.empty-name",
                f"{name} is set to the empty string; the app will have nothing to call",
                section,
                name,
            )
            return SetCallbackScript(call.object_name, call.member, None, False)
        if not JS_IDENTIFIER.fullmatch(value):
            f.warning(
                "callbacks.not-an-identifier",
                f"{name} is {describe(value)}; the app calls window[name], so only a global "
                'function name such as "onActivationComplete" works',
                section,
                name,
            )
        return SetCallbackScript(call.object_name, call.member, value, False)

    # -- shared pieces ----------------------------------------------------------------------

    def _metadata(
        self, call: PortalCall, f: Findings, *, success_expected: bool | None
    ) -> PurchaseMetadata | None:
        metadata = self._known_metadata.parse(call.args[0], f)
        if metadata is None or success_expected is None:
            return metadata
        field = f"purchaseMetadata.{metadata.spellings.get('moDirectStatus', 'moDirectStatus')}"
        if success_expected and not metadata.complete:
            f.warning(
                "metadata.moDirectStatus.not-complete",
                f"{call.object_name}.{call.member} reports a fulfilled purchase but {field} is "
                f"{describe(metadata.mo_direct_status)}, not {COMPLETE!r}",
                "§1.3",
                field,
            )
        elif not success_expected and metadata.complete:
            f.warning(
                "metadata.moDirectStatus.complete-on-cancel",
                f"{call.object_name}.{call.member} cancels but {field} is 'Complete'; the "
                "sample uses MobilePlansMoDirectStatus.cancelled",
                "§3.8",
                field,
            )
        return metadata

    def _on_device(self, iccid: Iccid, f: Findings, field: str, section: str) -> bool:
        if iccid.digits in self._iccids_on_device():
            return True
        f.error(
            "iccid.not-on-device",
            f"{field} {iccid.digits} is not a profile on this device; the ICCID must be an "
            "installed profile",
            section,
            field,
        )
        return False

    def _warn_callbacks_unset(self, call: PortalCall, f: Findings) -> None:
        missing = [p for p in SCRIPT_PROPERTIES if p not in self._scripts_set]
        if missing:
            f.warning(
                "callbacks.unset-before-download",
                f"{call.object_name}.{call.member} was called before {' and '.join(missing)} "
                "was set; the callback scripts must be set before the download starts",
                "§3.2",
                missing[0],
            )

    # -- methods ----------------------------------------------------------------------------

    def _create_metadata(self, call: PortalCall, f: Findings) -> Command | None:
        return CreatePurchaseMetadata(call.object_name)

    def _purchase_with_download(self, call: PortalCall, f: Findings) -> Command | None:
        metadata = self._metadata(call, f, success_expected=True)
        code = check_activation_code(call.args[1], f, "activationCode")
        interval = check_minutes(call.args[2], f, "networkRegistrationInterval", "§1.1, §3.5")
        if metadata is None or code is None or interval is None:
            return None
        rounded = round_up_to_15(interval)
        if rounded != interval:
            f.info(
                "interval.rounded",
                f"networkRegistrationInterval {interval} is rounded up to {rounded} minutes",
                "§3.5",
                "networkRegistrationInterval",
            )
        return NotifyPurchaseWithProfileDownload(
            call.object_name, metadata, code, interval, rounded
        )

    def _cancelled_purchase(self, call: PortalCall, f: Findings) -> Command | None:
        metadata = self._metadata(call, f, success_expected=False)
        return None if metadata is None else NotifyCancelledPurchase(call.object_name, metadata)

    def _delayed_profile(self, call: PortalCall, f: Findings) -> Command | None:
        metadata = self._metadata(call, f, success_expected=True)
        delay = check_minutes(call.args[1], f, "profileDownloadDelayInterval", "§1.1, §3.7")
        if metadata is None or delay is None:
            return None
        rounded = round_up_to_15(delay)
        if rounded != delay:
            f.info(
                "interval.rounded",
                f"profileDownloadDelayInterval {delay} is rounded up to {rounded} minutes",
                "§3.7",
                "profileDownloadDelayInterval",
            )
        return NotifyPurchaseDelayedProfile(call.object_name, metadata, delay, rounded)

    def _balance_addition(self, call: PortalCall, f: Findings) -> Command | None:
        inline = call.object_name == "MobilePlansInlineOperations"
        section = "§3.6"
        metadata = self._metadata(call, f, success_expected=True)
        iccid = None
        if len(call.args) == 2:
            iccid = check_iccid(call.args[1], f, "iccid", section)
            if iccid is None or not self._on_device(iccid, f, "iccid", section):
                f.portal_error = "invalidIccid"
                return None
        if metadata is None:
            return None
        return NotifyBalanceAddition(call.object_name, metadata, iccid, inline, call.operation_id)

    def _profile_download(self, call: PortalCall, f: Findings) -> Command | None:
        legacy = call.member == "notifyInlineProfileDownload"
        self._warn_callbacks_unset(call, f)
        if self.launch.device_kind == "psim":
            f.warning(
                "device.no-esim",
                f"{call.object_name}.{call.member} asks for an eSIM profile download but the "
                "device has a physical SIM only",
                "§2.2, §3.2",
            )
        metadata = self._metadata(call, f, success_expected=True)
        delayed = len(call.args) == 3
        code = check_activation_code(call.args[1], f, "activationCode", address_only_ok=delayed)
        if code is None:
            f.portal_error = "invalidActivationCode"
        delay = None
        if delayed:
            delay = check_minutes(call.args[2], f, "downloadDelay", "§1.1, §3.3")
            if delay == 0:
                f.info(
                    "downloadDelay.zero",
                    "downloadDelay is 0: the download starts at once, like the 2-argument call",
                    "§3.3",
                    "downloadDelay",
                )
        if metadata is None or code is None or (delayed and delay is None):
            return None
        return NotifyProfileDownload(
            call.object_name, metadata, code, delay, call.operation_id, legacy
        )

    def _operation_cancel(self, call: PortalCall, f: Findings) -> Command | None:
        context: JsValue = call.args[0]
        section = "§3.4"
        if not isinstance(context, JsObject):
            f.error(
                "operationContext.not-an-object",
                f"operationContext is {describe_typed(context)}; pass the object "
                "notifyProfileDownload returned",
                f"§1.1, {section}",
                "operationContext",
            )
            return None
        target = context.get("Id")
        if not isinstance(target, str):
            hint = " (note the capital I: Id, not id)" if context.has("id") else ""
            f.info(
                "operationContext.missing-id",
                f"operationContext {describe(context)} has no string Id{hint}; the cancel is a "
                "no-op",
                section,
                "operationContext.Id",
            )
            return NotifyOperationCancel(None, call.operation_id)
        if target not in self._operations:
            f.info(
                "operationContext.unknown-id",
                f"operationContext.Id {describe(target)} was not issued by this portal session; "
                "the cancel is a no-op",
                section,
                "operationContext.Id",
            )
        elif not self._operations[target]:
            f.info(
                "operationContext.not-cancellable",
                f"operation {describe(target)} is not a pending delayed download (only those can "
                "be cancelled); the cancel is a no-op",
                section,
                "operationContext.Id",
            )
        return NotifyOperationCancel(target, call.operation_id)

    def _purchase_result(self, call: PortalCall, f: Findings) -> Command | None:
        external = call.object_name == "external"
        payload = parse_legacy_payload(call.args[0], f, self.launch, external=external)
        if payload is None:
            return None
        return ExternalNotify(payload) if external else NotifyPurchaseResult(payload)


_Handler = Callable[[ContractSession, PortalCall, Findings], "Command | None"]
_HANDLERS: Mapping[str, _Handler] = MappingProxyType(
    {
        "createPurchaseMetaData": ContractSession._create_metadata,
        "notifyPurchaseWithProfileDownload": ContractSession._purchase_with_download,
        "notifyCancelledPurchase": ContractSession._cancelled_purchase,
        "notifyBalanceAddition": ContractSession._balance_addition,
        "notifyPurchaseDelayedProfile": ContractSession._delayed_profile,
        "notifyProfileDownload": ContractSession._profile_download,
        "notifyInlineProfileDownload": ContractSession._profile_download,
        "notifyOperationCancel": ContractSession._operation_cancel,
        "notifyPurchaseResult": ContractSession._purchase_result,
        "notify": ContractSession._purchase_result,
    }
)
