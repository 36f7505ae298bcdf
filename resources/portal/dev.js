// The developer page: one button per documented call (Mobile Plans callbacks doc).
"use strict";

const logBox = () => document.getElementById("log");
function log(line) {
    logBox().textContent += line + "\n";
    logBox().scrollTop = logBox().scrollHeight;
}
const value = (id) => document.getElementById(id).value;
const minutes = () => Number.parseInt(value("minutes"), 10);

window.devActivationComplete = (json) => log("profileActivationCompleteScript(" + json + ")");
window.devRegistrationChanged = (json) => log("registrationChangedScript(" + json + ")");

function md(status, plan) {
    const m = MobilePlans.createPurchaseMetaData();
    m.userAccount = MobilePlansUserAccount.new;
    m.purchaseInstrument = MobilePlansPurchaseInstrument.new;
    m.line = MobilePlansLineType.new;
    m.moDirectStatus = status;
    m.planName = plan;
    return m;
}
const ok = () => md(MobilePlansMoDirectStatus.complete, "Contoso 5 GB");
const bailed = () => Contoso.cancelMetadata(); // §3.8's documented cancel metadata
let lastOperation = null;

const CALLS = {
    "set callbacks": () => {
        MobilePlansInlineOperations.registrationChangedScript = "devRegistrationChanged";
        MobilePlansInlineOperations.profileActivationCompleteScript = "devActivationComplete";
    },
    "notifyProfileDownload": () => (lastOperation = MobilePlansInlineOperations.notifyProfileDownload(ok(), value("ac"))),
    "notifyProfileDownload (delayed)": () => (lastOperation = MobilePlansInlineOperations.notifyProfileDownload(ok(), value("ac"), minutes())),
    "notifyOperationCancel": () => MobilePlansInlineOperations.notifyOperationCancel(lastOperation),
    "inline notifyBalanceAddition": () => MobilePlansInlineOperations.notifyBalanceAddition(ok()),
    "inline notifyBalanceAddition (ICCID)": () => MobilePlansInlineOperations.notifyBalanceAddition(ok(), value("iccid")),
    "notifyPurchaseWithProfileDownload": () => MobilePlans.notifyPurchaseWithProfileDownload(ok(), value("ac"), minutes()),
    "MobilePlans.notifyBalanceAddition": () => MobilePlans.notifyBalanceAddition(ok(), value("iccid")),
    "notifyPurchaseDelayedProfile": () => MobilePlans.notifyPurchaseDelayedProfile(ok(), minutes()),
    "notifyCancelledPurchase": () => MobilePlans.notifyCancelledPurchase(bailed()),
    "legacy notifyInlineProfileDownload": () => {
        MobilePlansInlineProfileDownload.registrationChangedScript = "devRegistrationChanged";
        MobilePlansInlineProfileDownload.profileActivationCompleteScript = "devActivationComplete";
        MobilePlansInlineProfile.notifyInlineProfileDownload(ok(), value("ac"));
    },
    "DataMart.notifyPurchaseResult (success)": () => DataMart.notifyPurchaseResult(JSON.stringify({
        ver: "1", success: true, transactionId: Contoso.launch.transactionId,
        activationCode: value("ac"), iccid: "",
        purchaseResult: JSON.stringify({ userAccount: "New", purchaseInstrument: "New", line: "New", moDirectStatus: "Complete", planName: "Contoso 5 GB" }),
    })),
    "DataMart.notifyPurchaseResult (failure)": () => DataMart.notifyPurchaseResult(JSON.stringify({
        ver: "1", success: false, transactionId: "", activationCode: "", iccid: "",
        purchaseResult: "{\"userAccount\":\"Bailed\",\"purchaseInstrument\":\"None\",\"line\":\"None\",\"moDirectStatus\":\"None\",\"planName\":\"\"}",
    })),
};

function freeCall() {
    let args;
    try {
        args = Function("return (" + value("free-args") + ");")();
    } catch (error) {
        log("arguments are not a JS literal: " + error);
        return;
    }
    const target = window[value("free-object")];
    const method = target && target[value("free-method")];
    if (typeof method !== "function") {
        log(value("free-object") + "." + value("free-method") + " is not a function");
        return;
    }
    log("→ " + JSON.stringify(method.apply(target, Array.isArray(args) ? args : [args])));
}

document.addEventListener("DOMContentLoaded", () => {
    if (typeof MobilePlans === "undefined") {
        log("The Mobile Plans objects are not here: this page is not on the notification host.");
        return;
    }
    const row = document.getElementById("buttons");
    for (const [name, run] of Object.entries(CALLS)) {
        const button = document.createElement("button");
        button.textContent = name;
        button.className = "secondary";
        button.addEventListener("click", () => {
            const result = run();
            log(name + " → " + (result === undefined ? "undefined" : JSON.stringify(result)));
        });
        row.appendChild(button);
    }
    document.getElementById("free-call").addEventListener("click", freeCall);
    if (Contoso.launch.lines.length) {
        document.getElementById("iccid").value = Contoso.launch.lines[0];
    }
    CALLS["set callbacks"]();
    log("launch: " + JSON.stringify(Contoso.launch));
});
