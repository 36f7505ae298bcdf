"""The rules about calls, callback properties, operations, the PC and the page, and the
example builders the other parts of the table share (`table_metadata` has purchase metadata,
`table_values` activation codes, ICCIDs and intervals, `table_legacy` legacy payloads)."""

from __future__ import annotations

from typing import Any

from simulator.contract.rulebook.examples import (
    AC,
    ICCID_ON_DEVICE,
    Call,
    Example,
    Function,
    Ref,
    Undefined,
)
from simulator.contract.rulebook.model import Rule

IO = "MobilePlansInlineOperations"
MD: dict[str, Any] = {
    "userAccount": "New",
    "purchaseInstrument": "New",
    "line": "New",
    "moDirectStatus": "Complete",
    "planName": "Contoso 5 GB",
}
CANCELLED: dict[str, Any] = {"moDirectStatus": "Cancelled", "planName": ""}
DROP = object()


def md(**changes: Any) -> dict[str, Any]:
    """The complete metadata of a successful purchase, with `changes` (DROP removes a field)."""
    merged = {**MD, **changes}
    return {k: v for k, v in merged.items() if v is not DROP}


CALLBACKS = (
    Call(f"{IO}.registrationChangedScript", ("onRegistrationChanged",), set=True),
    Call(f"{IO}.profileActivationCompleteScript", ("onActivationComplete",), set=True),
)


def inline(*args: Any, before: tuple[Call, ...] = CALLBACKS) -> Example:
    """`notifyProfileDownload(args…)` after the callbacks are set."""
    return Example(Call(f"{IO}.notifyProfileDownload", args), before)


def cancelled(metadata: Any) -> Example:
    return Example(Call("MobilePlans.notifyCancelledPurchase", (metadata,)))


GOOD_INLINE = inline(md(), AC)
GOOD_CANCEL = cancelled(CANCELLED)

RULES_CALLS: tuple[Rule, ...] = (
    Rule(
        "call.unknown-member",
        "error",
        "The portal calls a method (or sets a property) the app does not inject, or calls an "
        "object that does not exist: a typo, or an API of another app.",
        "§1.1, §1.2",
        GOOD_CANCEL,
        Example(Call("MobilePlans.notifyCanceledPurchase", (CANCELLED,))),
    ),
    Rule(
        "call.arity",
        "error",
        "A method is called with a number of arguments it does not take (for example "
        "notifyProfileDownload takes 2, or 3 with a download delay).",
        "§1.1",
        GOOD_INLINE,
        inline(md()),
    ),
    Rule(
        "call.legacy-api",
        "info",
        "The portal uses a legacy object or method (DataMart, MobilePlansInlineProfile, "
        "MobilePlans.notifyBalanceAddition, window.external.notify). It still works; new portals "
        "use MobilePlansInlineOperations and MobilePlans.",
        "§1.2",
        GOOD_CANCEL,
        Example(Call("DataMart.notifyCancelledPurchase", (CANCELLED,))),
    ),
    Rule(
        "call.after-handoff",
        "error",
        "A call arrives after the portal handed control back to the app (a cancelled purchase, "
        "an asynchronous-connectivity purchase or a legacy purchase result): the portal is "
        "being left, so the app ignores it.",
        "§3.1, §3.5, §3.8",
        GOOD_CANCEL,
        Example(Call("MobilePlans.notifyCancelledPurchase", (CANCELLED,)), (GOOD_CANCEL.call,)),
    ),
    Rule(
        "callbacks.not-a-string",
        "error",
        "registrationChangedScript or profileActivationCompleteScript is set to something "
        "other than a string (a number, an object, null).",
        "§1.1, §4.7",
        Example(CALLBACKS[0]),
        Example(Call(f"{IO}.registrationChangedScript", (42,), set=True)),
    ),
    Rule(
        "callbacks.function-reference",
        "warning",
        "A callback property is assigned a function instead of the name of a function. "
        "Portals written in 2018 did this and the simulator still calls it, but the documented "
        "value is the function's name.",
        "§1.2, §4.7",
        Example(CALLBACKS[1]),
        Example(
            Call(
                f"{IO}.profileActivationCompleteScript",
                (Function("onActivationComplete"),),
                set=True,
            )
        ),
    ),
    Rule(
        "callbacks.empty-name",
        "warning",
        "A callback property is set to the empty string: the app will have nothing to call.",
        "§1.1, §4.7",
        Example(CALLBACKS[0]),
        Example(Call(f"{IO}.registrationChangedScript", ("",), set=True)),
    ),
    Rule(
        "callbacks.not-an-identifier",
        "warning",
        "A callback property names something that is not a JavaScript identifier (a call "
        "expression, a dotted path, code): the app calls a global function by that name.",
        "§1.1, §4.7",
        Example(CALLBACKS[0]),
        Example(Call(f"{IO}.registrationChangedScript", ("onRegistration()",), set=True)),
    ),
    Rule(
        "callbacks.unset-before-download",
        "warning",
        "An inline download starts before the portal set both callback properties, so the "
        "portal will not hear about the activation or the registration.",
        "§3.2",
        GOOD_INLINE,
        inline(md(), AC, before=()),
    ),
    Rule(
        "callbacks.unset",
        "error",
        "When the app reports back, the callback property was never set: the portal is not "
        "told (logged by the app at the moment it would call the portal).",
        "§1.1, §4.7",
        example_text="An inline download completes and `profileActivationCompleteScript` was "
        "never assigned: the app has no function to call.",
    ),
    Rule(
        "callbacks.not-a-function",
        "error",
        "When the app reports back, the callback property names a global that is not a "
        "function (a misspelt name, a function defined inside another scope).",
        "§1.1, §4.7",
        example_text='`registrationChangedScript = "onRegistered"` but the page defines '
        "`onRegistration`: at registration time `window.onRegistered` is undefined.",
    ),
    Rule(
        "callbacks.not-invoked",
        "error",
        "When the app reports back, the page answers that it did not call the function and "
        "gives no reason: something in the page replaced or broke the bridge's callback "
        "delivery.",
        "§1.1, §4.7",
        example_text="A script of the portal overwrites the bridge's message handler; the "
        "activation result is answered as not delivered.",
    ),
)

RULES_OPERATIONS: tuple[Rule, ...] = (
    Rule(
        "operationContext.not-an-object",
        "error",
        "notifyOperationCancel is given something other than the object notifyProfileDownload "
        "returned (an Id string, a number).",
        "§1.1, §3.4",
        Example(
            Call(f"{IO}.notifyOperationCancel", (Ref("op", {"Id": "op-3"}),)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC, 15), assign="op")),
        ),
        Example(
            Call(f"{IO}.notifyOperationCancel", ("op-3",)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC, 15), assign="op")),
        ),
    ),
    Rule(
        "operationContext.missing-id",
        "info",
        "The operation context has no string Id (note the capital I), so the cancel does nothing.",
        "§3.4",
        Example(
            Call(f"{IO}.notifyOperationCancel", (Ref("op", {"Id": "op-3"}),)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC, 15), assign="op")),
        ),
        Example(
            Call(f"{IO}.notifyOperationCancel", ({"id": "op-3"},)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC, 15), assign="op")),
        ),
    ),
    Rule(
        "operationContext.unknown-id",
        "info",
        "The operation context's Id was not issued to this portal session, so the cancel does "
        "nothing.",
        "§3.4",
        Example(
            Call(f"{IO}.notifyOperationCancel", (Ref("op", {"Id": "op-3"}),)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC, 15), assign="op")),
        ),
        Example(Call(f"{IO}.notifyOperationCancel", ({"Id": "made-up"},))),
    ),
    Rule(
        "operationContext.not-cancellable",
        "info",
        "The operation is not a pending delayed download (only those can be cancelled, and "
        "only before the toast), so the cancel does nothing.",
        "§3.4",
        Example(
            Call(f"{IO}.notifyOperationCancel", (Ref("op", {"Id": "op-3"}),)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC, 15), assign="op")),
        ),
        Example(
            Call(f"{IO}.notifyOperationCancel", (Ref("op", {"Id": "op-3"}),)),
            (*CALLBACKS, Call(f"{IO}.notifyProfileDownload", (md(), AC), assign="op")),
        ),
    ),
    Rule(
        "device.no-esim",
        "warning",
        "A profile download is asked for on a PC that has a physical SIM and no eSIM (the "
        "launch had `iccid`, not `eid`).",
        "§2.2, §3.2",
        GOOD_INLINE,
        Example(GOOD_INLINE.call, GOOD_INLINE.before, device="psim"),
    ),
    Rule(
        "iccid.not-on-device",
        "error",
        "notifyBalanceAddition names an ICCID that is not a profile on this PC's eSIM, so "
        "the app cannot switch to it.",
        "§3.6",
        Example(Call(f"{IO}.notifyBalanceAddition", (md(), ICCID_ON_DEVICE))),
        Example(Call(f"{IO}.notifyBalanceAddition", (md(), "8988247000100003319"))),
    ),
    Rule(
        "portal.popup",
        "error",
        "The portal opens a pop-up or a new window (window.open, a link with "
        'target="_blank"). The app hosts one page and shows no other window.',
        "§4.12",
        example_text='`window.open("https://contoso.example/terms")` from the purchase page; '
        "show the terms inside the page instead.",
    ),
    Rule(
        "portal.https",
        "error",
        "The portal is, or ends up on, a page that is not https (checked by "
        "`mobileplans-sim check`; the app injects its objects into https pages only).",
        "§4.2",
        example_text="The portal's sign-in redirects to `http://contoso.example/login`.",
    ),
    Rule(
        "portal.plain-http",
        "error",
        "The portal fetches a resource (script, image, style, API call) over plain http "
        "(checked by `mobileplans-sim check`): every resource must use https.",
        "§4.2",
        example_text='`<img src="http://cdn.contoso.example/logo.png">` on an https page.',
    ),
    Rule(
        "contract.internal-error",
        "error",
        "The simulator's own checker failed on a call. Not the portal's fault: please report "
        "it with the call that caused it.",
        "§4",
        example_text="Never expected; the event log keeps the call that caused it.",
    ),
)

__all__ = ["MD", "RULES_CALLS", "RULES_OPERATIONS", "Undefined", "md"]
