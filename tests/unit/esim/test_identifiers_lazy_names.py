"""`esim.identifiers` names every identifier, though the CDMA and phone-number ones are only
imported when first asked for (a run's start reads none of them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import esim.identifiers
from esim.identifiers import cdma, phone


@pytest.mark.parametrize(
    ("name", "module"),
    [("Esn", cdma), ("Meid", cdma), ("Mdn", phone), ("Min", phone), ("Msisdn", phone)],
)
def test_each_later_name_is_its_modules_class(name: str, module: object) -> None:
    assert getattr(esim.identifiers, name) is getattr(module, name)
    assert name in dir(esim.identifiers)
    assert name in esim.identifiers.__all__


def test_every_listed_name_imports() -> None:
    namespace: dict[str, object] = {}
    exec("from esim.identifiers import *", namespace)
    assert set(esim.identifiers.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Imsi'"):
        _ = esim.identifiers.Imsi  # type: ignore[attr-defined]


def test_importing_the_package_leaves_cdma_and_phone_unimported() -> None:
    code = (
        "import sys, esim.identifiers\n"
        "print('esim.identifiers.cdma' in sys.modules, 'esim.identifiers.phone' in sys.modules)\n"
        "from esim.identifiers import Meid\n"
        "print('esim.identifiers.cdma' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False", "True"]
