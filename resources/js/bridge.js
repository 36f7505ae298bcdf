// The Mobile Plans bridge, injected at document creation into the page's main world.
//
// Python wraps this file as `(function () { <qwebchannel.js> const MPS_CONFIG = {...}; <this> })();`
// so neither QWebChannel nor our state is reachable from the portal's own scripts.
// MPS_CONFIG: {host, token, objectName, surface: {enums, objects}} (see simulator/bridge/script.py).
//
// What the portal sees is what Windows' Mobile Plans app injects (mobile-plans.md §1, §7.1):
// synchronous-looking objects; every call is posted to Python in order, with its arguments
// encoded losslessly (simulator/contract/values.py describes the tagged format).

const transport = typeof qt !== "undefined" && qt ? qt.webChannelTransport : undefined;
// Qt delivers messages through the global `qt.webChannelTransport`, so it must stay. What the
// page could do with it is limited below: once our client owns `onmessage` it is locked, so a
// second QWebChannel cannot steal the transport (style-anchors §4), and Python believes only
// envelopes carrying this launch's token, which never leaves this closure.

const isTopLevel = window.top === window;
const allowedOrigin =
    isTopLevel &&
    location.protocol === "https:" &&
    location.hostname.toLowerCase() === MPS_CONFIG.host &&
    location.port === "";
if (!allowedOrigin || !transport) {
    return;
}

const MAX_DEPTH = 32;
const MAX_NODES = 10000;
const documentId = randomId();
const queue = [];
let endpoint = null;
let seq = 0;

function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function operationId() {
    // MobilePlansOperationContext.Id: "unique id created by the app for an operation" (§1.1).
    return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : randomId();
}

// ---- lossless argument encoding -------------------------------------------------------------

function encode(value, depth, budget, seen) {
    budget.nodes += 1;
    if (budget.nodes > MAX_NODES || depth > MAX_DEPTH) {
        return { t: "truncated" };
    }
    switch (typeof value) {
        case "undefined":
            return { t: "undefined" };
        case "boolean":
            return { t: "boolean", v: value };
        case "number":
            return { t: "number", v: Number.isFinite(value) ? value : String(value) };
        case "string":
            return { t: "string", v: value };
        case "bigint":
            return { t: "bigint", v: value.toString() };
        case "symbol":
            return { t: "symbol", v: String(value) };
        case "function":
            return { t: "function", name: typeof value.name === "string" ? value.name : "" };
        default:
            break;
    }
    if (value === null) {
        return { t: "null" };
    }
    if (seen.has(value)) {
        return { t: "cycle" };
    }
    seen.add(value);
    try {
        if (Array.isArray(value)) {
            const items = [];
            for (let i = 0; i < value.length && budget.nodes <= MAX_NODES; i += 1) {
                items.push(encode(value[i], depth + 1, budget, seen));
            }
            return { t: "array", v: items };
        }
        const pairs = [];
        for (const key of Object.keys(value)) {
            if (budget.nodes > MAX_NODES) {
                pairs.push([key, { t: "truncated" }]);
                break;
            }
            let item;
            try {
                item = value[key];
            } catch (error) {
                pairs.push([key, { t: "truncated" }]);
                continue;
            }
            pairs.push([key, encode(item, depth + 1, budget, seen)]);
        }
        return { t: "object", v: pairs };
    } catch (error) {
        // A hostile Proxy can throw from ownKeys or get: the call still reaches Python.
        return { t: "truncated" };
    } finally {
        seen.delete(value);
    }
}

function encodeArguments(args) {
    const budget = { nodes: 0 };
    return Array.prototype.map.call(args, (arg) => encode(arg, 0, budget, new Set()));
}

// ---- the channel ---------------------------------------------------------------------------

function post(envelope) {
    seq += 1;
    envelope.seq = seq;
    envelope.doc = documentId;
    envelope.token = MPS_CONFIG.token;
    envelope.href = location.href;
    const text = JSON.stringify(envelope);
    if (endpoint) {
        endpoint.call(text);
    } else {
        queue.push(text); // calls from the <head> wait here until the channel is up
    }
}

// ---- callbacks into the portal (§1.4, §7.3) --------------------------------------------------

const scriptProperties = Object.create(null);

function deliver(message) {
    let request;
    try {
        request = JSON.parse(message);
    } catch (error) {
        return;
    }
    if (request.doc !== documentId) {
        return; // meant for a document that is gone (§3.3 [INFERRED]: same page only)
    }
    const holder = scriptProperties[request.property];
    let target = holder ? holder.value : undefined;
    let resolved = "";
    if (typeof target === "string") {
        resolved = target;
        target = window[target];
    } else if (typeof target === "function") {
        resolved = target.name || "(anonymous function)";
    }
    const result = { kind: "callback-result", callbackId: request.callbackId, resolved: resolved };
    if (typeof target !== "function") {
        result.invoked = false;
        result.reason = holder === undefined ? "unset" : "not-a-function";
        post(result);
        return;
    }
    try {
        target.call(window, request.argument);
        result.invoked = true;
    } catch (error) {
        result.invoked = true;
        result.error = String(error && error.stack ? error.stack : error);
        console.error("Mobile Plans callback " + resolved + " threw: " + result.error);
    }
    post(result);
}

new QWebChannel(transport, (channel) => {
    try {
        Object.defineProperty(transport, "onmessage", { writable: false, configurable: false });
    } catch (error) {
        // already locked by an earlier document's script on the same transport
    }
    endpoint = channel.objects[MPS_CONFIG.objectName];
    endpoint.deliver.connect(deliver);
    while (queue.length > 0) {
        endpoint.call(queue.shift());
    }
});

post({ kind: "ready", userAgent: navigator.userAgent });

// ---- the injected objects ------------------------------------------------------------------

function makeMethod(objectName, methodName, spec) {
    const method = function () {
        const id = spec.returns === "operation" ? operationId() : null;
        post({
            kind: "call",
            object: objectName,
            member: methodName,
            args: encodeArguments(arguments),
            operationId: id,
        });
        if (spec.returns === "operation") {
            return { Id: id }; // MobilePlansOperationContext, capital I (§1.1)
        }
        if (spec.returns === "metadata") {
            return {}; // the portal sets the properties of §1.3 on it
        }
        return undefined;
    };
    Object.defineProperty(method, "name", { value: methodName });
    return method;
}

function defineObject(objectName, spec) {
    const target = objectName === "external" ? window.external || {} : {};
    for (const [methodName, methodSpec] of Object.entries(spec.methods)) {
        Object.defineProperty(target, methodName, {
            value: makeMethod(objectName, methodName, methodSpec),
            enumerable: true,
        });
    }
    for (const property of spec.scriptProperties) {
        Object.defineProperty(target, property, {
            enumerable: true,
            get() {
                const holder = scriptProperties[property];
                return holder ? holder.value : null;
            },
            set(value) {
                // One store for every alias: the docs set the property on one object name and
                // call through another (§1.2), and both must work.
                scriptProperties[property] = { value: value, object: objectName };
                post({
                    kind: "set",
                    object: objectName,
                    member: property,
                    args: encodeArguments([value]),
                    operationId: null,
                });
            },
        });
    }
    if (objectName === "external") {
        return;
    }
    // Report assignments to names the app does not have (e.g. the diagrams'
    // registrationCompleteScript), which would otherwise be silently ignored.
    const declared = new Set([...Object.keys(spec.methods), ...spec.scriptProperties]);
    const watched = new Proxy(target, {
        set(object, key, value) {
            if (typeof key === "string" && !declared.has(key)) {
                post({
                    kind: "set",
                    object: objectName,
                    member: key,
                    args: encodeArguments([value]),
                    operationId: null,
                });
            }
            return Reflect.set(object, key, value);
        },
    });
    Object.defineProperty(window, objectName, { value: watched, enumerable: false });
}

function defineEnum(enumName, members) {
    Object.defineProperty(window, enumName, {
        value: Object.freeze(Object.assign(Object.create(null), members)),
        enumerable: false,
    });
}

for (const [objectName, spec] of Object.entries(MPS_CONFIG.surface.objects)) {
    try {
        defineObject(objectName, spec);
    } catch (error) {
        // window.external may be frozen in some engines; the rest of the surface still works
    }
}
for (const [enumName, members] of Object.entries(MPS_CONFIG.surface.enums)) {
    defineEnum(enumName, members);
}
