"""``make fuzz``: structurally mutated valid messages at every eSIM edge, many cases per edge.

Edges: ``codec`` (every SGP.22 message the SM-DP+, the LPA or the eUICC decodes), ``es10``
(ES10 commands as STORE DATA APDUs to the emulated eUICC), ``es9`` (ES9+ bodies over HTTPS,
DER mutated inside the base64 fields and JSON mutated around them) and ``es2`` (ES2+ bodies
over HTTPS with the operator's credential). Every case must end in a refusal (or a valid
answer) of the kind the edge defines; an internal error, a 5xx, an exception escaping or a
case slower than the deadline is a failure, printed with its input, and the exit status is 1.

Environment: ``FUZZ_CASES`` (cases per edge, default 10000), ``FUZZ_SEED`` (default 11),
``FUZZ_EDGES`` (comma-separated subset), ``FUZZ_DEADLINE`` (seconds per case, default 5).
"""

from __future__ import annotations

import base64
import json
import os
import random
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "unit" / "esim")]

from der_mutations import mutate_segment, random_mutants  # noqa: E402
from esim_samples import esim_samples, prepared_bpp  # noqa: E402
from euicc_harness import CardStatusError, Lpa, open_card  # noqa: E402
from smdp_es9_harness import ThreadedServer  # noqa: E402
from smdp_fake_euicc import ADDRESS, ES2_AUTHORIZATION, OPERATOR, FakeEuicc  # noqa: E402

from esim.asn1 import messages as m  # noqa: E402
from esim.asn1.errors import Asn1DecodeError  # noqa: E402
from esim.identifiers import Iccid  # noqa: E402
from esim.smdp.profile_package import ProfileSpec, generate_iccid  # noqa: E402

JSON_WRONG: list[Any] = [None, 0, -1, 2.5, True, [], {}, "", "=", "A" * 70_000, ["A"], {"a": 1}]


@dataclass
class EdgeReport:
    """Figures of one edge."""

    name: str
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slowest: float = 0.0

    def record(self, outcome: str, took: float, deadline: float, case: str) -> None:
        self.cases += 1
        self.outcomes[outcome] += 1
        self.slowest = max(self.slowest, took)
        if outcome.startswith("FAIL"):
            self.failures.append(f"{outcome}: {case[:300]}")
        elif took > deadline:
            self.failures.append(f"slow ({took:.2f} s > {deadline} s): {case[:300]}")

    def print(self) -> None:
        rate = self.cases / self.seconds if self.seconds else 0.0
        print(
            f"== {self.name}: {self.cases} cases in {self.seconds:.1f} s ({rate:.0f}/s), "
            f"slowest case {self.slowest * 1000:.0f} ms, {len(self.failures)} failures"
        )
        for outcome, count in self.outcomes.most_common():
            print(f"   {count:7d}  {outcome}")
        for failure in self.failures[:10]:
            print(f"   FAILURE {failure}")


Case = tuple[str, Callable[[], str]]
"""(description, run) where run returns the outcome kind."""


def run_edge(name: str, cases: Iterator[Case], deadline: float) -> EdgeReport:
    report = EdgeReport(name)
    started = time.monotonic()
    for description, run in cases:
        began = time.monotonic()
        try:
            outcome = run()
        except Exception as error:  # the failure being hunted: report it, keep fuzzing
            outcome = f"FAIL escaped {type(error).__name__}: {str(error)[:120]}"
        report.record(outcome, time.monotonic() - began, deadline, description)
    report.seconds = time.monotonic() - started
    report.print()
    return report


# -- codec ---------------------------------------------------------------------------------------


def codec_cases(count: int, rng: random.Random) -> Iterator[Case]:
    seeds = list(esim_samples().by_message.items())
    for index in range(count):
        message, seed = seeds[index % len(seeds)]
        for kind, mutant in random_mutants(seed, rng, 1):

            def run(message: Any = message, mutant: bytes = mutant) -> str:
                try:
                    message.decode(mutant)
                except Asn1DecodeError as error:
                    return f"refused {error.rule.split(':')[0].rsplit('.', 1)[-1]}"
                return "decoded (still valid)"

            yield f"{message.type_name} {kind} {mutant.hex()}", run


# -- es10 ----------------------------------------------------------------------------------------


def es10_cases(count: int, rng: random.Random, lpa: Lpa) -> Iterator[Case]:
    seeds = list(esim_samples().es10_requests.items())
    for index in range(count):
        if index % 5 == 4:
            yield bpp_case(rng, lpa)
            continue
        name, seed = seeds[index % len(seeds)]
        for kind, mutant in random_mutants(seed, rng, 1):

            def run(mutant: bytes = mutant) -> str:
                try:
                    answer = lpa.es10(mutant)
                except CardStatusError as error:
                    if error.sw == 0x6F00:
                        return "FAIL 6F00 (internal error)"
                    return f"status word {error.sw:04X}"
                if not answer:
                    return "90 00 (no data)"
                return f"answer tag {answer[:2].hex().upper()}"

            yield f"{name} {kind} {mutant.hex()}", run


def bpp_case(rng: random.Random, lpa: Lpa) -> Case:
    """A fresh session's BPP, mutated whole or in one lpac segment, loaded into the card."""
    bpp = prepared_bpp(lpa)
    if rng.random() < 0.5:
        commands = [next(random_mutants(bpp, rng, 1))[1]]
    else:
        commands = m.load_bpp_commands(bpp)
        index = rng.randrange(len(commands))
        commands[index] = mutate_segment(commands[index], rng)

    def run() -> str:
        try:
            for command in commands:
                answer = lpa.es10(command)
                if answer and answer[:2] != b"\xbf\x37":  # a retag made it another function
                    return f"LoadBPP answered by tag {answer[:2].hex().upper()}"
                if answer:
                    result = m.PROFILE_INSTALLATION_RESULT.decode(answer)
                    kind = result["profileInstallationResultData"]["finalResult"][0]
                    return f"LoadBPP {kind}"
        except CardStatusError as error:
            if error.sw == 0x6F00:
                return "FAIL LoadBPP 6F00 (internal error)"
            return f"LoadBPP status word {error.sw:04X}"
        return "LoadBPP no result"

    return f"LoadBoundProfilePackage {b''.join(commands).hex()[:200]}", run


# -- es9 / es2 over HTTPS -------------------------------------------------------------------------


def classify(response: Any) -> str:
    if response.status_code >= 500:
        return f"FAIL HTTP {response.status_code}"
    if response.status_code == 204:
        return "204 accepted"
    try:
        status = response.json()["header"]["functionExecutionStatus"]
    except (ValueError, KeyError, TypeError):
        return f"FAIL not an ES9+ answer (HTTP {response.status_code})"
    if status["status"] != "Failed":
        return str(status["status"])
    data = status["statusCodeData"]
    code = f"{data['subjectCode']}/{data['reasonCode']}"
    if code == "1.2/4.2":
        return f"FAIL internal error {data['message'][:100]}"
    rule = data["message"].split(":", 1)[0]
    return f"refused {code} {rule.split('.')[0]}"


def es9_cases(count: int, rng: random.Random, smdp: ThreadedServer) -> Iterator[Case]:
    def post(function: str, body: Any) -> Any:
        return smdp.post(f"/gsma/rsp2/es9plus/{function}", json.dumps(body).encode())

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    def fresh_session() -> tuple[FakeEuicc, dict[str, Any]]:
        euicc = FakeEuicc()
        info1 = euicc.euicc_info1()
        body = {
            "smdpAddress": ADDRESS,
            "euiccChallenge": b64(euicc.challenge),
            "euiccInfo1": b64(info1),
        }
        return euicc, post("initiateAuthentication", body).json()

    euicc, init = fresh_session()
    authenticate_server_response = euicc.authenticate_server(init, "X")
    seeds = {
        "initiateAuthentication/euiccInfo1": euicc.euicc_info1(),
        "authenticateClient/authenticateServerResponse": authenticate_server_response,
        "handleNotification/pendingNotification": euicc.other_notification(
            "89000123456789012341", "delete"
        ),
        "handleNotification/pendingNotification(PIR)": euicc.installation_result(
            Iccid.parse("89000123456789012341"), success=True
        ),
        "cancelSession/cancelSessionResponse": euicc.cancel_session(1),
    }
    names = list(seeds)

    def new_order() -> str:
        return smdp.server.store.create_order(ProfileSpec(iccid=generate_iccid())).matching_id

    authenticated = authenticated_session(post, new_order)
    seed_tid, seeds["getBoundProfilePackage/prepareDownloadResponse"] = authenticated()
    # Refused (not a prepareDownloadResponse), so the seed's session gives its order back.
    post("getBoundProfilePackage", {"transactionId": seed_tid, "prepareDownloadResponse": "gAA="})
    for index in range(count):
        if index % 10 == 9:  # decoded only in an authenticated session: one per case
            _, mutant = next(
                random_mutants(seeds["getBoundProfilePackage/prepareDownloadResponse"], rng, 1)
            )

            def run_bpp(mutant: bytes = mutant) -> str:
                tid, _ = authenticated()
                body = {"transactionId": tid, "prepareDownloadResponse": b64(mutant)}
                return "getBPP " + classify(post("getBoundProfilePackage", body))

            yield f"getBoundProfilePackage {mutant.hex()}", run_bpp
            continue
        target = names[index % len(names)]
        function, field_name = target.split("/")
        field_name = field_name.split("(")[0]
        json_level = rng.random() < 0.25
        mutant = b""
        if not json_level:
            _, mutant = next(random_mutants(seeds[target], rng, 1))

        def run(
            function: str = function,
            field_name: str = field_name,
            mutant: bytes = mutant,
            json_level: bool = json_level,
        ) -> str:
            body: dict[str, Any] = {}
            if function == "initiateAuthentication":
                fake = FakeEuicc()
                fake.euicc_info1()
                body = {"smdpAddress": ADDRESS, "euiccChallenge": b64(fake.challenge)}
            elif function in ("authenticateClient", "cancelSession"):
                body = {"transactionId": fresh_session()[1]["transactionId"]}
            body[field_name] = b64(mutant or seeds[f"{function}/{field_name}"])
            if json_level:
                key = rng.choice(list(body))
                body[key] = rng.choice(JSON_WRONG)
            return classify(post(function, body))

        yield f"{target} {'json' if json_level else mutant.hex()}", run


def authenticated_session(
    post: Callable[[str, Any], Any], new_order: Callable[[], str]
) -> Callable[[], tuple[str, bytes]]:
    """A function giving a fresh authenticated session's transactionId and a valid
    prepareDownloadResponse for it. A refused getBoundProfilePackage gives the order back; when
    a mutant was accepted (the order is gone), the next call takes a new order."""
    matching_ids = [new_order()]

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    def authenticate() -> tuple[str, bytes]:
        euicc = FakeEuicc()
        info1 = euicc.euicc_info1()
        init = post(
            "initiateAuthentication",
            {
                "smdpAddress": ADDRESS,
                "euiccChallenge": b64(euicc.challenge),
                "euiccInfo1": b64(info1),
            },
        ).json()
        response = euicc.authenticate_server(init, matching_ids[-1])
        body = {"transactionId": init["transactionId"], "authenticateServerResponse": b64(response)}
        auth = post("authenticateClient", body).json()
        if "smdpSigned2" not in auth:
            matching_ids.append(new_order())
            return authenticate()
        return init["transactionId"], euicc.prepare_download(auth, None)

    return authenticate


def es2_cases(count: int, rng: random.Random, smdp: ThreadedServer) -> Iterator[Case]:
    header = {"functionRequesterIdentifier": OPERATOR, "functionCallIdentifier": "1"}
    seeds: dict[str, dict[str, Any]] = {
        "downloadOrder": {
            "header": header,
            "eid": "89049032123451234512345678901235",
            "profileType": "p",
            "profileClass": "operational",
        },
        "confirmOrder": {
            "header": header,
            "iccid": "89000123456789012341",
            "releaseFlag": True,
            "matchingId": "M",
            "confirmationCode": "1",
        },
        "cancelOrder": {
            "header": header,
            "iccid": "89000123456789012341",
            "finalProfileStatusIndicator": "Available",
        },
        "releaseProfile": {"header": header, "iccid": "89000123456789012341"},
    }
    names = list(seeds)
    for index in range(count):
        function = names[index % len(names)]
        body = json.loads(json.dumps(seeds[function]))
        for _ in range(rng.randint(1, 3)):
            key = rng.choice([*body, "header"])
            if key == "header" and isinstance(body.get("header"), dict):
                body["header"][rng.choice(list(header))] = rng.choice(JSON_WRONG)
            else:
                body[key] = rng.choice(JSON_WRONG)
        content = json.dumps(body).encode()
        if rng.random() < 0.1:
            content = content[: rng.randint(0, len(content))]

        def run(function: str = function, content: bytes = content) -> str:
            response = smdp.client.post(
                f"{smdp.base}/gsma/rsp2/es2plus/{function}",
                content=content,
                headers={"Host": ADDRESS, "Content-Type": "application/json", **ES2_AUTHORIZATION},
                extensions={"sni_hostname": ADDRESS},
            )
            return classify(response)

        yield f"{function} {content[:200]!r}", run


def main() -> int:
    count = int(os.environ.get("FUZZ_CASES", "10000"))
    seed = int(os.environ.get("FUZZ_SEED", "11"))
    deadline = float(os.environ.get("FUZZ_DEADLINE", "5"))
    edges = os.environ.get("FUZZ_EDGES", "codec,es10,es9,es2").split(",")
    rng = random.Random(seed)
    # cryptography warns about some hostile certificates it still loads; the figures say more.
    warnings.simplefilter("ignore")
    print(f"fuzz: {count} cases per edge, seed {seed}, deadline {deadline} s, edges {edges}")
    reports: list[EdgeReport] = []
    with tempfile.TemporaryDirectory(prefix="esim-fuzz-") as scratch:
        root = Path(scratch)
        if "codec" in edges:
            reports.append(run_edge("codec", codec_cases(count, rng), deadline))
        if "es10" in edges:
            card = open_card(root / "card")
            try:
                lpa = Lpa(card).open()
                reports.append(run_edge("es10 (APDUs)", es10_cases(count, rng, lpa), deadline))
            finally:
                card.close()
        if "es9" in edges or "es2" in edges:
            smdp = ThreadedServer(root / "smdp")
            try:
                if "es9" in edges:
                    reports.append(run_edge("es9+ (HTTPS)", es9_cases(count, rng, smdp), deadline))
                if "es2" in edges:
                    reports.append(run_edge("es2+ (HTTPS)", es2_cases(count, rng, smdp), deadline))
            finally:
                smdp.close()
    failed = sum(len(report.failures) for report in reports)
    print(f"fuzz: {sum(r.cases for r in reports)} cases, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
