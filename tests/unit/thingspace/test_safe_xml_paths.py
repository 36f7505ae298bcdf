"""The two parsers behind `parse_untrusted_xml`: ElementTree's C parser, taken for a body that
cannot hold a markup declaration, must build exactly what defusedxml builds, or fail exactly as
it fails; every body that could hold one must still go to defusedxml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, tostring

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulator.thingspace.codec import CallbackDecodeError, safe_xml
from simulator.thingspace.codec.safe_xml import (
    cannot_declare_markup,
    parse_declaration_free,
    parse_untrusted_xml,
)

SEED = (Path(__file__).parent / "data" / "promo_change_seed_003.xml").read_bytes()


def defused(body: bytes) -> Element:
    root: Element = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return root


def outcome(parse: Callable[[bytes], Element], body: bytes) -> tuple[str, object]:
    """What a parser made of `body`: its tree written out, or its error as a user sees it."""
    try:
        return "tree", tostring(parse(body))
    except ParseError as error:
        return "not well-formed", (str(error), error.code, error.position)
    except (LookupError, ValueError) as error:
        return "cannot decode", type(error).__name__


NAMES = st.sampled_from(["a", "Data", "s:Envelope", "s:Body", "xsi:nil", "PromoChange", "x-1"])
URIS = st.sampled_from(
    ["http://schemas.xmlsoap.org/soap/envelope/", "http://nphase.com/unifiedwebservice/v2", ""]
)
PLAIN = st.text(alphabet="abc '\"\t\n\u00e9\u4e2d", max_size=6)
CLEAN_TEXT = st.lists(
    st.one_of(PLAIN, st.sampled_from(["&amp;", "&lt;", "&#65;", "&#x41;", "&quot;"])), max_size=3
).map("".join)
TEXT = st.lists(
    st.one_of(
        PLAIN,
        PLAIN,
        PLAIN,
        st.sampled_from(["&amp;", "&lt;", "&#65;", "&#x41;", "&quot;"]),
        st.text(alphabet="abc <>&;", max_size=3),  # mostly markup that breaks the document
        st.sampled_from(["&undefined;", "&#0;", "&#xD800;"]),
    ),
    max_size=3,
).map("".join)
VALUES = st.text(alphabet="abc \u00e9\u4e2d", max_size=5) | st.sampled_from(["&amp;", "&#65;"])


@st.composite
def elements(draw: st.DrawFn, text: st.SearchStrategy[str], depth: int = 0) -> str:
    """An element, mostly well-formed: its prefixes usually declared on it, its closing tag
    usually its own; the text and a few bytes changed later break the rest."""
    name = draw(NAMES)
    declared = "" if draw(st.integers(0, 4)) == 0 else ' xmlns:s="urn:s" xmlns:xsi="urn:xsi"'
    declarations = declared + "".join(
        f' xmlns{":" + prefix if prefix else ""}="{uri}"'
        for prefix, uri in draw(st.lists(st.tuples(st.just(""), URIS), max_size=1))
    )
    attributes = "".join(
        f' {attribute}="{value}"'
        for attribute, value in draw(
            st.dictionaries(st.sampled_from(["id", "xsi:nil", "s:mustUnderstand"]), VALUES)
        ).items()
    )
    children = ""
    if depth < 3:
        for child in draw(st.lists(elements(text, depth + 1), max_size=3)):
            children += child + draw(text)
    closing = draw(st.sampled_from([name] * 5 + ["other"]))
    return f"<{name}{declarations}{attributes}>{draw(text)}{children}</{closing}>"


PROLOGS = st.sampled_from(
    [
        "",
        '<?xml version="1.0"?>',
        '<?xml version="1.0" encoding="utf-8"?>',
        "<?xml version='1.0' encoding='ISO-8859-1'?>\n",
        '<?xml version="1.0" encoding="us-ascii"?>',
        '<?xml version="1.0" encoding="utf-16"?>',
        "<?pi data?>",
        "\ufeff",
    ]
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Half clean documents, half with broken text and a few bytes changed anywhere
    (truncations, stray bytes, invalid UTF-8)."""
    noisy = draw(st.booleans())
    root = draw(elements(TEXT if noisy else CLEAN_TEXT))
    text = draw(PROLOGS) + root + draw(st.sampled_from(["", "", "\n", "<extra/>", "x"]))
    body = text.encode(draw(st.sampled_from(["utf-8", "latin-1"])), errors="replace")
    for _ in range(draw(st.integers(1, 2)) if noisy else 0):
        at = draw(st.integers(0, len(body)))
        cut = draw(st.integers(0, 2))
        body = body[:at] + draw(st.binary(max_size=2)) + body[at + cut :]
    return body


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(bodies())
def test_the_c_parser_agrees_with_defusedxml_on_every_declaration_free_body(body: bytes) -> None:
    assume(cannot_declare_markup(body))
    assert outcome(parse_declaration_free, body) == outcome(defused, body)


@pytest.mark.parametrize(
    "body",
    [
        SEED,
        b"<a>&undefined;</a>",
        b"<a>&#0;</a>",
        b"<a><b></a>",
        b"<a/><b/>",
        b"<a>\xff\xfe</a>",
        b'<?xml version="1.0" encoding="utf-16"?><a/>',
        b'<?xml version="1.0" encoding="iso-8859-1"?><a>\xe9</a>',
        b"\xef\xbb\xbf<a/>",
        b"",
        b"   ",
        b"<?xml version='1.0'?>",
    ],
    ids=repr,
)
def test_known_bodies_parse_or_fail_alike_on_both_paths(body: bytes) -> None:
    assert cannot_declare_markup(body)
    assert outcome(parse_declaration_free, body) == outcome(defused, body)


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE a SYSTEM "http://attacker.invalid/a.dtd"><a/>',
        b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
        b"<a><!-- a comment --></a>",
        b"<a><![CDATA[x]]></a>",
        "<a/>".encode("utf-16"),
        "<a/>".encode("utf-16-le"),
        "<a/>".encode("utf-16-be"),
        b"\xff\xfe",
        b"<a>\x00</a>",
    ],
    ids=repr,
)
def test_a_body_that_could_declare_markup_goes_to_defusedxml(body: bytes) -> None:
    assert not cannot_declare_markup(body)


def test_the_seed_callback_takes_the_c_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Else the parse quietly costs what it did before (tests/bench/bench_thingspace_codec.py)."""

    def defusedxml_must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("defusedxml parsed a body without markup declarations")

    monkeypatch.setattr(safe_xml, "fromstring", defusedxml_must_not_run)
    assert parse_untrusted_xml(SEED).tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"


def test_a_doctype_is_refused_whichever_path_was_possible() -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_untrusted_xml(b"<!DOCTYPE a><a/>")
    assert excinfo.value.rule == "xml.dtd-forbidden"
