// The account page: the lines Mobile Plans reported at launch (iccids / iccid, §2.2) and the
// lines on the signed-in account, with their plan and balance from the backend.
"use strict";

function formatMB(mb) {
    if (typeof mb !== "number") {
        return "—";
    }
    return mb >= 1024 ? (mb / 1024).toFixed(mb % 1024 ? 1 : 0) + " GB" : mb + " MB";
}

function row(body, cells) {
    const tr = body.insertRow();
    for (const text of cells) {
        tr.insertCell().textContent = text;
    }
    return tr;
}

async function loadLines() {
    const { launch } = Contoso;
    const account = Contoso.account();
    const query = new URLSearchParams();
    if (launch.lines.length) {
        query.set("iccids", launch.lines.join(","));
    }
    if (account && account.email) {
        query.set("email", account.email);
    }
    document.getElementById("who").textContent = account
        ? "Signed in as " + account.email + "."
        : "Not signed in: showing the Contoso lines on this PC.";
    document.getElementById("sign-out").hidden = !account;
    const answer = await Contoso.api("GET", "/api/lines?" + query.toString());
    const body = document.getElementById("lines");
    body.textContent = "";
    let lines = [];
    if (answer.ok && answer.data.backend !== false && Array.isArray(answer.data.lines)) {
        lines = answer.data.lines;
    } else {
        // No backend (or it refused the ICCIDs): still list what the app told us.
        lines = launch.lines.map((iccid) => ({ iccid, plan: "—", balanceMB: null, status: "on this PC" }));
        if (!answer.ok) {
            Contoso.status("We can't show balances right now: " + answer.error, "bad");
        }
    }
    // The operator's calendar is the simulator's virtual date, so promotions line up with it.
    const asOf = answer.ok && typeof answer.data.asOf === "string" ? answer.data.asOf : "";
    document.getElementById("as-of").textContent = asOf ? "Balances and promotions as of " + asOf + "." : "";
    if (!lines.length) {
        const tr = row(body, ["No Contoso line on this PC yet."]);
        tr.cells[0].colSpan = 5;
        return;
    }
    for (const line of lines) {
        const status = line.status + (line.onThisPC === false ? " (not on this PC)" : "");
        const promotions = Array.isArray(line.promotions) && line.promotions.length
            ? line.promotions.map((p) => p.code + " until " + p.ends_on).join(", ")
            : "none";
        row(body, [line.iccid, line.plan, formatMB(line.balanceMB), status, promotions]);
    }
}

document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("sign-out").addEventListener("click", () => {
        Contoso.signOut();
        Contoso.status("Signed out.");
        loadLines();
        Contoso.focus(document.getElementById("account-title"));
    });
    loadLines();
    Contoso.focus(document.getElementById("account-title"));
});
