"""The ``esim`` command's data directory: test PKI, card memory, order store, SM-DP+ host table.

Layout (``<data dir>/esim-cli/``, the data directory being ``--data-dir`` or the platformdirs
default that ``mobileplans-sim`` uses too)::

    settings.json      {"eid": ..., "smdpAddress": ..., "curve": ...}: fixed on first use
    pki/               the test PKI in the SGP.26 file layout (generated once, then reused)
    pki-import/        a set copied in by ``esim pki import`` (never rewritten; esim.cli_pki)
    euicc/             the emulated eUICC's memory (euicc.sqlite)
    smdp/              the stub SM-DP+'s order store (orders.sqlite)
    smdp-hosts.json    {"<SM-DP+ name>": {"ip": ..., "port": ..., "pid": ...}}

``esim smdp serve`` writes its name and bound port to ``smdp-hosts.json`` when it starts and
removes them when it stops; ``esim euicc download`` reads the file into the LPA's resolver
table, so the two commands meet on 127.0.0.1 without DNS or /etc/hosts.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from esim.cli_pki import DataDirPki
from esim.crypto.ecka import Curve
from esim.pki import CertificateSet

DEFAULT_EID = "89049032123451234512345678901235"
"""SGP.23 #EID1, under the SGP.26 test EUM's EIN (SGP.26)."""
DEFAULT_SMDP_ADDRESS = "smdp.mobileplans.test"
HOSTS_FILE = "smdp-hosts.json"
SETTINGS_FILE = "settings.json"
CURVES = {"nist": Curve.NIST_P256, "brainpool": Curve.BRAINPOOL_P256R1}


HOME_DIR = "esim-cli"


def default_data_dir() -> Path:
    """The simulator's data directory (platformdirs), as `mobileplans-sim` uses it too."""
    import platformdirs

    return Path(platformdirs.user_data_dir("mobileplans-simulator", appauthor=False))


def home_in(data_dir: Path) -> Path:
    """The ``esim`` command's own sub-path of a data directory: ``esim-cli/``. The app keeps
    *its* eSIM (another EID) in ``esim/``, so the two never open each other's card. A
    directory that already is an ``esim`` home (settings.json, from before) stays one."""
    if (data_dir / SETTINGS_FILE).is_file() and not (data_dir / HOME_DIR).exists():
        return data_dir
    return data_dir / HOME_DIR


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a reader in another process sees the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=True)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Home:
    """One data directory and what lives in it."""

    root: Path
    pki: Path | None = None
    """A certificate set the user brought (``--pki DIR``), read in place and never written."""
    curve_name: str | None = None
    """``nist`` or ``brainpool`` (``--curve``): fixed in settings.json on first use."""

    @property
    def settings(self) -> dict[str, Any]:
        return _read_json(self.root / SETTINGS_FILE)

    def identity(self, eid: str | None = None) -> tuple[str, str]:
        """(EID, SM-DP+ address), fixed in settings.json on first use (``eid`` only then)."""
        settings = self.settings
        stored_eid = settings.get("eid")
        address = settings.get("smdpAddress")
        if isinstance(stored_eid, str) and isinstance(address, str):
            if eid is not None and eid != stored_eid:
                raise ValueError(
                    f"{self.root} belongs to eUICC {stored_eid}; use another --data-dir for {eid}"
                )
            return stored_eid, address
        chosen = (eid or DEFAULT_EID, DEFAULT_SMDP_ADDRESS)
        _write_json(
            self.root / SETTINGS_FILE, {**settings, "eid": chosen[0], "smdpAddress": chosen[1]}
        )
        return chosen

    def curve(self) -> Curve:
        """The data directory's curve: chosen with ``--curve`` on first use, then fixed."""
        settings = self.settings
        stored = settings.get("curve")
        if isinstance(stored, str) and stored in CURVES:
            if self.curve_name is not None and self.curve_name != stored:
                raise ValueError(
                    f"{self.root} uses {stored} certificates; use another --data-dir for "
                    f"{self.curve_name}"
                )
            return CURVES[stored]
        chosen = self.curve_name or "nist"
        self.identity()
        _write_json(self.root / SETTINGS_FILE, {**self.settings, "curve": chosen})
        return CURVES[chosen]

    @functools.cached_property
    def sets(self) -> DataDirPki:
        """Which certificates each side uses (generated, or brought by the user)."""
        eid, address = self.identity()
        return DataDirPki.resolve(self.root, eid, address, self.pki, self.curve())

    def certificates(self) -> CertificateSet:
        """The card's set (CI, EUM, eUICC), generated unless the user brought one."""
        return self.sets.card

    def server_certificates(self) -> CertificateSet:
        """The SM-DP+'s set (DPauth, DPpb, DPtls)."""
        return self.sets.server

    def smdp_address(self) -> str:
        return self.sets.smdp_address

    def trust_anchors(self) -> list[x509.Certificate]:
        """The CI certificates an LPA on this data directory trusts for TLS and ES9+."""
        return self.sets.trust_anchors

    def euicc_config(self, **options: Any) -> Any:
        """The emulated eUICC's settings: its chain, and the CIs it trusts for SM-DP+s."""
        from esim.euicc import EuiccConfig

        eid = self.certificates().eid or self.identity()[0]
        return EuiccConfig(
            eid=eid,
            certificates=self.certificates(),
            server_cis=self.sets.card_server_cis,
            **options,
        )

    @property
    def euicc_dir(self) -> Path:
        return self.root / "euicc"

    @property
    def order_store_path(self) -> Path:
        return self.root / "smdp" / "orders.sqlite"

    # -- the SM-DP+ host table ---------------------------------------------------------------

    def hosts(self) -> dict[str, tuple[str, int]]:
        """The resolver table ``esim smdp serve`` left: name → (ip, port)."""
        table: dict[str, tuple[str, int]] = {}
        for name, entry in _read_json(self.root / HOSTS_FILE).items():
            if isinstance(entry, dict):
                ip, port = entry.get("ip"), entry.get("port")
                if isinstance(ip, str) and isinstance(port, int):
                    table[name.lower()] = (ip, port)
        return table

    def register_host(self, name: str, ip: str, port: int) -> None:
        table = _read_json(self.root / HOSTS_FILE)
        table[name.lower()] = {"ip": ip, "port": port, "pid": os.getpid()}
        _write_json(self.root / HOSTS_FILE, table)

    def unregister_host(self, name: str) -> None:
        """Drop ``name`` if this process registered it (a newer server keeps its entry)."""
        table = _read_json(self.root / HOSTS_FILE)
        entry = table.get(name.lower())
        if isinstance(entry, dict) and entry.get("pid") == os.getpid():
            del table[name.lower()]
            _write_json(self.root / HOSTS_FILE, table)


def home_from_args(args: argparse.Namespace) -> Home:
    """The home a command's ``--data-dir``, ``--pki`` and ``--curve`` name."""
    return Home(
        home_in(args.data_dir or default_data_dir()),
        getattr(args, "pki", None),
        getattr(args, "curve", None),
    )
