// Contoso Mobile's Mobile Plans calls after an order is placed (portal.js), one per fulfilment
// (Mobile Plans scenarios doc), and the callbacks the app makes (§1.4):
//
//   inline   MobilePlansInlineOperations.notifyProfileDownload(md, ac)            §3.2
//   delayed  MobilePlansInlineOperations.notifyProfileDownload(md, ac, minutes)   §3.3
//            + "Cancel scheduled download" → notifyOperationCancel(opContext)     §3.4
//   async    MobilePlans.notifyPurchaseWithProfileDownload(md, ac, interval)      §3.5
//   legacy   DataMart.notifyPurchaseResult(JSON.stringify({...}))                  §3.1, §1.5
//   topup    MobilePlansInlineOperations.notifyBalanceAddition(md[, iccid])       §3.6
//
// Loaded after portal.js, whose `state` and `launch` it reads.
"use strict";

// ---- the Mobile Plans calls --------------------------------------------------------------------

function metadata() {
    const md = MobilePlans.createPurchaseMetaData();
    md.userAccount = state.account.new ? MobilePlansUserAccount.new : MobilePlansUserAccount.existing;
    md.purchaseInstrument = state.instrument === "Existing" ? MobilePlansPurchaseInstrument.existing : MobilePlansPurchaseInstrument.new;
    // The table's spellings (§1.3); the inline samples' lineType/modirectStatus are accepted too.
    md.line = state.plan.fulfilment === "topup" ? MobilePlansLineType.existing : MobilePlansLineType.new;
    md.moDirectStatus = MobilePlansMoDirectStatus.complete;
    md.planName = state.plan.name;
    return md;
}

function setCallbacks() {
    MobilePlansInlineOperations.registrationChangedScript = "contosoRegistrationChanged";
    MobilePlansInlineOperations.profileActivationCompleteScript = "contosoActivationComplete";
}

function fulfil() {
    const plan = state.plan;
    const code = state.order.activationCode;
    hide("try-again", "cancel-scheduled", "view-account");
    switch (plan.fulfilment) {
        case "inline":
            setCallbacks();
            Contoso.status("Installing your eSIM…");
            state.operation = MobilePlansInlineOperations.notifyProfileDownload(metadata(), code);
            break;
        case "delayed":
            setCallbacks();
            state.operation = MobilePlansInlineOperations.notifyProfileDownload(metadata(), code, plan.minutes);
            Contoso.status("Your eSIM will be ready in " + plan.minutes + " minutes. Windows will let you know when to install it.");
            unhide("cancel-scheduled");
            break;
        case "async":
            Contoso.status("Handing over to Mobile Plans: it installs your eSIM and connects in about " + plan.minutes + " minutes.");
            MobilePlans.notifyPurchaseWithProfileDownload(metadata(), code, plan.minutes);
            break;
        case "legacy":
            Contoso.status("Handing over to Mobile Plans to set up your eSIM…");
            DataMart.notifyPurchaseResult(JSON.stringify({
                ver: "1",
                success: true,
                transactionId: launch.transactionId, // the launch's, sent back (§1.5, §2.2)
                activationCode: code,
                iccid: state.order.iccid || "",
                purchaseResult: JSON.stringify({
                    userAccount: state.account.new ? "New" : "Existing",
                    purchaseInstrument: state.instrument,
                    line: "New",
                    moDirectStatus: "Complete",
                    planName: plan.name,
                }),
            }));
            break;
        case "topup": {
            const md = metadata();
            state.operation = state.iccid
                ? MobilePlansInlineOperations.notifyBalanceAddition(md, state.iccid)
                : MobilePlansInlineOperations.notifyBalanceAddition(md);
            const balance = state.order.balanceMB;
            Contoso.status("1 GB added" + (typeof balance === "number" ? ". Your balance is now " + formatMB(balance) + "." : "."), "ok");
            unhide("view-account");
            Contoso.focus(document.getElementById("view-account"));
            break;
        }
        default:
            Contoso.status("This plan has no known fulfilment (" + plan.fulfilment + ").", "bad");
    }
}

function cancelScheduled() {
    if (state.operation) {
        MobilePlansInlineOperations.notifyOperationCancel(state.operation);
    }
    hide("cancel-scheduled");
    Contoso.status("Scheduled download cancelled. Your card won't be charged.", "ok");
    Contoso.focus(document.getElementById("done-title"));
    if (state.order && !state.order.offline) {
        Contoso.api("POST", "/api/orders/cancel", { orderId: state.order.orderId });
    }
}

function retry() {
    hide("try-again");
    setCallbacks();
    Contoso.status("Installing your eSIM…");
    // "The activation code can be reused to retry" (§4.10).
    state.operation = MobilePlansInlineOperations.notifyProfileDownload(metadata(), state.order.activationCode);
    Contoso.focus(document.getElementById("done-title"));
}

// ---- what the app calls back (§1.4) ------------------------------------------------------------

const FRIENDLY_ERRORS = {
    serverNotReachable: "Contoso's eSIM server can't be reached right now.",
    serverFailure: "Contoso's eSIM server had a problem.",
    insufficientSpaceOnCard: "There's no room for another eSIM on this PC. Delete one in Settings and try again.",
    cardBusy: "The eSIM is busy. Wait a moment and try again.",
    cardRemoved: "The eSIM isn't available.",
    invalidMatchingId: "This eSIM order isn't valid any more.",
    profileNotReleasedByOperator: "Your eSIM isn't ready yet.",
    eidMismatch: "This eSIM was ordered for another PC.",
    operationAborted: "The download was stopped.",
    invalidActivationCode: "We sent Mobile Plans an activation code it doesn't accept.",
};

function parseArgs(json) {
    try {
        const value = JSON.parse(json);
        return value && typeof value === "object" ? value : {};
    } catch (error) {
        return {};
    }
}

window.contosoActivationComplete = function (json) {
    const args = parseArgs(json);
    hide("cancel-scheduled");
    if (args.activationResult === MobilePlansActivationError.success) {
        hide("try-again"); // a retry from the app's own error screen worked
        Contoso.status("Your eSIM is installed (ICCID " + args.iccid + "). Connecting to the network…");
        return;
    }
    const why = FRIENDLY_ERRORS[args.activationResult] || "Something went wrong.";
    Contoso.status("We couldn't install your eSIM. " + why + " (" + args.activationResult + ")", "bad");
    unhide("try-again");
    Contoso.focus(document.getElementById("try-again"));
};

const REGISTRATION_TEXT = {
    home: ["Connected (home). Enjoy your plan!", "ok"],
    roaming: ["Connected (roaming).", "ok"],
    partner: ["Connected (partner network).", "ok"],
    searching: ["Looking for the Contoso network…", ""],
    none: ["Not connected yet…", ""],
    deregistered: ["Not connected yet…", ""],
    denied: ["The network refused this line. Contact Contoso support and quote " + (launch.transactionId || "your order number") + ".", "bad"],
};

window.contosoRegistrationChanged = function (json) {
    const args = parseArgs(json);
    const [text, kind] = REGISTRATION_TEXT[args.networkRegistrationState] || ["Network: " + args.networkRegistrationState, ""];
    Contoso.status(text, kind);
    if (kind === "ok") {
        unhide("view-account");
        Contoso.focus(document.getElementById("view-account"));
    }
};

// ---- helpers and wiring ------------------------------------------------------------------------

function hide(...ids) {
    for (const id of ids) {
        document.getElementById(id).hidden = true;
    }
}

function unhide(...ids) {
    for (const id of ids) {
        document.getElementById(id).hidden = false;
    }
}

function formatMB(mb) {
    return mb >= 1024 ? (mb / 1024).toFixed(mb % 1024 ? 1 : 0) + " GB" : mb + " MB";
}
