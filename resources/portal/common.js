// Contoso Mobile portal: what every page shares (launch parameters, backend calls, status,
// focus, the Cancel button). Plain ES2020, no external resources (Mobile Plans web portal doc).
"use strict";

const Contoso = (() => {
    const params = new URLSearchParams(location.search);

    // §2.2: the launch's parameters. Unknown ones are ignored (§4.9); the app strips the
    // trailing F of ICCIDs, so do we in case another launcher does not.
    const cleanIccid = (text) => text.trim().replace(/[Ff]+$/, "");
    const launch = {
        transactionId: params.get("transactionId") || "",
        eid: params.get("eid") || "",
        imei: params.get("imei") || "",
        market: params.get("market") || "",
        location: params.get("location") || "",
        iccid: cleanIccid(params.get("iccid") || ""),
        iccids: (params.get("iccids") || "").split(",").map(cleanIccid).filter(Boolean),
    };
    // Every ICCID the app says is ours on this PC: eSIM profiles, or the physical SIM.
    launch.lines = launch.iccids.length ? launch.iccids : launch.iccid ? [launch.iccid] : [];

    const bridge = () => typeof MobilePlans !== "undefined";

    // §3.8: the documented cancel metadata.
    function cancelMetadata() {
        const md = MobilePlans.createPurchaseMetaData();
        md.userAccount = MobilePlansUserAccount.new;
        md.purchaseInstrument = MobilePlansPurchaseInstrument.new;
        md.moDirectStatus = MobilePlansMoDirectStatus.cancelled;
        md.line = MobilePlansLineType.bailed;
        md.planName = "";
        return md;
    }

    function cancel() {
        if (!bridge()) {
            status("Cancel works when this portal is opened by the Mobile Plans app.", "bad");
            return;
        }
        signOut();
        status("Cancelled. Returning to Mobile Plans…");
        MobilePlans.notifyCancelledPurchase(cancelMetadata());
    }

    // §4.12 "log the user out before exit": the session lives in this tab only.
    function signOut() {
        sessionStorage.removeItem("contoso.account");
    }

    // Once an order is placed, Cancel would report a cancelled purchase after a completed
    // one (the contract flags it): the button goes for the rest of this launch.
    const completedKey = "contoso.completed." + (launch.transactionId || "no-transaction");

    function orderComplete() {
        return sessionStorage.getItem(completedKey) !== null;
    }

    function markOrderComplete(orderId) {
        sessionStorage.setItem(completedKey, orderId || "placed");
        hideCancel();
    }

    function hideCancel() {
        for (const button of document.querySelectorAll("[data-action=cancel]")) {
            button.hidden = true;
        }
    }

    function account() {
        try {
            return JSON.parse(sessionStorage.getItem("contoso.account") || "null");
        } catch (error) {
            return null;
        }
    }

    function setAccount(value) {
        sessionStorage.setItem("contoso.account", JSON.stringify(value));
    }

    // The status area is the page's one aria-live region.
    function status(text, kind) {
        const box = document.getElementById("status");
        if (!box) {
            return;
        }
        box.textContent = text;
        box.className = "status" + (kind ? " " + kind : "");
        box.hidden = !text;
    }

    // §4.12 "retain focus": after each step focus goes to something of ours.
    function focus(element) {
        if (!element) {
            return;
        }
        if (!element.matches("button, input, select, a[href]")) {
            element.setAttribute("tabindex", "-1");
        }
        element.focus({ preventScroll: false });
    }

    // JSON to and from the sample backend (simulator/portal/sample_backend.py), same origin.
    async function api(method, path, body) {
        const init = { method, headers: { Accept: "application/json" }, cache: "no-store" };
        if (body !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
        }
        let response;
        try {
            response = await fetch(path, init);
        } catch (error) {
            return { ok: false, status: 0, offline: true, error: "Contoso's servers can't be reached." };
        }
        let data = {};
        try {
            data = await response.json();
        } catch (error) {
            data = {};
        }
        if (response.status === 404 && !data.error) {
            return { ok: false, status: 404, offline: true, error: "The Contoso backend is not attached." };
        }
        return { ok: response.ok, status: response.status, data, error: data.error || "HTTP " + response.status };
    }

    function money(cents) {
        return "$" + (cents / 100).toFixed(2);
    }

    function keepLaunchQuery() {
        // Links between our pages keep the launch parameters (transactionId, iccids, ...).
        for (const link of document.querySelectorAll("a[data-keep-query]")) {
            const url = new URL(link.getAttribute("href"), location.href);
            url.search = location.search;
            link.href = url.pathname + url.search;
        }
    }

    document.addEventListener("DOMContentLoaded", () => {
        keepLaunchQuery();
        for (const button of document.querySelectorAll("[data-action=cancel]")) {
            button.addEventListener("click", cancel);
        }
        if (orderComplete()) {
            hideCancel();
        }
        const banner = document.getElementById("no-bridge");
        if (banner) {
            banner.hidden = bridge();
        }
    });

    return {
        launch, bridge, cancel, cancelMetadata, status, focus, api, money, account, setAccount, signOut,
        orderComplete, markOrderComplete,
    };
})();
