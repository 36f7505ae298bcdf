"""Device identifiers inside callbacks: a kind and a normalised value (spec §1.2, §3).

Validation and normalisation belong to :mod:`esim.identifiers`; this module only maps the
platform's kind names onto those classes and turns their errors into decode errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from esim.identifiers import Eid, Esn, Iccid, IdentifierError, Imei, Mdn, Meid, Min, Msisdn

from .errors import CallbackDecodeError, shown, spec_ref

Identifier = Esn | Iccid | Imei | Mdn | Meid | Min | Msisdn | Eid


class DeviceKind(StrEnum):
    """Identifier kinds; the first seven are the callback pages' list (§1.2.1)."""

    ESN = "ESN"
    ICCID = "ICCID"
    IMEI = "IMEI"
    MDN = "MDN"
    MEID = "MEID"
    MIN = "MIN"
    MSISDN = "MSISDN"
    # Newer REST models only (§3.1): EID is validated, IMSI is carried as given.
    EID = "EID"
    IMSI = "IMSI"

    @property
    def soap_label(self) -> str:
        """The spelling Verizon's SOAP samples use (``Mdn``, §1.2.1)."""
        return self.value.capitalize()

    @property
    def rest_label(self) -> str:
        """The spelling the REST samples and SDK docs use (``ESN``, §1.3)."""
        return self.value


def _parse_mdn(text: str) -> Mdn:
    # The platform is the authority on its own lines; NANP plausibility is not a listener's call.
    return Mdn.parse(text, nanp=False)


def _parse_iccid(text: str) -> Iccid:
    # §3.2: files sometimes mangle the ICCID check digit; a Luhn failure is not a reject.
    return Iccid.parse(text, check_luhn=False)


_PARSERS: dict[DeviceKind, Callable[[str], Identifier]] = {
    DeviceKind.ESN: Esn.parse,
    DeviceKind.ICCID: _parse_iccid,
    DeviceKind.IMEI: Imei.parse,
    DeviceKind.MDN: _parse_mdn,
    DeviceKind.MEID: Meid.parse,
    DeviceKind.MIN: Min.parse,
    DeviceKind.MSISDN: Msisdn.parse,
    DeviceKind.EID: Eid.parse,
}

_SPEC_KINDS = spec_ref("§3.1")


def device_kind_from_wire(label: str, *, where: str) -> DeviceKind:
    """The kind named by *label*, ignoring case and surrounding space (§0.6: ``Mdn``/``mdn``)."""
    try:
        return DeviceKind(label.strip().upper())
    except ValueError:
        raise CallbackDecodeError(
            "device.kind-unknown",
            f"{where}: device kind {shown(label)} is not one of "
            f"{', '.join(kind.value for kind in DeviceKind)} (case-insensitive).",
            spec=spec_ref("§0.6, §3.1"),
        ) from None


@dataclass(frozen=True)
class DeviceId:
    """One device identifier of a callback: kind plus normalised value.

    ``label`` is the kind as the wire spelled it (``"Mdn"``, ``"esn"``); it is kept so a message
    can be re-emitted faithfully but takes no part in equality.
    """

    kind: DeviceKind
    value: str
    label: str | None = field(default=None, compare=False)

    @classmethod
    def parse(cls, kind: str, identifier: str, *, where: str = "Device") -> DeviceId:
        """Validate and normalise one identifier; raises :class:`CallbackDecodeError`."""
        device_kind = device_kind_from_wire(kind, where=where)
        parser = _PARSERS.get(device_kind)
        if parser is None:
            value = identifier.strip()
            if not value:
                raise CallbackDecodeError(
                    "device.identifier-invalid",
                    f"{where}: {device_kind.value} identifier is empty.",
                    spec=_SPEC_KINDS,
                )
            return cls(device_kind, value, kind)
        try:
            return cls(device_kind, str(parser(identifier)), kind)
        except IdentifierError as error:
            raise CallbackDecodeError(
                "device.identifier-invalid",
                f"{where}: {device_kind.value} identifier {shown(identifier)} is invalid: "
                f"{error.message} ({error.rule})",
                spec=f"{_SPEC_KINDS}; {error.spec}",
            ) from error

    @classmethod
    def of(cls, identifier: Identifier, *, label: str | None = None) -> DeviceId:
        """The device id of an already-validated identifier value."""
        kind = DeviceKind(type(identifier).__name__.upper())
        return cls(kind, str(identifier), label)

    @property
    def key(self) -> tuple[str, str]:
        """(kind, value): the normalised identity used for de-duplication (§2.6)."""
        return (self.kind.value, self.value)

    def typed(self) -> Identifier | None:
        """The :mod:`esim.identifiers` value, or None for kinds carried unvalidated (IMSI)."""
        parser = _PARSERS.get(self.kind)
        return None if parser is None else parser(self.value)

    def soap_label(self) -> str:
        return self.label if self.label is not None else self.kind.soap_label

    def rest_label(self) -> str:
        return self.label if self.label is not None else self.kind.rest_label
