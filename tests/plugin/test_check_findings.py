"""`mobileplans-sim check` names each finding: why a portal did not load (HTTP status, DNS,
refused, TLS), where the real app would not inject its objects (port, scheme, host), the
pop-up's own target, and it checks a folder or a local server signed by the user's own CA.
"""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pytestqt.qtbot import QtBot

from simulator.check import run_check
from simulator.check_report import FINDING_CODES, CheckReport, LoadOutcome
from simulator.portal.hosting import Site
from simulator.portal.trust import LocalCaTrust, TrustFileError
from simulator.resources import resource_path
from simulator.runtime import Runtime

POPUP_PORTAL = """<!doctype html><html><head><meta charset="utf-8"><title>p</title></head>
<body><script>window.open("https://elsewhere.example/terms.html");</script></body></html>"""
PLAIN_PORTAL = """<!doctype html><html><head><meta charset="utf-8"><title>Local</title></head>
<body><p>served by a team's own server</p></body></html>"""


def _codes(report: CheckReport) -> list[str]:
    return [f.code for f in report.findings]


# -- a local HTTPS server signed by a private CA, on a port (not 443) ------------------------


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _issue_local_ca(directory: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server chain.pem, server key.pem) for 127.0.0.1, as a team's dev CA would."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Team dev CA"))
        .issuer_name(_name("Team dev CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, chain_file, key_file = directory / "ca.pem", directory / "chain.pem", directory / "k"
    ca_file.write_bytes(ca.public_bytes(pem))
    chain_file.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, chain_file, key_file


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PLAIN_PORTAL.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(https://127.0.0.1:PORT/, the CA that signed it)."""
    ca_file, chain_file, key_file = _issue_local_ca(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/", ca_file
    server.shutdown()
    server.server_close()


# -- the findings ------------------------------------------------------------------------------


def test_a_folder_is_checked_as_run_serves_it(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    report = run_check(
        portal_dir=Path(resource_path("portal")),
        runtime=runtime,
        data_dir=tmp_path,
        settle=0.3,
    )
    assert report.ok, report.render()
    assert report.bridge
    assert report.calls >= 2
    assert report.url == "https://portal.mobileplans.test/"


def test_a_popup_is_reported_with_its_own_target(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    folder = tmp_path / "portal"
    folder.mkdir()
    (folder / "index.html").write_text(POPUP_PORTAL)
    report = run_check(portal_dir=folder, runtime=runtime, data_dir=tmp_path, settle=0.3)
    assert report.popups == ["https://elsewhere.example/terms.html"]
    assert _codes(report) == ["popup"]
    assert "https://elsewhere.example/terms.html" in report.render()


def test_a_404_is_not_loaded_and_says_http_404(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    runtime.front.attach("gone.mobileplans.test", Site(root=tmp_path / "empty"))
    try:
        report = run_check(
            "https://gone.mobileplans.test/missing.html",
            runtime=runtime,
            data_dir=tmp_path,
            settle=0.1,
        )
    finally:
        runtime.front.detach("gone.mobileplans.test")
    assert not report.loaded
    assert report.load.http_status == 404
    assert _codes(report)[0] == "not-loaded"
    assert "HTTP 404" in report.findings[0].message
    assert json.loads(report.to_json())["load_error"] == "the server answered HTTP 404"


def test_a_refused_connection_is_named(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = run_check(f"https://127.0.0.1:{port}/", runtime=runtime, data_dir=tmp_path, settle=0.1)
    assert _codes(report) == ["not-loaded"]
    assert report.load.error_domain == "connection"
    assert "connection failed" in report.findings[0].message
    assert "REFUSED" in report.findings[0].message.upper()


def test_a_dns_failure_is_named(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> None:
    report = run_check(
        "https://no-such-host.invalid/", runtime=runtime, data_dir=tmp_path, settle=0.1
    )
    assert _codes(report) == ["not-loaded"]
    assert report.load.error_domain == "dns", report.load
    assert "DNS" in report.findings[0].message


@pytest.mark.qt_log_ignore("is not defined")
def test_a_local_server_on_a_port_loads_with_ca_and_is_told_why_no_objects(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, local_server: tuple[str, Path]
) -> None:
    url, ca_file = local_server
    report = run_check(
        url,
        ca=LocalCaTrust.load(ca_file),
        runtime=runtime,
        data_dir=tmp_path,
        settle=0.1,
    )
    assert report.loaded, report.render()
    assert not report.bridge
    assert _codes(report) == ["no-injection"]
    message = report.findings[0].message
    assert "would not inject" in message
    assert f"port {url.rsplit(':', 1)[1][:-1]}" in message


def test_without_its_ca_a_local_server_is_a_tls_refusal(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, local_server: tuple[str, Path]
) -> None:
    url, _ = local_server
    report = run_check(url, runtime=runtime, data_dir=tmp_path, settle=0.1)
    assert not report.loaded
    assert "certificate-refused" in _codes(report)
    assert "not-loaded" in _codes(report)


# -- pure parts --------------------------------------------------------------------------------


def test_a_ca_file_that_is_not_a_certificate_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(TrustFileError, match=r"no readable X\.509 certificate"):
        LocalCaTrust.load(bad)
    with pytest.raises(TrustFileError, match="cannot read"):
        LocalCaTrust.load(tmp_path / "absent.pem")


def test_the_trust_refuses_a_chain_for_another_name(tmp_path: Path) -> None:
    ca_file, chain_file, _ = _issue_local_ca(tmp_path)
    chain = [
        c.public_bytes(serialization.Encoding.DER)
        for c in x509.load_pem_x509_certificates(chain_file.read_bytes())
    ]
    trust = LocalCaTrust.load(ca_file)
    now = dt.datetime.now(dt.UTC)
    assert trust.refusal("127.0.0.1", chain, now) == ""
    assert "not trusted" in trust.refusal("portal.example", chain, now)
    assert "not trusted" in trust.refusal("127.0.0.1", chain, now + dt.timedelta(days=60))
    assert trust.refusal("127.0.0.1", [b"\x30\x00"], now).startswith("the server's certificate")


def test_every_finding_code_is_documented() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "quickstart-check.md"
    text = page.read_text()
    for code in FINDING_CODES:
        assert f"`{code}`" in text, code
    assert (
        LoadOutcome(status="failed", error_domain="certificate")
        .reason()
        .startswith("the server's TLS certificate")
    )


def test_the_command_checks_a_folder_and_prints_json(tmp_path: Path) -> None:
    folder = tmp_path / "portal"
    folder.mkdir()
    (folder / "index.html").write_text(POPUP_PORTAL)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "simulator.cli", "check", "--portal-dir", str(folder)]
    done = subprocess.run(
        [*command, "--json", "--settle", "0.2", "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["findings"] == [{"code": "popup", "message": report["findings"][0]["message"]}]
    assert report["popups"] == ["https://elsewhere.example/terms.html"]
    usage = subprocess.run(
        [*command[:4], "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert usage.returncode == 2
    assert json.loads(usage.stdout)["message"] == "give the portal's https URL or --portal-dir DIR"
