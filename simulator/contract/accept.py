"""Per-method acceptors: the contract's fast path for a call that breaks no rule at all.

Each method of the surface that a portal can call without any finding gets one function,
built once from the surface tables, that looks at the call's arguments with as few steps as
it can and either returns the command the full checker would return, or None: "not plainly
valid, ask the full checker". It never words a finding; every call with one (an error, a
warning or an info) is checked again by `ContractSession`'s full checker, which alone says
what is wrong, so the findings of an invalid call are exactly what they always were. A
property test holds both paths equal over generated calls (commands, findings, session state).

Why: every bridge call is checked on the GUI thread while the page waits, cache-cold (a call
comes every few milliseconds with Chromium's work in between), where each Python function on
the way costs microseconds. The full checker builds a findings list, a metadata parse with
its spelling and unknown-key reports, and several helpers per argument.

Methods of the legacy and removed objects (DataMart, external, the legacy inline objects) and
the removed methods of MobilePlans have none: each of their calls carries the
`call.legacy-api` info, so the full checker always answers them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from esim.activation_code import ActivationCode
from esim.identifiers.iccid import Iccid

from .codes import MAX_ACTIVATION_CODE_LENGTH, UINT32_MAX
from .commands import (
    Command,
    CreatePurchaseMetadata,
    NotifyBalanceAddition,
    NotifyCancelledPurchase,
    NotifyOperationCancel,
    NotifyProfileDownload,
    NotifyPurchaseWithProfileDownload,
    SetCallbackScript,
)
from .metadata import _ENUM_VALUES, COMPLETE, FIELD_SPELLINGS, PurchaseMetadata
from .model import PortalCall
from .surface import OBJECTS, SCRIPT_PROPERTIES
from .values import UNDEFINED, JsObject, JsValue

if TYPE_CHECKING:
    from .session import ContractSession

__all__ = ["JS_IDENTIFIER", "Acceptor", "build_acceptors"]

#: What a callback script property must name: a global function (§1.1, §4.7).
JS_IDENTIFIER: Final = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

#: (session, call) -> the command of a call that breaks no rule, or None (ask the full checker).
Acceptor = Callable[["ContractSession", PortalCall], "Command | None"]

_ALL_SCRIPTS: Final = frozenset(SCRIPT_PROPERTIES)
# The canonical spellings of the metadata fields (§1.3), in the table's order; a variant
# spelling (lineType, modirectStatus) or any other key is reported, so it is never plain.
_CANONICAL: Final = tuple(FIELD_SPELLINGS)
_CANONICAL_KEYS: Final = frozenset(_CANONICAL)
_ALL_CANONICAL: Final[Mapping[str, str]] = MappingProxyType({name: name for name in _CANONICAL})
_ALLOWED: Final = {name: frozenset(values) for name, values in _ENUM_VALUES.items()}
_USER_ACCOUNTS: Final = _ALLOWED["userAccount"]
_INSTRUMENTS: Final = _ALLOWED["purchaseInstrument"]
_LINES: Final = _ALLOWED["line"]
_STATUSES: Final = _ALLOWED["moDirectStatus"]


def _plain_metadata(value: JsValue, success_expected: bool) -> PurchaseMetadata | None:
    """The metadata of a call whose purchaseMetadata has no finding, else None.

    Plain means: an object with only canonically spelt fields, a known moDirectStatus (the one
    required field, current table), each other enum field absent or a known value; on a
    success (`success_expected`) the status is Complete and planName a non-blank string, on a
    cancel the status is not Complete and planName is "".
    """
    if type(value) is not JsObject:
        return None
    present = value.properties()
    if not present.keys() <= _CANONICAL_KEYS:
        return None
    status = present.get("moDirectStatus", UNDEFINED)
    if type(status) is not str or status not in _STATUSES:
        return None
    if (status == COMPLETE) is not success_expected:
        return None
    plan = present.get("planName", UNDEFINED)
    if type(plan) is not str:
        return None
    if success_expected:
        if not plan.strip():
            return None  # a success names its plan
    elif plan:
        return None  # a cancel's plan name is ""
    account = present.get("userAccount", UNDEFINED)
    if account is not UNDEFINED and (type(account) is not str or account not in _USER_ACCOUNTS):
        return None
    instrument = present.get("purchaseInstrument", UNDEFINED)
    if instrument is not UNDEFINED and (
        type(instrument) is not str or instrument not in _INSTRUMENTS
    ):
        return None
    line = present.get("line", UNDEFINED)
    if line is not UNDEFINED and (type(line) is not str or line not in _LINES):
        return None
    spellings = (
        _ALL_CANONICAL
        if len(present) == len(_CANONICAL)
        else MappingProxyType({name: name for name in _CANONICAL if name in present})
    )
    return PurchaseMetadata(
        None if account is UNDEFINED else account,
        None if instrument is UNDEFINED else instrument,
        None if line is UNDEFINED else line,
        status,
        plan,
        spellings,
    )


def _plain_code(value: JsValue, delayed: bool) -> ActivationCode | None:
    """The parsed activation code when it has no finding: 1$<address>$<matching ID>, nothing
    more (on a delayed download a bare address is reported, so it is not plain either)."""
    if type(value) is not str or not value or len(value) > MAX_ACTIVATION_CODE_LENGTH:
        return None
    if delayed and "$" not in value:
        return None
    try:
        code = ActivationCode.parse(value)
    except ValueError:
        return None
    if (
        code.had_lpa_prefix
        or code.confirmation_code_required
        or code.smdp_oid
        or code.ci_public_key_id
        or code.extra_fields
        or not code.matching_id
    ):
        return None
    return code


def _plain_minutes(value: JsValue) -> int | None:
    """A whole number of minutes 0 … 2³²−1 sent as a number (a numeric string is reported)."""
    if type(value) is float and 0.0 <= value <= UINT32_MAX and value.is_integer():
        return int(value)
    return None


def _set_script(object_name: str, script_property: str) -> Acceptor:
    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        args = call.args
        if args:
            name = args[0]
            if type(name) is str and match(name):
                return SetCallbackScript(object_name, script_property, name, False)
        return None

    match = JS_IDENTIFIER.fullmatch
    return accept


def _create_metadata(object_name: str, arities: tuple[int, ...]) -> Acceptor:
    command = CreatePurchaseMetadata(object_name)  # one value, as equal as a new one

    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        return command if len(call.args) in arities else None

    return accept


def _profile_download(object_name: str, arities: tuple[int, ...]) -> Acceptor:
    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        args = call.args
        count = len(args)
        if count not in arities or not session._scripts_set >= _ALL_SCRIPTS:
            return None
        if session.launch.device_kind == "psim":
            return None
        metadata = _plain_metadata(args[0], True)
        if metadata is None:
            return None
        code = _plain_code(args[1], count == 3)
        if code is None:
            return None
        delay = None
        if count == 3:
            delay = _plain_minutes(args[2])
            if not delay:  # None, or 0 (reported: the download starts at once)
                return None
        return NotifyProfileDownload(object_name, metadata, code, delay, call.operation_id, False)

    return accept


def _operation_cancel(object_name: str, arities: tuple[int, ...]) -> Acceptor:
    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        args = call.args
        if len(args) not in arities:
            return None
        context = args[0]
        if type(context) is not JsObject:
            return None
        target = context.get("Id")
        # Plain only when it cancels an operation that can still be cancelled.
        if type(target) is not str or not session._operations.get(target):
            return None
        return NotifyOperationCancel(target, call.operation_id)

    return accept


def _balance_addition(object_name: str, arities: tuple[int, ...]) -> Acceptor:
    inline = object_name == "MobilePlansInlineOperations"

    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        args = call.args
        count = len(args)
        if count not in arities:
            return None
        metadata = _plain_metadata(args[0], True)
        if metadata is None:
            return None
        iccid = None
        if count == 2:
            text = args[1]
            if type(text) is not str:
                return None
            try:
                iccid = Iccid.parse(text)
            except ValueError:
                return None
            if iccid.digits != text or text not in session._iccids_on_device():
                return None
        return NotifyBalanceAddition(object_name, metadata, iccid, inline, call.operation_id)

    return accept


def _purchase_with_download(object_name: str, arities: tuple[int, ...]) -> Acceptor:
    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        args = call.args
        if len(args) not in arities:
            return None
        metadata = _plain_metadata(args[0], True)
        if metadata is None:
            return None
        code = _plain_code(args[1], False)
        if code is None:
            return None
        interval = _plain_minutes(args[2])
        if interval is None or interval % 15:  # not a multiple of 15: reported as rounded
            return None
        return NotifyPurchaseWithProfileDownload(object_name, metadata, code, interval, interval)

    return accept


def _cancelled_purchase(object_name: str, arities: tuple[int, ...]) -> Acceptor:
    def accept(session: ContractSession, call: PortalCall) -> Command | None:
        args = call.args
        if len(args) not in arities:
            return None
        metadata = _plain_metadata(args[0], False)
        return None if metadata is None else NotifyCancelledPurchase(object_name, metadata)

    return accept


_BUILDERS: Final[Mapping[str, Callable[[str, tuple[int, ...]], Acceptor]]] = MappingProxyType(
    {
        "createPurchaseMetaData": _create_metadata,
        "notifyProfileDownload": _profile_download,
        "notifyOperationCancel": _operation_cancel,
        "notifyBalanceAddition": _balance_addition,
        "notifyPurchaseWithProfileDownload": _purchase_with_download,
        "notifyCancelledPurchase": _cancelled_purchase,
    }
)


def build_acceptors(
    current_objects: frozenset[str], removed_methods: frozenset[tuple[str, str]]
) -> Mapping[tuple[str, str, str], Acceptor]:
    """(object, member, "call" | "set") -> its acceptor, for every member whose calls can be
    free of findings: the script properties, and the methods of the current objects that are
    not removed (`current_objects`, `removed_methods`: the session's own tables)."""
    table: dict[tuple[str, str, str], Acceptor] = {}
    for spec in OBJECTS.values():
        for script_property in spec.script_properties:
            table[spec.name, script_property, "set"] = _set_script(spec.name, script_property)
        if spec.name not in current_objects:
            continue
        for method in spec.methods:
            if (spec.name, method.name) in removed_methods:
                continue
            # A KeyError here, at import: a new current method needs its acceptor.
            table[spec.name, method.name, "call"] = _BUILDERS[method.name](
                spec.name, method.arities
            )
    return MappingProxyType(table)
