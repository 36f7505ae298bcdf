"""The ``esim`` command's data directory: test PKI, card memory, order store, SM-DP+ host table.

Layout (``--data-dir``, default from platformdirs)::

    settings.json      {"eid": ..., "smdpAddress": ...}: fixed on first use
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

import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from esim.cli_pki import DataDirPki
from esim.pki import CertificateSet

DEFAULT_EID = "89049032123451234512345678901235"
"""SGP.23 #EID1, under the SGP.26 test EUM's EIN (esim-rsp.md §3.2, §4.2)."""
DEFAULT_SMDP_ADDRESS = "smdp.mobileplans.test"
HOSTS_FILE = "smdp-hosts.json"
SETTINGS_FILE = "settings.json"


def default_data_dir() -> Path:
    """Its own sub-path of the simulator's data directory: the app keeps *its* eSIM (another
    EID) in esim/ there, so the two never open each other's card."""
    import platformdirs

    root = Path(platformdirs.user_data_dir("mobileplans-simulator", appauthor=False))
    return root / "esim-cli"


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
        _write_json(self.root / SETTINGS_FILE, {"eid": chosen[0], "smdpAddress": chosen[1]})
        return chosen

    @functools.cached_property
    def sets(self) -> DataDirPki:
        """Which certificates each side uses (generated, or brought by the user)."""
        eid, address = self.identity()
        return DataDirPki.resolve(self.root, eid, address, self.pki)

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
