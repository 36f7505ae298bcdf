// The Mobile Plans bridge, channel half: runs in an isolated JavaScript world (Qt's
// ApplicationWorld), the only world where `qt.webChannelTransport` exists.
//
// Python wraps this file as `(function () { <qwebchannel.js> const MPS_CHANNEL = {...}; <this> })();`
// MPS_CHANNEL: {host, token, objectName} (see simulator/bridge/script.py).
//
// Why a separate world: the portal's scripts share the main world's globals, so anything the
// bridge did there (JSON.stringify, a plain envelope object, the transport's send) could be
// patched to read the launch's token. This world shares only the DOM with the page: its
// globals, the transport and the token are out of the page's reach.
//
// The page half (bridge.js, main world) hands each call over as JSON text, in a DOM event on a
// private node that is never inserted into the document; the token never goes the other way. The node itself is exchanged once, at document
// creation, before any script of the page can run (see `link`); from then on only the two
// halves hold it. Events on a detached node reach only listeners added to that node.

const transport = typeof qt !== "undefined" && qt ? qt.webChannelTransport : undefined;

const isTopLevel = window.top === window;
const allowedOrigin =
    isTopLevel &&
    location.protocol === "https:" &&
    location.hostname.toLowerCase() === MPS_CHANNEL.host &&
    location.port === "";
if (!allowedOrigin || !transport) {
    return;
}

const PAGE_HELLO = "mobileplans-bridge-page";
const CHANNEL_HELLO = "mobileplans-bridge-channel";
const TO_APP = "mobileplans-to-app";
const TO_PAGE = "mobileplans-to-page";
const LINKED = "mobileplans-linked";

const documentId = randomId();
const queue = [];
let endpoint = null;
let seq = 0;
let pageNode = null;

function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- to Python -----------------------------------------------------------------------------

// What the page half may send: these kinds only, each as the first key of its JSON text.
const PAGE_KINDS = ["call", "set", "callback-result"];

function post(kind, bodyText) {
    // `bodyText` is a JSON object whose first key is `kind`. The fields Python checks are
    // appended here, last: when a key repeats, the last one counts (Python's JSON reader), and
    // text that would leave them anywhere but at the top level of one object is not JSON.
    seq += 1;
    const text =
        bodyText.slice(0, -1) +
        ',"kind":"' + kind +
        '","seq":' + seq +
        ',"doc":"' + documentId +
        '","token":"' + MPS_CHANNEL.token +
        '","href":' + JSON.stringify(location.href) +
        "}";
    if (endpoint) {
        endpoint.envelope = text; // a property write: one message, no answer to wait for
    } else {
        queue.push(text); // calls from the <head> wait here until the channel is up
    }
}

function onPageMessage(event) {
    // `detail` is the page half's JSON text (bridge.js): a string crosses worlds as a copy.
    const text = event.detail;
    if (typeof text !== "string" || !text.endsWith("}")) {
        return;
    }
    for (const kind of PAGE_KINDS) {
        if (text.startsWith('{"kind":"' + kind + '",')) {
            post(kind, text);
            return;
        }
    }
}

// ---- to the page ---------------------------------------------------------------------------

function toPage(message) {
    if (pageNode) {
        pageNode.dispatchEvent(new CustomEvent(TO_PAGE, { detail: message }));
    }
}

function deliver(text) {
    let request;
    try {
        request = JSON.parse(text);
    } catch (error) {
        return;
    }
    if (request === null || typeof request !== "object" || request.doc !== documentId) {
        return; // meant for a document that is gone (§3.3 [INFERRED]: same page only)
    }
    toPage({
        property: String(request.property),
        argument: request.argument,
        callbackId: String(request.callbackId),
    });
}

// ---- the hand-over, at document creation ---------------------------------------------------
// Both halves are injected at document creation; which runs first is Qt's business, so each
// announces itself and answers the other's announcement. The page half sends its private node
// as the event's relatedTarget; it stops answering once this half confirms (LINKED), which
// happens before the first script of the page runs.

function link(event) {
    const node = event.relatedTarget;
    if (pageNode !== null || !(node instanceof Element) || node.isConnected) {
        return;
    }
    event.stopImmediatePropagation();
    pageNode = node;
    document.removeEventListener(PAGE_HELLO, link, true);
    node.addEventListener(TO_APP, onPageMessage);
    node.dispatchEvent(new CustomEvent(LINKED));
}

document.addEventListener(PAGE_HELLO, link, true);
document.dispatchEvent(new CustomEvent(CHANNEL_HELLO));

post("ready", JSON.stringify({ kind: "ready", userAgent: navigator.userAgent }));

new QWebChannel(transport, (channel) => {
    try {
        // Only this world can reach the transport; lock it against a second client all the same.
        Object.defineProperty(transport, "onmessage", { writable: false, configurable: false });
    } catch (error) {
        // already locked by an earlier document's script on the same transport
    }
    endpoint = channel.objects[MPS_CHANNEL.objectName];
    endpoint.deliver.connect(deliver);
    while (queue.length > 0) {
        endpoint.envelope = queue.shift();
    }
});
