// The Mobile Plans bridge, page half: the objects the portal sees, in the page's main world.
//
// Python wraps this file as `(function () { const MPS_SURFACE = {...}; <this> })();`
// MPS_SURFACE: {host, surface: {enums, objects}} (see simulator/bridge/script.py).
//
// What the portal sees is what Windows' Mobile Plans app injects (Mobile Plans callbacks doc):
// synchronous-looking objects; every call is posted to Python in order, with its arguments
// encoded losslessly (simulator/contract/values.py describes the tagged format).
//
// This half holds no secret and cannot reach Python by itself: it hands each message, as JSON
// text, to the channel half (bridge_channel.js, in an isolated world) in a DOM event on a
// private node. The
// page may patch every global it likes; at worst it garbles its own calls, which Python then
// reports. The built-ins used below are taken before any script of the page has run.

const isTopLevel = window.top === window;
const allowedOrigin =
    isTopLevel &&
    location.protocol === "https:" &&
    location.hostname.toLowerCase() === MPS_SURFACE.host &&
    location.port === "";
if (!allowedOrigin) {
    return;
}

const PAGE_HELLO = "mobileplans-bridge-page";
const CHANNEL_HELLO = "mobileplans-bridge-channel";
const TO_APP = "mobileplans-to-app";
const TO_PAGE = "mobileplans-to-page";
const LINKED = "mobileplans-linked";

// ---- built-ins, as they were at document creation ------------------------------------------
const apply = Reflect.apply;
const defineProperty = Object.defineProperty;
const ownKeys = Object.keys;
const isArray = Array.isArray;
const createObject = Object.create;
const NativeCustomEvent = CustomEvent;
const NativeMouseEvent = MouseEvent;
const dispatchEvent = EventTarget.prototype.dispatchEvent;
const addEventListener = EventTarget.prototype.addEventListener;
const removeEventListener = EventTarget.prototype.removeEventListener;
const detailOf = Object.getOwnPropertyDescriptor(CustomEvent.prototype, "detail").get;
const getRandomValues = Crypto.prototype.getRandomValues;
const randomUUID = typeof Crypto.prototype.randomUUID === "function" ? Crypto.prototype.randomUUID : null;
const toHex = Number.prototype.toString;
const stringOf = String;
const stringify = JSON.stringify;
const isFinite = Number.isFinite;
const NativeProxy = Proxy;
const reflectSet = Reflect.set;
const NativeUint8Array = Uint8Array;
const cryptoObject = crypto;
const pageWindow = window;
const consoleError = console.error;
const theConsole = console;

const MAX_DEPTH = 32;
const MAX_NODES = 10000;

function bag() {
    // Objects this half builds have no prototype, so no setter or getter of the page's runs.
    return createObject(null);
}

function operationId() {
    // MobilePlansOperationContext.Id: "unique id created by the app for an operation" (§1.1).
    if (randomUUID !== null) {
        return apply(randomUUID, cryptoObject, []);
    }
    const bytes = apply(getRandomValues, cryptoObject, [new NativeUint8Array(16)]);
    let text = "";
    for (let i = 0; i < bytes.length; i += 1) {
        const digits = apply(toHex, bytes[i], [16]);
        text += digits.length === 1 ? "0" + digits : digits;
    }
    return text;
}

// ---- the private node ----------------------------------------------------------------------

const node = document.createElement("mobileplans-bridge"); // never inserted into the document
let linked = false;
const pending = []; // messages made before the channel half answered (none in practice)
let pendingCount = 0;

function dispatch(target, event) {
    return apply(dispatchEvent, target, [event]);
}

function sendToApp(body) {
    // `body`: the message as JSON text (the channel half adds what only it may say, last).
    if (!linked) {
        pending[pendingCount] = body;
        pendingCount += 1;
        return;
    }
    const init = bag();
    init.detail = body;
    dispatch(node, new NativeCustomEvent(TO_APP, init));
}

function announce() {
    const init = bag();
    init.relatedTarget = node;
    dispatch(document, new NativeMouseEvent(PAGE_HELLO, init));
}

function onChannelHello() {
    if (!linked) {
        announce();
    }
}

apply(addEventListener, node, [
    LINKED,
    function onLinked() {
        if (linked) {
            return;
        }
        linked = true;
        apply(removeEventListener, document, [CHANNEL_HELLO, onChannelHello, true]);
        for (let i = 0; i < pendingCount; i += 1) {
            sendToApp(pending[i]);
            pending[i] = undefined;
        }
        pendingCount = 0;
    },
]);
apply(addEventListener, node, [TO_PAGE, (event) => deliver(apply(detailOf, event, []))]);
apply(addEventListener, document, [CHANNEL_HELLO, onChannelHello, true]);
announce();

// ---- lossless argument encoding -------------------------------------------------------------
// Written as JSON text here, with the JSON.stringify of document creation applied to primitives
// and prototype-less bags only, so no toJSON or getter of the page's runs. A string crosses to
// the channel half far more cheaply than an object graph, which the browser serializes and
// deserializes between the worlds (about 50 µs of the page's time per call, measured).

const TRUNCATED = '{"t":"truncated"}';

function encode(value, depth, budget, stack) {
    budget.nodes += 1;
    if (budget.nodes > MAX_NODES || depth > MAX_DEPTH) {
        return TRUNCATED;
    }
    switch (typeof value) {
        case "undefined":
            return '{"t":"undefined"}';
        case "boolean":
            return value ? '{"t":"boolean","v":true}' : '{"t":"boolean","v":false}';
        case "number":
            // JSON has no NaN or Infinity: those travel as their names.
            return '{"t":"number","v":' + stringify(isFinite(value) ? value : stringOf(value)) +
                "}";
        case "string":
            return '{"t":"string","v":' + stringify(value) + "}";
        case "bigint":
            return '{"t":"bigint","v":' + stringify(stringOf(value)) + "}";
        case "symbol":
            return '{"t":"symbol","v":' + stringify(stringOf(value)) + "}";
        case "function": {
            let name = "";
            try {
                name = value.name;
            } catch (error) {
                // a hostile getter: the name stays empty
            }
            return '{"t":"function","name":' + stringify(typeof name === "string" ? name : "") +
                "}";
        }
        default:
            break;
    }
    if (value === null) {
        return '{"t":"null"}';
    }
    for (let i = 0; i < depth; i += 1) {
        if (stack[i] === value) {
            return '{"t":"cycle"}';
        }
    }
    stack[depth] = value;
    try {
        if (isArray(value)) {
            let items = "";
            const length = value.length;
            for (let i = 0; i < length && budget.nodes <= MAX_NODES; i += 1) {
                items += (i === 0 ? "" : ",") + encode(value[i], depth + 1, budget, stack);
            }
            return '{"t":"array","v":[' + items + "]}";
        }
        let pairs = "";
        const keys = ownKeys(value);
        for (let k = 0; k < keys.length; k += 1) {
            const key = keys[k];
            let item;
            if (budget.nodes > MAX_NODES) {
                item = TRUNCATED;
            } else {
                try {
                    item = encode(value[key], depth + 1, budget, stack);
                } catch (error) {
                    item = TRUNCATED;
                }
            }
            pairs += (k === 0 ? "[" : ",[") + stringify(key) + "," + item + "]";
            if (budget.nodes > MAX_NODES) {
                break;
            }
        }
        return '{"t":"object","v":[' + pairs + "]}";
    } catch (error) {
        // A hostile Proxy can throw from ownKeys or get: the call still reaches Python.
        return TRUNCATED;
    } finally {
        stack[depth] = undefined;
    }
}

function encodeArguments(args) {
    const budget = bag();
    budget.nodes = 0;
    let encoded = "";
    for (let i = 0; i < args.length; i += 1) {
        encoded += (i === 0 ? "" : ",") + encode(args[i], 0, budget, bag());
    }
    return encoded;
}

function message(kind, objectName, member, args, id) {
    return '{"kind":"' + kind + '","object":' + stringify(objectName) + ',"member":' +
        stringify(member) + ',"args":[' + encodeArguments(args) + '],"operationId":' +
        (id === null ? "null" : stringify(id)) + "}";
}

// ---- callbacks into the portal (§1.4, §7.3) --------------------------------------------------

const scriptProperties = bag();

function deliver(request) {
    if (request === null || typeof request !== "object") {
        return;
    }
    const holder = scriptProperties[request.property];
    let target = holder ? holder.value : undefined;
    let resolved = "";
    if (typeof target === "string") {
        resolved = target;
        target = pageWindow[target];
    } else if (typeof target === "function") {
        let name = "";
        try {
            name = target.name;
        } catch (error) {
            // a hostile getter: reported as anonymous
        }
        resolved = typeof name === "string" && name ? name : "(anonymous function)";
    }
    const result = bag();
    result.kind = "callback-result";
    result.callbackId = request.callbackId;
    result.resolved = resolved;
    if (typeof target !== "function") {
        result.invoked = false;
        result.reason = holder === undefined ? "unset" : "not-a-function";
        sendToApp(stringify(result));
        return;
    }
    try {
        apply(target, pageWindow, [request.argument]);
        result.invoked = true;
    } catch (error) {
        result.invoked = true;
        let text = "";
        try {
            text = stringOf(error && error.stack ? error.stack : error);
        } catch (inner) {
            text = "(an exception that cannot be printed)";
        }
        result.error = text;
        apply(consoleError, theConsole, ["Mobile Plans callback " + resolved + " threw: " + text]);
    }
    sendToApp(stringify(result));
}

// ---- the injected objects ------------------------------------------------------------------

function makeMethod(objectName, methodName, spec) {
    const method = function () {
        const id = spec.returns === "operation" ? operationId() : null;
        sendToApp(message("call", objectName, methodName, arguments, id));
        if (spec.returns === "operation") {
            return { Id: id }; // MobilePlansOperationContext, capital I (§1.1)
        }
        if (spec.returns === "metadata") {
            return {}; // the portal sets the properties of §1.3 on it
        }
        return undefined;
    };
    defineProperty(method, "name", { value: methodName });
    return method;
}

function defineObject(objectName, spec) {
    const target = objectName === "external" ? window.external || {} : {};
    for (const [methodName, methodSpec] of Object.entries(spec.methods)) {
        defineProperty(target, methodName, {
            value: makeMethod(objectName, methodName, methodSpec),
            enumerable: true,
        });
    }
    for (const property of spec.scriptProperties) {
        defineProperty(target, property, {
            enumerable: true,
            get() {
                const holder = scriptProperties[property];
                return holder ? holder.value : null;
            },
            set(value) {
                // One store for every alias: the docs set the property on one object name and
                // call through another (§1.2), and both must work.
                const holder = bag();
                holder.value = value;
                holder.object = objectName;
                scriptProperties[property] = holder;
                sendToApp(message("set", objectName, property, [value], null));
            },
        });
    }
    if (objectName === "external") {
        return;
    }
    // Report assignments to names the app does not have (e.g. the diagrams'
    // registrationCompleteScript), which would otherwise be silently ignored.
    const declared = bag();
    for (const name of [...Object.keys(spec.methods), ...spec.scriptProperties]) {
        declared[name] = true;
    }
    const traps = bag(); // no prototype: the page cannot add traps through Object.prototype
    traps.set = function (object, key, value) {
        if (typeof key === "string" && declared[key] !== true) {
            sendToApp(message("set", objectName, key, [value], null));
        }
        return reflectSet(object, key, value);
    };
    const watched = new NativeProxy(target, traps);
    defineProperty(window, objectName, { value: watched, enumerable: false });
}

function defineEnum(enumName, members) {
    defineProperty(window, enumName, {
        value: Object.freeze(Object.assign(Object.create(null), members)),
        enumerable: false,
    });
}

for (const [objectName, spec] of Object.entries(MPS_SURFACE.surface.objects)) {
    try {
        defineObject(objectName, spec);
    } catch (error) {
        // window.external may be frozen in some engines; the rest of the surface still works
    }
}
for (const [enumName, members] of Object.entries(MPS_SURFACE.surface.enums)) {
    defineEnum(enumName, members);
}
