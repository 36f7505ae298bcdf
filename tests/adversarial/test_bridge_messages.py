"""Hostile bridge messages, from page scripts and straight into the channel's slot.

Page side: the three token-theft probes and more (pages/thief.html), the replay of a call from a
later plain-http document, forged hand-over and channel events, and strings no UTF-8 writer
accepts. Channel side: a valid envelope of the live document, with the launch's real token (the
worst case: the secret leaked), structurally mutated: field types, sequence numbers, document
ids, addresses, kinds, argument trees (tags, nesting, sizes), encodings. Every case must end in
a refusal (`bridge.rejected`) or a checked call, without an exception and within the deadline,
and the bridge must still carry a real call afterwards. ``FUZZ_CASES``, ``FUZZ_SEED`` and
``FUZZ_DEADLINE`` scale the channel side.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

E2E = Path(__file__).resolve().parents[1] / "e2e"
if str(E2E) not in sys.path:
    sys.path.append(str(E2E))

from e2e_helpers import Harness  # noqa: E402

from simulator.app import PORTAL_DIR_HOST, Simulator, SimulatorConfig  # noqa: E402
from simulator.events import JsonLinesWriter  # noqa: E402
from simulator.portal.hosting import INSECURE_HOST, Site  # noqa: E402
from simulator.runtime import Runtime  # noqa: E402

pytestmark = pytest.mark.webengine

CASES = int(os.environ.get("FUZZ_CASES") or 300)
SEED = int(os.environ.get("FUZZ_SEED") or 11)
DEADLINE = float(os.environ.get("FUZZ_DEADLINE") or 5)
PAGES = E2E / "pages"
THIEF = f"https://{PORTAL_DIR_HOST}/thief.html"


@pytest.fixture
def harness(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> Iterator[Harness]:
    simulator = Simulator(SimulatorConfig(portal_dir=PAGES, data_dir=tmp_path / "sim"), runtime)
    runtime.front.attach(INSECURE_HOST, Site(root=PAGES))
    writer = JsonLinesWriter(tmp_path / "events.jsonl")  # every event must stay writable
    simulator.events.subscribe(writer)
    try:
        yield Harness(simulator, qtbot)
    finally:
        simulator.close()
        writer.close()
        runtime.front.detach(INSECURE_HOST)
        qtbot.wait(50)


def _launch(harness: Harness) -> None:
    """Launch, and let the <head> script's own calls arrive, so nothing of it is in flight."""
    harness.launch_and_wait()
    doc = harness.events("bridge.ready")[-1].fields["doc"]
    harness.wait_for("bridge.call", method="registrationChangedScript", doc=doc)


# -- page scripts --------------------------------------------------------------------------------


def test_page_probes_and_an_http_replay_get_nothing_and_the_bridge_goes_on(
    harness: Harness,
) -> None:
    _launch(harness)
    before = len(harness.simulator.events)
    harness.load(THIEF)
    doc = harness.wait_for("bridge.ready", after=before).fields["doc"]
    harness.wait_for("bridge.call", after=before, method="notifyBalanceAddition")
    token = harness.simulator.host._token
    stolen = harness.js("window.stolen")
    assert [where for where, text in stolen if token in text] == []

    harness.load(f"http://{INSECURE_HOST}/index.html")
    calls = len(harness.events("bridge.call"))
    forged = json.dumps(
        {
            "kind": "call",
            "seq": 90,
            "doc": doc,
            "token": token,
            "href": THIEF,
            "object": "MobilePlans",
            "member": "notifyCancelledPurchase",
            "args": [],
            "operationId": None,
        }
    )
    reached = harness.js(
        "(function () {"
        "  const forged = " + json.dumps(forged) + ";"
        "  const ways = [];"
        "  if (typeof qt !== 'undefined') ways.push('qt');"
        "  window.postMessage(forged, '*');"
        "  for (const name of ['mobileplans-to-app', 'mobileplans-bridge-page',"
        "                      'mobileplans-bridge-channel']) {"
        "    for (const target of [document, window, document.documentElement]) {"
        "      target.dispatchEvent(new CustomEvent(name, {detail: JSON.parse(forged)}));"
        "    }"
        "  }"
        "  return ways;"
        "})()"
    )
    assert reached == []
    # Python's own check, as if the message had got through: refused for the page's address.
    harness.simulator.page.endpoint.call(forged)
    harness.wait_for("bridge.rejected", rule="bridge.origin")
    harness.qtbot.wait(200)
    assert len(harness.events("bridge.call")) == calls

    before = len(harness.simulator.events)
    harness.load(f"https://{PORTAL_DIR_HOST}/index.html")
    harness.js("MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled', planName: ''})")
    harness.wait_for("bridge.call", after=before, method="notifyCancelledPurchase")


def test_strings_no_utf8_writer_accepts_reach_python_as_replacement_characters(
    harness: Harness,
) -> None:
    _launch(harness)
    harness.js(
        "MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled\\ud800',"
        " planName: '\\udfff', ['\\udc00key']: ['\\ud83d']})"
    )
    call = harness.wait_for("bridge.call", method="notifyCancelledPurchase")
    text = json.dumps(call.fields["args"], ensure_ascii=False)
    text.encode()
    assert "Cancelled\ufffd" in text
    assert "\ufffdkey" in text


def test_forged_channel_events_from_the_allowed_page_reach_nothing(harness: Harness) -> None:
    _launch(harness)
    rng = random.Random(SEED)
    names = [
        "mobileplans-to-app",
        "mobileplans-to-page",
        "mobileplans-linked",
        "mobileplans-bridge-page",
        "mobileplans-bridge-channel",
        "message",
    ]
    details = [
        "null",
        "1",
        "'x'",
        "{kind: 'call', object: 'MobilePlans', member: 'notifyCancelledPurchase', args: [],"
        " operationId: null}",
        "{kind: 'ready'}",
        "{property: 'registrationChangedScript', argument: 'x', callbackId: 'c'}",
        "new Array(100000).fill('x')",
    ]
    targets = ["document", "window", "document.documentElement", "document.body", "fresh"]
    script = []
    for _ in range(60):
        name, detail, target = rng.choice(names), rng.choice(details), rng.choice(targets)
        holder = "document.createElement('mobileplans-bridge')" if target == "fresh" else target
        event = (
            f"new MouseEvent('{name}', {{relatedTarget: document.createElement('span')}})"
            if name == "mobileplans-bridge-page"
            else f"new CustomEvent('{name}', {{detail: {detail}}})"
        )
        script.append(f"{holder}.dispatchEvent({event});")
    before = len(harness.simulator.events)
    harness.js("(function () {" + "".join(script) + " return 1; })()")
    harness.js("MobilePlans.createPurchaseMetaData()")
    call = harness.wait_for("bridge.call", after=before, method="createPurchaseMetaData")
    after = [e for e in harness.simulator.events if e.seq > before and e.seq < call.seq]
    assert [e.kind for e in after if e.kind.startswith("bridge.")] == []


# -- the channel's slot --------------------------------------------------------------------------

WRONG: tuple[Any, ...] = (None, True, 0, -1, 1.5, 2**64, "", "x" * 70_000, [], {}, ["x"], {"a": 1})


@dataclass(frozen=True)
class Mutant:
    family: str
    text: str
    refused_by: str | None  # the bridge.rejected rule prefix it must get, if it must be refused


def _valid(doc: str, token: str, href: str, seq: int) -> dict[str, Any]:
    return {
        "kind": "call",
        "seq": seq,
        "doc": doc,
        "token": token,
        "href": href,
        "object": "MobilePlans",
        "member": "createPurchaseMetaData",
        "args": [{"t": "string", "v": "x"}],
        "operationId": None,
    }


def _refusal_for(field: str, value: Any) -> str | None:
    """Which rule refuses `value` in `field` (None: the message is well-formed, then checked)."""
    text = isinstance(value, str)
    if field == "kind":
        return "envelope.kind"
    if field == "seq":
        return None if type(value) is int and value >= 1 else "envelope.seq"
    if field == "doc":
        return "envelope.doc"
    if field in ("token", "href"):
        if not text:
            return "envelope.fields"
        return "bridge.token" if field == "token" else "bridge.origin"
    if field in ("object", "member"):
        return None if text else "envelope.call.names"
    if field == "args":
        if not isinstance(value, list):
            return "envelope.call.args"
        return None if value == [] else "envelope.args."
    raise AssertionError(field)


def _deep_args(envelope: dict[str, Any], depth: int) -> str:
    # json.dumps would recurse that deep itself: the tree is spliced in as text.
    nested = '{"t": "array", "v": [' * depth + '{"t": "null"}' + "]}" * depth
    return json.dumps(dict(envelope, args="@")).replace('"@"', "[" + nested + "]")


def _mutants(rng: random.Random, doc: str, token: str, href: str, seq: int) -> Mutant:
    envelope = _valid(doc, token, href, seq)
    family = rng.choice(
        ("field-type", "token", "doc", "href", "kind", "seq", "args", "encoding", "size")
    )
    if family == "field-type":
        field = rng.choice(("kind", "seq", "doc", "token", "href", "object", "member", "args"))
        value = rng.choice(WRONG)
        envelope[field] = value
        return Mutant(f"{family}:{field}", json.dumps(envelope), _refusal_for(field, value))
    if family == "token":
        envelope["token"] = rng.choice(("", token.upper(), token[:-1], token + "0", "0" * 32))
        return Mutant(family, json.dumps(envelope), "bridge.token")
    if family == "doc":
        envelope["doc"] = rng.choice(("0" * 32, doc[::-1], "f" * 32))
        return Mutant(family, json.dumps(envelope), "bridge.document")
    if family == "href":
        envelope["href"] = rng.choice(
            (
                f"http://{PORTAL_DIR_HOST}/",
                f"https://{PORTAL_DIR_HOST}:444/",
                "https://evil.test/",
                "javascript:alert(1)",
                "",
                "https://[::1/",
            )
        )
        return Mutant(family, json.dumps(envelope), "bridge.origin")
    if family == "kind":
        envelope["kind"] = rng.choice(("Call", "ready ", "deliver", "set\u0000"))
        return Mutant(family, json.dumps(envelope), "envelope.kind")
    if family == "seq":
        envelope["seq"] = rng.choice((0, -5, seq + 1000, 2**53, 1))
        refused = "envelope.seq" if envelope["seq"] < 1 else None
        return Mutant(family, json.dumps(envelope), refused)
    if family == "args":
        choice = rng.choice(("tag", "deep", "wide", "shape", "cycle-like"))
        text = ""
        if choice == "tag":
            envelope["args"] = [{"t": rng.choice(("strin", "", "Object", "number")), "v": []}]
        elif choice == "deep":
            text = _deep_args(envelope, rng.choice((40, 500, 5000)))
        elif choice == "wide":
            envelope["args"] = [{"t": "array", "v": [{"t": "null"}] * 20_000}]
        elif choice == "shape":
            envelope["args"] = [{"t": "object", "v": [["a"], ["b", {"t": "null"}, 1]]}]
        else:
            envelope["args"] = [{"t": "object", "v": [["a", {"t": "cycle"}]] * 2}]
        # A well-formed call with a malformed argument tree is refused before the contract.
        # Too deep for json itself (envelope.json) or for the argument decoder.
        refusal = "envelope." if choice == "deep" else "envelope.args."
        return Mutant(f"{family}:{choice}", text or json.dumps(envelope), refusal)
    if family == "encoding":
        text = json.dumps(envelope)
        choice = rng.choice(("truncated", "bom", "nan", "not-json", "surrogate-key", "dup-key"))
        if choice == "truncated":
            return Mutant(family, text[: rng.randrange(1, len(text) - 1)], "envelope.json")
        if choice == "bom":
            # Qt's string conversion drops a leading BOM: then it is the valid call it was.
            return Mutant(family, "\ufeff" + text, None)
        if choice == "nan":
            return Mutant(family, text.replace('"seq": ', '"seq": NaN, "x": '), "envelope.seq")
        if choice == "not-json":
            return Mutant(family, rng.choice(("", "[]", "null", "'x'", "{")), "envelope.")
        if choice == "surrogate-key":
            return Mutant(family, text.replace('"member"', '"\\ud800"', 1), "envelope.call")
        return Mutant(family, text.replace('"kind": "call"', '"kind": "x", "kind": "call"'), None)
    envelope["args"] = [{"t": "string", "v": "x" * (9 * 1024 * 1024)}]
    return Mutant("size", json.dumps(envelope), "envelope.size")


def test_mutated_envelopes_with_the_real_token_are_refused_or_checked_in_time(
    harness: Harness,
) -> None:
    _launch(harness)
    doc = harness.events("bridge.ready")[-1].fields["doc"]
    href = harness.events("bridge.ready")[-1].fields["url"]
    token = harness.simulator.host._token
    events = harness.simulator.events
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    slowest = 0.0
    seq = 100
    started = time.monotonic()
    for _ in range(CASES):
        seq += 1
        mutant = _mutants(rng, doc, token, href, seq)
        before = len(events)
        began = time.monotonic()
        harness.simulator.page.endpoint.call(mutant.text)  # synchronous: the slot runs now
        took = time.monotonic() - began
        slowest = max(slowest, took)
        new = [e for e in events if e.seq > before]
        rejected = [e.fields["rule"] for e in new if e.kind == "bridge.rejected"]
        called = [e for e in new if e.kind == "bridge.call"]
        internal = [e for e in new if e.fields.get("rule") == "contract.internal-error"]
        outcome = f"rejected {rejected[0]}" if rejected else "checked call" if called else "none"
        outcomes[outcome.split(":")[0]] += 1
        case = f"{mutant.family} {mutant.text[:120]!r}"
        if outcome == "none" or internal:
            failures.append(f"{case}: {outcome} {internal}")
        elif mutant.refused_by and not (rejected and rejected[0].startswith(mutant.refused_by)):
            failures.append(f"{case}: wanted {mutant.refused_by}, got {outcome}")
        if took > DEADLINE:
            failures.append(f"{case}: took {took:.2f} s")
    seconds = time.monotonic() - started
    print(f"\n== bridge channel: {CASES} cases in {seconds:.1f} s, slowest {slowest * 1000:.0f} ms")
    for outcome, count in outcomes.most_common():
        print(f"   {count:6d}  {outcome}")
    print("\n".join(failures[:20]))
    assert failures == []
    # Still serving: the page's own next call is carried and checked.
    before = len(events)
    harness.js("MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled', planName: ''})")
    harness.wait_for("bridge.call", after=before, method="notifyCancelledPurchase")
