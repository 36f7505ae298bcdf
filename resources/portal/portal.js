// Contoso Mobile's MO Direct purchase path: plan → account → (line) → payment → confirm → done,
// then fulfil() in mobileplans.js makes the Mobile Plans call that matches the plan's
// fulfilment (Mobile Plans scenarios doc).
//
// Stable element ids for automation: choose-<planId>, account-form, line-form, payment-form,
// place-order, cancel-scheduled, try-again, view-account, cancel, status.
"use strict";

const { launch } = Contoso;

// Without a backend the folder's static api/plans answers ({"backend": false}); the portal then
// places demo orders locally and says so, rather than calling a backend that is not there.
const OFFLINE_ACTIVATION_CODE = "1$smdp.mobileplans.test$CONTOSO-OFFLINE-DEMO";

const state = {
    plans: [],
    offline: false,
    plan: null,
    account: null, // {email, new}
    iccid: "", // top-up target ("" = the SIM in use)
    instrument: "New",
    cardLast4: "",
    order: null, // the backend's answer
    operation: null, // MobilePlansOperationContext of the last inline call
    history: [],
};

// ---- steps and focus ---------------------------------------------------------------------------

function show(step, { back = false } = {}) {
    const current = document.querySelector(".step.active");
    if (!back && current && current.id !== "step-" + step) {
        state.history.push(current.id.slice(5));
    }
    for (const section of document.querySelectorAll(".step")) {
        section.classList.toggle("active", section.id === "step-" + step);
    }
    for (const item of document.querySelectorAll(".progress li")) {
        const name = step === "line" ? "account" : step;
        item.classList.toggle("current", item.dataset.step === name);
        if (item.dataset.step === name) {
            item.setAttribute("aria-current", "step");
        } else {
            item.removeAttribute("aria-current");
        }
    }
    Contoso.focus(document.querySelector("#step-" + step + " h1")); // §4.12 keeps focus
}

function back() {
    const previous = state.history.pop();
    if (previous) {
        show(previous, { back: true });
    }
}

function fieldError(id, message) {
    const box = document.getElementById(id + "-error");
    const input = document.getElementById(id);
    if (box) {
        box.textContent = message || "";
        box.hidden = !message;
    }
    if (input) {
        input.setAttribute("aria-invalid", message ? "true" : "false");
    }
    return !message;
}

function showError(id, message) {
    const box = document.getElementById(id);
    box.textContent = message || "";
    box.hidden = !message;
}

// ---- plans -------------------------------------------------------------------------------------

async function loadPlans() {
    const answer = await Contoso.api("GET", "/api/plans");
    const list = document.getElementById("plans");
    list.textContent = "";
    if (!answer.ok || !Array.isArray(answer.data.plans)) {
        const problem = document.createElement("p");
        problem.className = "error";
        problem.textContent = "We can't show our plans right now (" + answer.error + "). Please try again later.";
        list.appendChild(problem);
        list.setAttribute("aria-busy", "false");
        return;
    }
    state.plans = answer.data.plans;
    state.offline = answer.data.backend === false;
    if (state.offline) {
        Contoso.status("Demo mode: the Contoso backend is not attached, so orders are not placed on the SM-DP+.");
    }
    for (const plan of state.plans) {
        const card = document.createElement("article");
        card.className = "card";
        card.dataset.fulfilment = plan.fulfilment;
        const title = document.createElement("h2");
        title.textContent = plan.name;
        const price = document.createElement("p");
        price.className = "price";
        price.textContent = plan.priceText;
        const summary = document.createElement("p");
        summary.textContent = plan.summary;
        const how = document.createElement("p");
        how.className = "muted how";
        how.textContent = plan.fulfilmentText;
        const button = document.createElement("button");
        button.id = "choose-" + plan.id;
        button.textContent = "Choose";
        button.setAttribute("aria-label", "Choose " + plan.name);
        button.addEventListener("click", () => choose(plan));
        card.append(title, price, summary, how, button);
        list.appendChild(card);
    }
    list.setAttribute("aria-busy", "false");
}

function choose(plan) {
    state.plan = plan;
    if (!state.offline) {
        Contoso.status(""); // the demo-mode note stays
    }
    show("account");
}

// ---- account -----------------------------------------------------------------------------------

async function submitAccount(event) {
    event.preventDefault();
    const mode = document.querySelector("input[name=mode]:checked").value;
    const email = document.getElementById("email").value.trim();
    const password = document.getElementById("password").value;
    showError("account-error", "");
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        showError("account-error", "Enter your email address, such as alex@example.com.");
        Contoso.focus(document.getElementById("email"));
        return;
    }
    const button = document.getElementById("to-payment");
    button.disabled = true;
    const answer = state.offline
        ? { ok: false, offline: true }
        : await Contoso.api("POST", "/api/session", { email, mode, password });
    button.disabled = false;
    if (answer.ok) {
        state.account = { email: answer.data.email, new: answer.data.new };
    } else if (state.offline) {
        state.account = { email, new: mode === "new" };
    } else {
        showError("account-error", answer.error);
        Contoso.focus(document.getElementById(answer.status === 401 ? "password" : "email"));
        return;
    }
    Contoso.setAccount(state.account);
    document.getElementById("on-file-choice").hidden = state.account.new;
    if (state.plan.fulfilment === "topup") {
        renderLines();
        show("line");
    } else {
        show("payment");
    }
}

function renderLines() {
    const box = document.getElementById("line-choices");
    for (const old of box.querySelectorAll("label")) {
        old.remove();
    }
    const choices = launch.lines.map((iccid) => [iccid, "Line with ICCID " + iccid]);
    choices.push(["", "The SIM I'm using now (don't switch lines)"]);
    choices.forEach(([iccid, text], index) => {
        const label = document.createElement("label");
        label.className = "choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "line";
        input.value = iccid;
        input.checked = index === 0;
        label.append(input, " " + text);
        box.appendChild(label);
    });
}

function submitLine(event) {
    event.preventDefault();
    state.iccid = document.querySelector("input[name=line]:checked").value;
    show("payment");
}

// ---- payment: a test checkout, validated here (Luhn), nothing sent -----------------------------

function luhnValid(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
        let d = digits.charCodeAt(digits.length - 1 - i) - 48;
        if (i % 2 === 1) {
            d *= 2;
            if (d > 9) {
                d -= 9;
            }
        }
        sum += d;
    }
    return digits.length > 0 && sum % 10 === 0;
}

function cardProblem(text) {
    const digits = text.replace(/[\s-]/g, "");
    if (!/^\d+$/.test(digits)) {
        return "Enter the card number using digits only.";
    }
    if (digits.length < 12 || digits.length > 19) {
        return "A card number has 12 to 19 digits.";
    }
    if (!luhnValid(digits)) {
        return "That card number isn't valid. Check it and try again.";
    }
    return "";
}

function expiryProblem(text) {
    const match = /^(\d{2})\s*\/\s*(\d{2})$/.exec(text.trim());
    if (!match || Number(match[1]) < 1 || Number(match[1]) > 12) {
        return "Enter the expiry as MM/YY.";
    }
    const now = new Date();
    const year = 2000 + Number(match[2]);
    const month = Number(match[1]);
    if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) {
        return "This card has expired.";
    }
    return "";
}

function submitPayment(event) {
    event.preventDefault();
    if (document.getElementById("on-file").checked && !state.account.new) {
        state.instrument = "Existing";
        state.cardLast4 = "1111";
    } else {
        const card = document.getElementById("card").value;
        const checks = [
            ["card", cardProblem(card)],
            ["expiry", expiryProblem(document.getElementById("expiry").value)],
            ["cvc", /^\d{3,4}$/.test(document.getElementById("cvc").value.trim()) ? "" : "The security code has 3 or 4 digits."],
        ];
        let first = null;
        for (const [id, problem] of checks) {
            if (!fieldError(id, problem) && !first) {
                first = id;
            }
        }
        if (first) {
            Contoso.focus(document.getElementById(first));
            return;
        }
        state.instrument = "New";
        state.cardLast4 = card.replace(/\D/g, "").slice(-4);
    }
    renderSummary(document.getElementById("summary"));
    showError("order-error", "");
    show("confirm");
}

// ---- confirmation and order --------------------------------------------------------------------

function renderSummary(list, extra = []) {
    const plan = state.plan;
    const rows = [
        ...extra,
        ["Plan", plan.name],
        ["Price", plan.priceText],
        ["Account", state.account.email + (state.account.new ? " (new)" : "")],
    ];
    if (plan.fulfilment === "topup") {
        rows.push(["Line", state.iccid ? "ICCID " + state.iccid : "The SIM in use now"]);
    }
    rows.push(["Payment", (state.instrument === "Existing" ? "Card on file" : "Card") + " ending " + state.cardLast4]);
    rows.push(["How you'll get it", plan.fulfilmentText]);
    list.textContent = "";
    for (const [term, detail] of rows) {
        const dt = document.createElement("dt");
        dt.textContent = term;
        const dd = document.createElement("dd");
        dd.textContent = detail;
        list.append(dt, dd);
    }
}

async function placeOrder() {
    const button = document.getElementById("place-order");
    if (!Contoso.bridge()) {
        showError("order-error", "Orders can only be placed from the Mobile Plans app.");
        Contoso.focus(button);
        return;
    }
    button.disabled = true;
    showError("order-error", "");
    Contoso.status("Placing your order…");
    const answer = state.offline ? { ok: false, offline: true } : await Contoso.api("POST", "/api/orders", {
        plan: state.plan.id,
        fulfilment: state.plan.fulfilment,
        eid: launch.eid || undefined,
        iccid: state.iccid || undefined,
        email: state.account.email,
        transactionId: launch.transactionId.slice(0, 64),
    });
    button.disabled = false;
    if (answer.ok) {
        state.order = answer.data;
    } else if (state.offline) {
        state.order = { orderId: "CM-DEMO", activationCode: OFFLINE_ACTIVATION_CODE, iccid: "", offline: true };
        Contoso.status("");
    } else {
        Contoso.status("");
        showError("order-error", "We couldn't place your order: " + answer.error + " You can try again or cancel.");
        Contoso.focus(button);
        return;
    }
    Contoso.markOrderComplete(state.order.orderId);
    const extra = [["Order", state.order.orderId]];
    if (state.order.offline && state.plan.fulfilment !== "topup") {
        extra.push(["Note", "Demo order: the Contoso backend is not attached, so no profile was ordered on the SM-DP+."]);
    }
    renderSummary(document.getElementById("receipt"), extra);
    document.getElementById("done-title").textContent = "Order " + state.order.orderId + " placed";
    show("done");
    fulfil();
}

// ---- wiring ------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
    const device = launch.eid ? "eSIM " + launch.eid : launch.iccid ? "SIM " + launch.iccid : "this PC";
    document.getElementById("launch-info").textContent =
        "For " + device + (launch.market ? " · market " + launch.market.toUpperCase() : "") +
        (launch.transactionId ? " · reference " + launch.transactionId : "");
    if (launch.transactionId) {
        console.info("Contoso portal: Mobile Plans transactionId", launch.transactionId); // §4.8: log it
    }
    document.getElementById("account-form").addEventListener("submit", submitAccount);
    document.getElementById("line-form").addEventListener("submit", submitLine);
    document.getElementById("payment-form").addEventListener("submit", submitPayment);
    document.getElementById("on-file").addEventListener("change", (event) => {
        document.getElementById("card-fields").hidden = event.target.checked;
    });
    document.getElementById("place-order").addEventListener("click", placeOrder);
    document.getElementById("cancel-scheduled").addEventListener("click", cancelScheduled);
    document.getElementById("try-again").addEventListener("click", retry);
    for (const button of document.querySelectorAll("[data-back]")) {
        button.addEventListener("click", back);
    }
    loadPlans();
    Contoso.focus(document.getElementById("plans-title"));
});
