"""The compiled RSPDefinitions codec (asn1tools, DER), built once on first use.

Building is explicit and lazy: importing this module only defines names; :func:`rsp_codec`
compiles ``rsp.asn`` the first time it is called and caches the result. Building also runs the
OID self-test of asn1tools issue #194: asn1tools (issue #194) decodes an OID whose first
sub-identifier is ≥ 80 wrongly, e.g. the SGP.26 test SM-DP+ OID ``2.999.10`` comes back as
``26.39.10``. When the self-test fails, a correct X.690 §8.19 decoder is installed in asn1tools
and the self-test is repeated; a second failure is an :class:`Asn1SelfTestError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asn1tools
import asn1tools.codecs.ber as asn1tools_ber

from esim.asn1.asn1tools_fixes import install_sequence_of_fix, sequence_of_fix_holds
from esim.asn1.der_check import check_der_structure
from esim.asn1.direct_es9 import DIRECT_TYPES, read_direct
from esim.asn1.errors import Asn1DecodeError, Asn1EncodeError, Asn1SelfTestError
from esim.asn1.tlv import parse_single

ASN1_MODULE_PATH = Path(__file__).with_name("rsp.asn")
SELF_TEST_OID = "2.999.10"
"""The SGP.26 test SM-DP+ OID (SAN registeredID of CERT.DPauth)."""
SELF_TEST_OID_DER = bytes.fromhex("06038837 0a".replace(" ", ""))
_SPEC_OID = "asn1tools issue #194 (asn1tools OID bug #194), X.690 §8.19"
_SPEC_MODULE = "SGP.22 RSPDefinitions (esim/asn1/rsp.asn)"
_DIRECT_TAGS = {name: tag for name, (tag, _) in DIRECT_TYPES.items()}


def _decode_object_identifier(data: bytearray, offset: int, end_offset: int) -> str:
    """X.690 §8.19: the first sub-identifier is 40·X + Y, where only X = 2 lets Y exceed 39."""
    subidentifiers: list[int] = []
    value = 0
    pending = False
    while offset < end_offset:
        octet = data[offset]
        offset += 1
        value = (value << 7) | (octet & 0x7F)
        pending = bool(octet & 0x80)
        if not pending:
            subidentifiers.append(value)
            value = 0
    if pending or not subidentifiers:
        raise ValueError("an OBJECT IDENTIFIER ends inside a sub-identifier")
    first = subidentifiers[0]
    head = [first // 40, first % 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + subidentifiers[1:])


@dataclass(frozen=True, slots=True)
class OidSelfTest:
    """Outcome of :func:`run_oid_self_test`."""

    encoded: bytes
    decoded: str

    @property
    def passed(self) -> bool:
        return self.encoded == SELF_TEST_OID_DER and self.decoded == SELF_TEST_OID


def run_oid_self_test(compiled: Any) -> OidSelfTest:
    """Encode and decode ``2.999.10`` through ``compiled`` (an asn1tools DER specification)."""
    encoded = bytes(compiled.encode("RspObjectIdentifier", SELF_TEST_OID))
    decoded = str(compiled.decode("RspObjectIdentifier", encoded))
    return OidSelfTest(encoded, decoded)


_DEFAULTS: dict[str, Any] = {"profileClass": 2, "euiccCategory": 0}
"""Components SGP.22 v2.2.2 declares DEFAULT, by name, with their default values.

``profileClass`` is DEFAULT operational in StoreMetadataRequest but OPTIONAL in ProfileInfo;
``euiccCategory`` (EUICCInfo2, also inside the signed euiccSigned1) is DEFAULT other.
"""
_KEEPS_PROFILE_CLASS = frozenset({"ProfileInfo", "ProfileInfoListResponse"})


def _canonical(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """Prepare a value for DER: trim named BIT STRINGs, drop components equal to their DEFAULT.

    asn1tools leaves both to the caller, but DER (X.690 §11.2.2, §11.5) requires removing
    trailing zero bits of named-bit strings and omitting components equal to their DEFAULT;
    signatures computed by peers over canonical DER would otherwise not match (§4.6). Names
    in ``keep`` are OPTIONAL in the type being encoded and stay.
    """
    if isinstance(value, dict):
        return {
            key: _canonical(item, keep)
            for key, item in value.items()
            if key in keep or key not in _DEFAULTS or item != _DEFAULTS[key]
        }
    if isinstance(value, list):
        return [_canonical(item, keep) for item in value]
    if isinstance(value, tuple) and len(value) == 2:
        head, tail = value
        if isinstance(head, bytes | bytearray) and isinstance(tail, int):
            return trim_bit_string(bytes(head), tail)
        return (head, _canonical(tail, keep))
    return value


def trim_bit_string(data: bytes, length: int) -> tuple[bytes, int]:
    """A named-bit BIT STRING in DER form: trailing zero bits removed (X.690 §11.2.2)."""
    bits = int.from_bytes(data, "big") >> (8 * len(data) - length) if data and length else 0
    while length and not bits & 1:
        bits >>= 1
        length -= 1
    if not length:
        return b"", 0
    size = (length + 7) // 8
    return (bits << (8 * size - length)).to_bytes(size, "big"), length


class RspCodec:
    """The compiled module with typed, total encode/decode (see the module docstring)."""

    def __init__(self, module_path: Path = ASN1_MODULE_PATH) -> None:
        install_sequence_of_fix()
        self._compiled: Any = asn1tools.compile_files([str(module_path)], "der")
        if not sequence_of_fix_holds(self._compiled):
            raise Asn1SelfTestError(
                "asn1.sequence-of-self-test",
                "asn1tools still accepts a SEQUENCE OF element with the wrong tag",
                "X.690 §8.10 (SEQUENCE OF elements all carry the element type's tag)",
            )
        self.oid_fix_applied = False
        result = run_oid_self_test(self._compiled)
        if not result.passed:
            _install_oid_fix()
            self.oid_fix_applied = True
            result = run_oid_self_test(self._compiled)
            if not result.passed:
                raise Asn1SelfTestError(
                    "asn1.oid-self-test",
                    f"{SELF_TEST_OID} encodes to {result.encoded.hex()} and decodes to "
                    f"{result.decoded} even after the fix",
                    _SPEC_OID,
                )

    @property
    def type_names(self) -> frozenset[str]:
        """Every type of the compiled module."""
        return frozenset(self._compiled.types)

    def encode(self, type_name: str, value: Any) -> bytes:
        """DER of ``value`` (asn1tools' Python representation) as ``type_name``."""
        try:
            return bytes(
                self._compiled.encode(
                    type_name,
                    _canonical(
                        value,
                        frozenset({"profileClass"})
                        if type_name in _KEEPS_PROFILE_CLASS
                        else frozenset(),
                    ),
                    check_constraints=True,
                )
            )
        except Exception as error:  # asn1tools raises many unrelated types for bad values
            raise Asn1EncodeError(
                f"asn1.{type_name}.invalid-value", _describe(error), _SPEC_MODULE
            ) from None

    def decode(self, type_name: str, data: bytes, expected_tag: int | None = None) -> Any:
        """Decode exactly one DER TLV of ``type_name``; anything else is an Asn1DecodeError.

        The bytes pass :func:`~esim.asn1.der_check.check_der_structure` (bounded size, depth
        and node count, exact nesting) before asn1tools sees them. The messages an SM-DP+
        reads on every download are first tried with :func:`~esim.asn1.direct_es9.read_direct`,
        which gives the same value for their plain strict-DER form and leaves everything else
        (errors included) to this full path.
        """
        if expected_tag is None or expected_tag == _DIRECT_TAGS.get(type_name):
            direct = read_direct(type_name, data)
            if direct is not None:
                return direct
        return self.decode_with_asn1tools(type_name, data, expected_tag)

    def decode_with_asn1tools(
        self, type_name: str, data: bytes, expected_tag: int | None = None
    ) -> Any:
        """:meth:`decode` without the direct reader: the structural check, then asn1tools."""
        parse_single(data, expected_tag)
        check_der_structure(data)
        try:
            value = self._compiled.decode(type_name, bytes(data), check_constraints=True)
        except Exception as error:  # asn1tools raises IndexError, KeyError, ... on garbage
            raise Asn1DecodeError(
                f"asn1.{type_name}.malformed", _describe(error), _SPEC_MODULE
            ) from None
        _check_decoded_value(type_name, value)
        return value


MAX_INTEGER_BITS = 128
"""No SGP.22 INTEGER (seqNumber, reasons, codes) needs more; larger ones are refused at decode
time, before they reach SQLite (64-bit) or ``str()`` (4,300 digits at most)."""


def _check_decoded_value(type_name: str, value: Any) -> None:
    """Refuse INTEGERs beyond :data:`MAX_INTEGER_BITS` and any "absent" marker of asn1tools."""
    # Dispatch on the exact type first: a received AuthenticateServerResponse is hundreds of
    # values, nearly all bytes and str, walked on every ES9+ call.
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            pending.extend(item.values())
        elif kind is list or kind is tuple:
            pending.extend(item)
        elif kind is bytes or kind is bytearray or kind is str or kind is bool:
            continue
        elif item is asn1tools_ber.TAG_MISMATCH:
            # Never expected (asn1tools checks it where it matters); a value must not carry it.
            raise Asn1DecodeError(
                f"asn1.{type_name}.malformed", "an element with an unexpected tag", _SPEC_MODULE
            )
        elif isinstance(item, int) and item.bit_length() > MAX_INTEGER_BITS:
            raise Asn1DecodeError(
                f"asn1.{type_name}.integer-too-large",
                f"an INTEGER of {item.bit_length()} bits (at most {MAX_INTEGER_BITS} allowed)",
                _SPEC_MODULE,
            )
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def _describe(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


_OidDecoder = Callable[[bytearray, int, int], str]


def _install_oid_fix() -> None:
    # asn1tools' ObjectIdentifier looks the function up in its module at call time, so
    # replacing the module attribute fixes BER and DER specifications alike.
    fixed: _OidDecoder = _decode_object_identifier
    asn1tools_ber.decode_object_identifier = fixed


_lock = threading.Lock()
_codec: RspCodec | None = None


def rsp_codec() -> RspCodec:
    """The process-wide codec, compiled on the first call (thread-safe)."""
    global _codec
    with _lock:
        if _codec is None:
            _codec = RspCodec()
        return _codec


def oid_self_test() -> OidSelfTest:
    """Run the §5.5 self-test against the process-wide codec (builds it if needed)."""
    return run_oid_self_test(rsp_codec()._compiled)
