"""5,000 random calls through the real bridge: the app stays up, nothing is lost or doubled."""

from __future__ import annotations

from e2e_helpers import Harness

CALLS = 5000

# A seeded generator in the page, so a failure replays exactly.
FUZZ = r"""
(function () {
  let state = 0x2545F491;
  const rnd = (n) => { state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
                       return Math.abs(state) % n; };
  const objects = ["MobilePlans", "MobilePlansInlineOperations", "DataMart",
                   "MobilePlansInlineProfile", "MobilePlansInlineProfileDownload",
                   "DataMartInlineProfile"];
  const huge = "x".repeat(1024 * 1024);
  const cyclic = {a: 1}; cyclic.self = cyclic;
  const polluted = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1},'
                              + ' "moDirectStatus": "Complete", "planName": "P"}');
  const values = [
    () => undefined, () => null, () => true, () => rnd(2) === 0, () => rnd(1e9) - 5e8,
    () => NaN, () => Infinity, () => 1.5, () => -1, () => 4294967296, () => "",
    () => "1$smdp.mobileplans.test$" + rnd(1e6), () => "LPA:1$a.b$c", () => "{not json",
    () => JSON.stringify({ver: "1", success: true, purchaseResult: "{}"}),
    () => JSON.stringify({success: "yes"}), () => "8988247000100003319", () => "89" + rnd(1e9),
    () => (rnd(40) === 0 ? huge : "short"), () => [1, "two", [3]], () => ({Id: "nope"}),
    () => ({moDirectStatus: "Complete", planName: ""}), () => ({lineType: "New", line: "Existing"}),
    () => polluted, () => cyclic, () => function named() {}, () => Symbol("s"), () => 10n,
    () => ({nested: {deeper: {deepest: [{}, [], null]}}}), () => new Date(0), () => /re/,
  ];
  const methods = {};
  for (const o of objects) {
    methods[o] = Object.keys(window[o]).filter((k) => !k.endsWith("Script"));
  }
  const memberNames = (o) => methods[o].concat(["registrationChangedScript",
    "profileActivationCompleteScript", "notAMember", "registrationCompleteScript"]);
  let made = 0;
  for (let i = 0; i < CALL_COUNT; i += 1) {
    const object = objects[rnd(objects.length)];
    const members = memberNames(object);
    const member = members[rnd(members.length)];
    const target = window[object];
    const argc = rnd(5);
    const args = [];
    for (let a = 0; a < argc; a += 1) args.push(values[rnd(values.length)]());
    // A documented method is called; any other name is assigned (a property set is also a
    // message to Python). Values the fuzz assigned earlier are never called: they are the
    // page's own functions and would not reach the app.
    if (methods[object].includes(member)) {
      target[member].apply(target, args);
    } else {
      target[member] = args[0];
    }
    made += 1;
  }
  return made;
})()
"""


def test_random_calls_each_become_a_command_or_a_violation(harness: Harness) -> None:
    harness.launch_and_wait()
    doc = harness.events("bridge.ready")[-1].fields["doc"]
    # The <head> script's last message: after it, none of the page's own calls is in flight.
    harness.wait_for("bridge.call", method="registrationChangedScript", doc=doc)
    start = len(harness.events("bridge.call"))
    made = harness.js(FUZZ.replace("CALL_COUNT", str(CALLS)), timeout=120000)
    assert made == CALLS
    harness.qtbot.waitUntil(
        lambda: len(harness.events("bridge.call")) - start >= CALLS, timeout=180000
    )
    calls = [e for e in harness.events("bridge.call")[start:] if e.fields["doc"] == doc]
    seqs = [e.fields["seq"] for e in calls]
    assert len(seqs) == len(set(seqs)) == CALLS  # nothing doubled
    assert seqs == sorted(seqs)  # in order
    assert not harness.events("bridge.sequence-gap")  # nothing lost
    assert not [e for e in harness.events("bridge.rejected") if e.fields["rule"] != "bridge.origin"]
    commands = {e.fields["call_seq"] for e in harness.events("contract.command")}
    errors = {
        e.fields["call_seq"]
        for e in harness.events("contract.violation")
        if e.fields["severity"] == "error"
    }
    for seq in seqs:
        assert seq in commands or seq in errors, f"call #{seq} neither accepted nor rejected"
    # Untrusted input never breaks the contract checker itself.
    assert not [
        e
        for e in harness.events("contract.violation")
        if e.fields["rule"] == "contract.internal-error"
    ]
