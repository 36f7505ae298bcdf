"""`mobileplans-sim demo FLOW`: drive the bundled sample portal through one flow. Pure data.

Each demo is a script run in the portal page once it has loaded (as a user or a portal would
call the surface), the order the stub SM-DP+ should hold, how far to step the virtual clock,
and the event that ends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MD = (
    "(function () { const md = MobilePlans.createPurchaseMetaData();"
    " md.userAccount = MobilePlansUserAccount.new; md.purchaseInstrument ="
    " MobilePlansPurchaseInstrument.new; md.lineType = MobilePlansLineType.new;"
    " md.modirectStatus = MobilePlansMoDirectStatus.complete; md.planName = 'Contoso 5 GB';"
    " return md; })()"
)
CALLBACKS = (
    "window.demoReceived = [];"
    "window.demoActivation = (a) => window.demoReceived.push(a);"
    "window.demoRegistration = (a) => window.demoReceived.push(a);"
    "MobilePlansInlineOperations.profileActivationCompleteScript = 'demoActivation';"
    "MobilePlansInlineOperations.registrationChangedScript = 'demoRegistration';"
)


@dataclass(frozen=True)
class Demo:
    name: str
    summary: str
    script: str  # {ac} is the activation code of a fresh order
    until: str  # KIND[:FIELD=VALUE,...]
    order: dict[str, object] = field(default_factory=dict)
    advance_minutes: tuple[float, ...] = ()  # stepped after the script, one per matching event
    toast_action: str | None = None

    @property
    def portal_calls(self) -> list[str]:
        """The app methods the script calls, in order ("MobilePlans.notifyCancelledPurchase")."""
        return _NOTIFY_CALL.findall(self.script)


_NOTIFY_CALL = re.compile(r"\b((?:MobilePlansInlineOperations|MobilePlans|DataMart)\.notify\w+)\(")


DEMOS: dict[str, Demo] = {
    demo.name: demo
    for demo in (
        Demo(
            "inline-download",
            "notifyProfileDownload(md, ac): popup, activation callback, searching → home",
            CALLBACKS + f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{{ac}}');",
            "flow.state:flow=inline-download,state=connected",
            advance_minutes=(1,),
        ),
        Demo(
            "delayed-download",
            "notifyProfileDownload(md, ac, 30): installed later, a toast after 30 minutes",
            CALLBACKS + f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{{ac}}', 30);",
            "flow.state:flow=delayed-download,state=connected",
            advance_minutes=(30, 1),
            toast_action="Download",
        ),
        Demo(
            "delayed-download-cancel",
            "notifyProfileDownload(md, ac, 30) then notifyOperationCancel before the toast",
            CALLBACKS + "const op = MobilePlansInlineOperations.notifyProfileDownload("
            f"{MD}, '{{ac}}', 30); MobilePlansInlineOperations.notifyOperationCancel(op);",
            "flow.state:flow=delayed-download,state=cancelled",
        ),
        Demo(
            "async-connectivity",
            "notifyPurchaseWithProfileDownload(md, ac, 60): registration error, 60 min, connected",
            f"MobilePlans.notifyPurchaseWithProfileDownload({MD}, '{{ac}}', 60);",
            "flow.state:flow=async-connectivity,state=connected",
            advance_minutes=(60, 1),
        ),
        Demo(
            "legacy-handoff",
            "DataMart.notifyPurchaseResult with an activation code: install, connect",
            "DataMart.notifyPurchaseResult(JSON.stringify({ver: '1', success: true,"
            " transactionId: new URLSearchParams(location.search).get('transactionId'),"
            " activationCode: '{ac}', iccid: '', purchaseResult: JSON.stringify({userAccount:"
            " 'New', purchaseInstrument: 'New', line: 'New', moDirectStatus: 'Complete',"
            " planName: 'Contoso Unlimited'})}));",
            "flow.state:flow=legacy-handoff,state=connected",
            advance_minutes=(1,),
        ),
        Demo(
            "balance",
            "inline notifyBalanceAddition(md): the balance screen",
            f"MobilePlansInlineOperations.notifyBalanceAddition({MD});",
            "ui.screen:screen=balance",
        ),
        Demo(
            "cancel",
            "notifyCancelledPurchase(md): back to the provider page, no leave dialog",
            "MobilePlans.notifyCancelledPurchase({userAccount: 'New', purchaseInstrument: 'New',"
            " moDirectStatus: MobilePlansMoDirectStatus.cancelled, line: 'Bailed', planName: ''});",
            "ui.screen:screen=provider",
        ),
        Demo(
            "error-not-released",
            "an order the operator has not released: profileNotReleasedByOperator, error screen",
            CALLBACKS + f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{{ac}}');",
            "ui.screen:screen=error",
            order={"not_released": True},
        ),
        Demo(
            "error-unknown-order",
            "a matching ID the SM-DP+ does not know: invalidMatchingId",
            CALLBACKS + "MobilePlansInlineOperations.notifyProfileDownload("
            f"{MD}, '1$smdp.mobileplans.test$NO-SUCH-ORDER');",
            "ui.screen:screen=error",
        ),
        Demo(
            "error-server-failure",
            "the SM-DP+ fails getBoundProfilePackage: serverFailure",
            CALLBACKS + f"MobilePlansInlineOperations.notifyProfileDownload({MD}, '{{ac}}');",
            "ui.screen:screen=error",
            order={"fail_at": "getBoundProfilePackage"},
        ),
    )
}
