"""Device and subscription identifiers: parse, validate, convert.

Every parser raises :class:`IdentifierError`, an error value naming the broken rule and the
spec it comes from. Values are frozen dataclasses whose ``str()`` is the normalised form.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._errors import IdentifierError
from .eid import SGP26_TEST_EUM_PREFIX, Eid
from .iccid import Iccid
from .imei import Imei

if TYPE_CHECKING:
    from .cdma import Esn, Meid
    from .phone import Mdn, Min, Msisdn

__all__ = [
    "SGP26_TEST_EUM_PREFIX",
    "Eid",
    "Esn",
    "Iccid",
    "IdentifierError",
    "Imei",
    "Mdn",
    "Meid",
    "Min",
    "Msisdn",
]

# The CDMA and phone-number identifiers are imported on first use: the app's start-up (the
# portal's launch, the device) reads only ICCIDs, EIDs and IMEIs.
_LATER = {"Esn": ".cdma", "Meid": ".cdma", "Mdn": ".phone", "Min": ".phone", "Msisdn": ".phone"}


def __getattr__(name: str) -> object:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LATER))
