"""Structurally mutated SOAP and REST callbacks against the real listener over HTTP.

Each case starts from a valid callback and breaks its structure: element and JSON types,
nesting, sizes, encodings, missing, repeated and renamed parts, truncation. Every case must be
answered within the deadline with no 5xx; a case whose mutation is certain to break a rule must
be refused (4xx) and change nothing; and the listener must still accept a valid callback after
the run. ``FUZZ_CASES`` (per wire; default a CI-sized count), ``FUZZ_SEED`` and
``FUZZ_DEADLINE`` (seconds per case) scale it up, e.g.
``FUZZ_CASES=10000 pytest tests/adversarial/test_listener_mutations.py -s``.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from esim.identifiers import Iccid
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.codec import CallbackMessage, DeviceId, PromoChange, build_rest_callback
from simulator.thingspace.listener import CallbackListener

CASES = int(os.environ.get("FUZZ_CASES") or 200)
SEED = int(os.environ.get("FUZZ_SEED") or 11)
DEADLINE = float(os.environ.get("FUZZ_DEADLINE") or 5)

SOAP_SEED = (
    Path(__file__).resolve().parents[1]
    / "unit"
    / "thingspace"
    / "data"
    / "promo_change_seed_003.xml"
).read_bytes()
ICCID = str(Iccid.with_check_digit("890126012345678901"))
MDN = "3124705797"
NPHASE = "{http://nphase.com/unifiedwebservice/v2}"
# Leaves without which a PromoChange callback cannot be read. (A callback naming no device, or
# an unknown payload in place of PromoChange, is read and answered: the carrier ignores it.)
REQUIRED = ("RequestId", "Change", "ChangeDate", "Kind", "Identifier")
# The listener's caps on texts (RequestId and credentials, any payload field).
CAPS = {"RequestId": 256, "Username": 256, "Password": 256, "Change": 8192, "ChangeDate": 8192}


@dataclass(frozen=True)
class Mutant:
    family: str
    body: bytes
    content_type: str
    must_refuse: bool


# -- SOAP ----------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _soap_tree(request_id: str) -> ET.Element:
    root = ET.fromstring(SOAP_SEED)  # our own seed file, not untrusted input
    for element in root.iter():
        if _local(element.tag) == "RequestId":
            element.text = request_id
    return root


def _soap_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _parent_map(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def _pick(root: ET.Element, rng: random.Random, *, required: bool | None = None) -> ET.Element:
    elements = [e for e in root.iter() if e is not root]
    if required is not None:
        elements = [e for e in elements if (_local(e.tag) in REQUIRED) == required] or elements
    return rng.choice(elements)


def _soap_mutants(rng: random.Random, request_id: str) -> Iterator[Mutant]:
    family = rng.choice(SOAP_FAMILIES)
    root = _soap_tree(request_id)
    parents = _parent_map(root)
    xml = "text/xml; charset=utf-8"
    if family == "leaf-becomes-group":
        target = _pick(root, rng, required=True)
        target.text = None
        ET.SubElement(target, f"{NPHASE}Unexpected").text = "x"
        name = f"{family}:{_local(target.tag)}"
        yield Mutant(name, _soap_bytes(root), xml, _local(target.tag) in REQUIRED)
    elif family == "group-becomes-text":
        groups = [e for e in root.iter() if len(e) and e is not root]
        target = rng.choice(groups)
        for child in list(target):
            target.remove(child)
        target.text = "flattened"
        yield Mutant(family, _soap_bytes(root), xml, True)
    elif family == "deep-nesting":
        # Spliced in as text: ElementTree itself would recurse that deep when serialising.
        target = _pick(root, rng, required=True)
        depth = rng.choice((40, 200, 5000))
        parent = parents[target]
        marker = ET.Element("FUZZ-MARKER")
        parent.insert(list(parent).index(target), marker)
        parent.remove(target)
        nested = b"<Wrap>" * depth + ET.tostring(target) + b"</Wrap>" * depth
        body = _soap_bytes(root).replace(b"<FUZZ-MARKER />", nested)
        yield Mutant(f"{family}:{_local(target.tag)}", body, xml, True)
    elif family == "huge-text":
        target = _pick(root, rng)
        size = rng.choice((300, 5_000, 9_000, 900_000, 1_200_000))
        target.text = "x" * size
        for child in list(target):
            target.remove(child)
        body = _soap_bytes(root)
        local = _local(target.tag)
        refuse = (
            len(body) > 2**20 or local in ("Kind", "Identifier") or size > CAPS.get(local, 2**30)
        )
        yield Mutant(f"{family}:{local}", body, xml, refuse)
    elif family == "many-siblings":
        target = _pick(root, rng)
        parent = parents[target]
        copies = rng.choice((2, 300, 20_000))
        parent.insert(list(parent).index(target), ET.Element("FUZZ-MARKER"))
        body = _soap_bytes(root).replace(b"<FUZZ-MARKER />", ET.tostring(target) * copies)
        # Two Devices are fine; hundreds are over the cap, and a second RequestId is ambiguous.
        refuse = len(body) > 2**20 or (copies > 256 and _local(target.tag) == "Device")
        yield Mutant(f"{family}:{_local(target.tag)}", body, xml, refuse)
    elif family == "removed":
        target = _pick(root, rng, required=True)
        parents[target].remove(target)
        name = f"{family}:{_local(target.tag)}"
        yield Mutant(name, _soap_bytes(root), xml, _local(target.tag) in REQUIRED)
    elif family == "renamed":
        target = _pick(root, rng, required=True)
        target.tag = target.tag + "X"
        name = f"{family}:{_local(target.tag)}"
        yield Mutant(name, _soap_bytes(root), xml, _local(target.tag)[:-1] in REQUIRED)
    elif family == "truncated":
        body = _soap_bytes(root)
        yield Mutant(family, body[: rng.randrange(1, len(body) - 20)], xml, True)
    elif family == "invalid-utf8":
        body = _soap_bytes(root)
        at = body.index(b"PromoCode")
        bad = rng.choice((b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80"))
        yield Mutant(family, body[:at] + bad + body[at:], xml, True)
    elif family == "forbidden-character":
        body = _soap_bytes(root)
        ref = rng.choice((b"&#xD800;", b"&#0;", b"&#x1F;", b"&#xFFFE;", b"\x00", b"\x0b"))
        yield Mutant(family, body.replace(b"PromoCode", ref + b"PromoCode", 1), xml, True)
    elif family == "declared-encoding":
        text = _soap_bytes(root).split(b"?>", 1)[1]
        encoding = rng.choice(("utf-16", "utf-16-le", "latin-1", "utf-32"))
        declared = rng.choice(("UTF-16", "UTF-8", "ISO-8859-1", "EBCDIC", "nonsense"))
        head = f'<?xml version="1.0" encoding="{declared}"?>'.encode(encoding)
        body = head + text.decode().encode(encoding)
        yield Mutant(family, body, xml, False)
    elif family == "doctype":
        head = rng.choice(
            (
                b'<!DOCTYPE s [<!ENTITY e "x">]>',
                b'<!DOCTYPE s SYSTEM "http://127.0.0.1:9/x.dtd">',
                b"<!DOCTYPE s>",
            )
        )
        yield Mutant(family, head + SOAP_SEED, xml, True)
    elif family == "markup":
        body = _soap_bytes(root)
        extra = rng.choice((b"<!-- c -->", b"<?pi x?>", b"<![CDATA[PromoCode]]>", b" "))
        yield Mutant(family, body.replace(b"PromoCode", extra + b"PromoCode", 1), xml, False)


SOAP_FAMILIES = (
    "leaf-becomes-group",
    "group-becomes-text",
    "deep-nesting",
    "huge-text",
    "many-siblings",
    "removed",
    "renamed",
    "truncated",
    "invalid-utf8",
    "forbidden-character",
    "declared-encoding",
    "doctype",
    "markup",
)


# -- REST ----------------------------------------------------------------------------------------

WRONG_VALUES: tuple[Callable[[], Any], ...] = (
    lambda: None,
    lambda: True,
    lambda: 0,
    lambda: -1,
    lambda: 2.5,
    lambda: 2**70,
    lambda: "",
    lambda: "x" * 300,
    list,
    dict,
    lambda: ["x"],
    lambda: {"k": "v"},
)


def _rest_document(request_id: str) -> dict[str, Any]:
    message = CallbackMessage(
        PromoChange("PromoCode Dropped.", "4/1/2017 12:00:00 AM"),
        request_id=request_id,
        devices=(DeviceId.parse("mdn", MDN),),
        callback_count=1,
        max_callback_threshold=4,
    )
    document: dict[str, Any] = json.loads(build_rest_callback(message))
    return document


def _type_fits(path: tuple[str, ...], value: Any) -> bool:
    """Whether `value` at `path` may still be valid (so the case need not be refused)."""
    name = path[-1]
    if name in ("username", "password", "status"):
        return value is None or (isinstance(value, str) and len(value) <= 256)
    if name in ("callbackCount", "maxCallbackThreshold"):
        return value is None or (type(value) is int and value >= 0)
    if name in ("change", "changeDate"):
        return isinstance(value, str)  # any text is a Change; the carrier judges the date
    if name == "requestId":
        return isinstance(value, str) and len(value.strip()) > 0 and len(value) <= 256
    if name == "deviceIds":
        return value == []  # a callback may name no device
    return False  # the payload and a device entry have exactly one valid shape


def _rest_mutants(rng: random.Random, request_id: str) -> Iterator[Mutant]:
    family = rng.choice(REST_FAMILIES)
    document = _rest_document(request_id)
    content_type = "application/json"
    if family == "wrong-type":
        paths: list[tuple[str, ...]] = [
            ("username",),
            ("password",),
            ("requestId",),
            ("deviceIds",),
            ("promoChange",),
            ("callbackCount",),
            ("maxCallbackThreshold",),
            ("deviceIds", "0"),
            ("deviceIds", "0", "id"),
            ("deviceIds", "0", "kind"),
            ("promoChange", "change"),
            ("promoChange", "changeDate"),
        ]
        path = rng.choice(paths)
        value = rng.choice(WRONG_VALUES)()
        holder: Any = document
        for step in path[:-1]:
            holder = holder[int(step)] if isinstance(holder, list) else holder[step]
        key: Any = int(path[-1]) if isinstance(holder, list) else path[-1]
        holder[key] = value
        body = json.dumps(document).encode()
        name = f"{family}:{'.'.join(path)}={type(value).__name__}"
        yield Mutant(name, body, content_type, not _type_fits(path, value))
    elif family == "deep-nesting":
        depth = rng.choice((40, 1000, 100_000))
        where = rng.choice(("promoChange", "requestId", "deviceIds"))
        inner = json.dumps(document[where])
        opener, closer = rng.choice((("[", "]"), ('{"a":', "}")))
        nested = opener * depth + inner + closer * depth
        body = json.dumps(dict(document, **{where: "@"})).encode().replace(b'"@"', nested.encode())
        yield Mutant(family, body, content_type, True)
    elif family == "size":
        choice = rng.choice(("request-id", "devices", "body", "credential", "keys"))
        if choice == "request-id":
            document["requestId"] = request_id + "x" * 900_000
        elif choice == "devices":
            document["deviceIds"] = [{"id": MDN, "kind": "mdn"}] * 300
        elif choice == "body":
            document["promoChange"]["change"] = "x" * 1_100_000
        elif choice == "credential":
            document["password"] = "p" * 10_000
        else:
            document["promoChange"].update({f"k{n}": n for n in range(20_000)})
        # Unknown fields of a payload are ignored (and never kept), so many of them may pass.
        body = json.dumps(document).encode()
        yield Mutant(f"size-{choice}", body, content_type, choice != "keys" or len(body) > 2**20)
    elif family == "encoding":
        text = json.dumps(document, ensure_ascii=False)
        choice = rng.choice(("surrogate", "invalid-utf8", "nan", "control", "utf16", "bom"))
        if choice == "surrogate":
            escape = rng.choice(("\\ud800", "\\udfff", "\\ud83d"))
            field = rng.choice(("username", "requestId", "change"))
            body = text.replace(f'"{field}": "', f'"{field}": "{escape}', 1).encode()
        elif choice == "invalid-utf8":
            body = text.encode().replace(b"PromoCode", b"\xc3\x28PromoCode", 1)
        elif choice == "nan":
            body = text.replace("1,", rng.choice(("NaN,", "Infinity,", "-Infinity,")), 1).encode()
        elif choice == "control":
            body = text.replace("PromoCode", "Promo\x01\nCode", 1).encode()
        elif choice == "utf16":
            body = text.encode(rng.choice(("utf-16", "utf-16-le", "utf-32")))
        else:
            body = b"\xef\xbb\xbf" + text.encode()
        yield Mutant(f"encoding-{choice}", body, content_type, choice not in ("utf16", "bom"))
    elif family == "structure":
        choice = rng.choice(("duplicate-key", "extra-payload", "no-payload", "no-request-id"))
        text = json.dumps(document)
        if choice == "duplicate-key":
            body = text.replace('"requestId":', '"requestId": "other", "requestId":', 1).encode()
        elif choice == "extra-payload":
            body = json.dumps(dict(document, faultResponse={})).encode()
        elif choice == "no-payload":
            body = json.dumps({k: v for k, v in document.items() if k != "promoChange"}).encode()
        else:
            body = json.dumps({k: v for k, v in document.items() if k != "requestId"}).encode()
        yield Mutant(f"structure-{choice}", body, content_type, True)
    elif family == "root":
        body = rng.choice((b"[]", b'"x"', b"null", b"1", b"{}", b"", b" ", b"[" * 50_000))
        yield Mutant(family, body, content_type, True)
    elif family == "truncated":
        body = json.dumps(document).encode()
        yield Mutant(family, body[: rng.randrange(0, len(body) - 1)], content_type, True)


REST_FAMILIES = ("wrong-type", "deep-nesting", "size", "encoding", "structure", "root", "truncated")


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Figures:
    cases: int = 0
    slowest: float = 0.0
    seconds: float = 0.0


def _run_wire(
    tmp_path: Path, make: Callable[[random.Random, str], Iterator[Mutant]], figures: Figures
) -> tuple[Counter[str], list[str]]:
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn=MDN)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    rng = random.Random(SEED)

    async def main() -> None:
        listener = CallbackListener(carrier, body_timeout=DEADLINE)
        port = await listener.start()
        url = f"http://127.0.0.1:{port}/"
        timeout = aiohttp.ClientTimeout(total=DEADLINE)
        started = time.monotonic()
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                for number in range(CASES):
                    for mutant in make(rng, f"fuzz-{number}"):
                        await _one(session, url, mutant, outcomes, failures, figures)
                # Still serving: a valid callback is accepted after everything above.
                valid = _soap_bytes(_soap_tree("after-the-run"))
                async with session.post(url, data=valid, headers=_headers("text/xml")) as answer:
                    if answer.status != 200:
                        failures.append(f"a valid callback after the run got {answer.status}")
        finally:
            figures.seconds = time.monotonic() - started
            await listener.stop()

    asyncio.run(main())
    carrier.close()
    return outcomes, failures


def _headers(content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type}


async def _one(
    session: aiohttp.ClientSession,
    url: str,
    mutant: Mutant,
    outcomes: Counter[str],
    failures: list[str],
    figures: Figures,
) -> None:
    began = time.monotonic()
    try:
        body = io.BytesIO(mutant.body)  # aiohttp warns about large raw bytes
        async with session.post(url, data=body, headers=_headers(mutant.content_type)) as r:
            status, text = r.status, await r.text(errors="replace")
    except (aiohttp.ClientError, TimeoutError) as error:
        failures.append(f"{mutant.family}: no answer ({type(error).__name__})")
        return
    took = time.monotonic() - began
    figures.cases += 1
    figures.slowest = max(figures.slowest, took)
    rule = ""
    if status != 200 and "error" in text[:20]:
        rule = json.loads(text).get("error", "")
    elif status != 200 and "<rule>" in text:
        rule = text.split("<rule>", 1)[1].split("<", 1)[0][:40]
    outcomes[f"{status} {rule}".strip()] += 1
    where = f"{mutant.family} ({len(mutant.body):,} bytes) {mutant.body[:80]!r}"
    if status >= 500:
        failures.append(f"{where}: HTTP {status}: {text[:200]}")
    elif mutant.must_refuse and status < 400:
        failures.append(f"{where}: accepted ({status}) though it breaks a rule")
    if took > DEADLINE:
        failures.append(f"{where}: answered in {took:.2f} s, over the {DEADLINE} s deadline")


def _report(name: str, outcomes: Counter[str], figures: Figures) -> None:
    print(
        f"\n== listener {name}: {figures.cases} cases in {figures.seconds:.1f} s, slowest "
        f"{figures.slowest * 1000:.0f} ms"
    )
    for outcome, count in outcomes.most_common():
        print(f"   {count:6d}  {outcome}")


@pytest.mark.parametrize(
    ("name", "make"), [("SOAP", _soap_mutants), ("REST", _rest_mutants)], ids=["soap", "rest"]
)
def test_mutated_callbacks_are_refused_in_time_and_the_listener_keeps_serving(
    tmp_path: Path, name: str, make: Callable[[random.Random, str], Iterator[Mutant]]
) -> None:
    figures = Figures()
    outcomes, failures = _run_wire(tmp_path, make, figures)
    _report(name, outcomes, figures)
    assert failures == []
    assert figures.cases >= CASES
    refused = sum(count for outcome, count in outcomes.items() if not outcome.startswith("2"))
    assert refused > figures.cases // 2  # the mutations mostly break a rule, as they should
