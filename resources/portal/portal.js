// Contoso Mobile's sample MO Direct portal: a short, realistic purchase path.
"use strict";

const params = new URLSearchParams(location.search);
const order = { plan: "", fulfilment: "", account: "New" };
// The sample backend hands out real codes once the eSIM flows exist; until then a fixed one.
const SAMPLE_ACTIVATION_CODE = "1$smdp.mobileplans.test$CONTOSO-5GB-0001";

function show(step) {
    for (const section of document.querySelectorAll(".step")) {
        section.classList.toggle("active", section.id === "step-" + step);
    }
    const heading = document.querySelector("#step-" + step + " h1");
    if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus(); // keep focus inside the portal (mobile-plans.md §4.12)
    }
}

function metadata(status, planName) {
    const md = MobilePlans.createPurchaseMetaData();
    md.userAccount = order.account === "New" ? MobilePlansUserAccount.new : MobilePlansUserAccount.existing;
    md.purchaseInstrument = MobilePlansPurchaseInstrument.new;
    md.lineType = MobilePlansLineType.new;
    md.modirectStatus = status;
    md.planName = planName;
    return md;
}

function setStatus(text, kind) {
    const box = document.getElementById("done-status");
    box.textContent = text;
    box.className = "status" + (kind ? " " + kind : "");
}

window.contosoActivationComplete = function (json) {
    const args = JSON.parse(json);
    if (args.activationResult === MobilePlansActivationError.success) {
        setStatus("Your eSIM is installed (ICCID " + args.iccid + "). Connecting…", "ok");
    } else {
        setStatus("We couldn't install your eSIM: " + args.activationResult + ".", "bad");
    }
};

window.contosoRegistrationChanged = function (json) {
    const args = JSON.parse(json);
    const state = args.networkRegistrationState;
    const ok = state === MobilePlansNetworkRegistrationState.home ||
        state === MobilePlansNetworkRegistrationState.roaming ||
        state === MobilePlansNetworkRegistrationState.partner;
    setStatus(ok ? "You're connected. Enjoy " + order.plan + "!" : "Network: " + state + "…", ok ? "ok" : "");
};

function placeOrder() {
    show("done");
    if (order.fulfilment === "inline") {
        setStatus("Installing your eSIM…");
        MobilePlansInlineOperations.notifyProfileDownload(
            metadata(MobilePlansMoDirectStatus.complete, order.plan), SAMPLE_ACTIVATION_CODE);
    } else if (order.fulfilment === "balance") {
        setStatus("Adding 1 GB to your line…");
        MobilePlansInlineOperations.notifyBalanceAddition(
            metadata(MobilePlansMoDirectStatus.complete, order.plan));
    } else {
        const purchaseResult = {
            userAccount: order.account, purchaseInstrument: "New", line: "New",
            moDirectStatus: "Complete", planName: order.plan,
        };
        DataMart.notifyPurchaseResult(JSON.stringify({
            ver: "1", success: true, transactionId: params.get("transactionId") || "",
            purchaseResult: JSON.stringify(purchaseResult),
        }));
    }
}

function cancel() {
    const md = MobilePlans.createPurchaseMetaData();
    md.userAccount = MobilePlansUserAccount.bailed;
    md.purchaseInstrument = MobilePlansPurchaseInstrument.none;
    md.moDirectStatus = MobilePlansMoDirectStatus.cancelled;
    md.line = MobilePlansLineType.bailed;
    md.planName = "";
    MobilePlans.notifyCancelledPurchase(md);
}

document.addEventListener("DOMContentLoaded", () => {
    const info = document.getElementById("launch-info");
    const device = params.get("eid") ? "eSIM " + params.get("eid") : "SIM " + (params.get("iccid") || "?");
    info.textContent = "This PC: " + device + " · market " + (params.get("market") || "?") +
        " · transaction " + (params.get("transactionId") || "?");
    for (const button of document.querySelectorAll("[data-plan]")) {
        button.addEventListener("click", () => {
            order.plan = button.dataset.plan;
            order.fulfilment = button.dataset.fulfilment;
            show("account");
        });
    }
    document.getElementById("to-payment").addEventListener("click", () => {
        order.account = document.querySelector("input[name=account]:checked").value;
        show("payment");
    });
    document.getElementById("to-confirm").addEventListener("click", () => {
        document.getElementById("summary").textContent =
            order.plan + " for " + document.getElementById("email").value + ".";
        show("confirm");
    });
    document.getElementById("place-order").addEventListener("click", placeOrder);
    document.getElementById("cancel").addEventListener("click", cancel);
});
