"""Device and subscription identifiers: parse, validate, convert.

Every parser raises :class:`IdentifierError`, an error value naming the broken rule and the
spec it comes from. Values are frozen dataclasses whose ``str()`` is the normalised form.
"""

from __future__ import annotations

from ._errors import IdentifierError
from .cdma import Esn, Meid
from .eid import SGP26_TEST_EUM_PREFIX, Eid
from .iccid import Iccid
from .imei import Imei
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
