"""Hostile `--operator-config` files and `check-api` flags: each is refused up front with the
rule it breaks, never accepted to trip the running app later."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st
from operator_harness import operator_tls_fixture  # type: ignore[import-not-found]  # noqa: F401

from simulator.cli import main, parse_run_options
from simulator.operator_api.catalog import load_operator_file
from simulator.operator_api.config import ConfigurationError
from simulator.operator_api.tls import OperatorTls
from simulator.operator_api.urls import parse_https_url

BASE = {"moBaseUrl": "https://api.contoso.example/v1/"}


def _refused(tmp_path: Path, document: object) -> ConfigurationError:
    path = tmp_path / "operator.json"
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_operator_file(path)
    return caught.value


@pytest.mark.parametrize(
    "url",
    [
        "https://",
        "https:///v1/",
        "https://exa mple.example/",
        "https://api.example/\n",
        "https://[::1",
        "https://api.example:99999/",
        "https://api.example:0/",
        "https://user:secret@api.example/",
        "https://api.example/v1/?key=1",
        "https://api.example/v1/#top",
        "http://api.example/",
        "file:///etc/passwd",
        "https://" + "a" * 3000 + ".example/",
    ],
)
def test_unusable_base_urls_are_refused(tmp_path: Path, url: str) -> None:
    error = _refused(tmp_path, {"moBaseUrl": url})
    assert error.rule == "config.moBaseUrl"
    assert "moBaseUrl must be an https URL" in error.message


def test_the_portal_of_a_catalog_operator_is_checked_the_same_way(tmp_path: Path) -> None:
    document = {
        "operators": [
            {"brandName": "Contoso Mobile"},
            {"brandName": "Fabrikam", "portalUri": "https://", **BASE},
        ]
    }
    assert _refused(tmp_path, document).rule == "catalog.portalUri"


@given(st.text(max_size=60))
def test_any_text_is_an_https_url_with_a_host_or_a_named_error(text: str) -> None:
    failure: ConfigurationError | None = None
    try:
        url = parse_https_url("https://" + text, "moBaseUrl", "config.moBaseUrl", base=True)
    except ConfigurationError as error:
        failure = error
    if failure is not None:
        assert failure.rule == "config.moBaseUrl"
        return
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parts.hostname
    assert url.endswith("/")


@pytest.mark.parametrize(
    "brand", ["", "   ", "A" * 65, "Evil\nMobile", "Right\u202eto left", "Nul\x00"]
)
def test_a_brand_name_is_a_short_printable_name(tmp_path: Path, brand: str) -> None:
    assert _refused(tmp_path, {**BASE, "brandName": brand}).rule == "config.brandName"


@pytest.mark.parametrize(
    ("image", "rule"),
    [
        ({"uri": "file:///etc/passwd", "width": 10, "height": 10}, "gateway.images.uri"),
        ({"uri": "https://", "width": 10, "height": 10}, "gateway.images.uri"),
        ({"uri": "https://cdn.example/a.png", "width": True, "height": 10}, "gateway.images.shape"),
        ({"uri": "https://cdn.example/a.png", "width": 1.5, "height": 10}, "gateway.images.shape"),
    ],
)
def test_gateway_images_are_https_pictures_of_whole_pixels(
    tmp_path: Path, image: dict[str, object], rule: str
) -> None:
    document = {**BASE, "promotionTemplates": [{"id": "0", "images": [image]}]}
    assert _refused(tmp_path, document).rule == rule


def test_an_image_on_another_https_host_is_fine(tmp_path: Path) -> None:
    """Operators serve pictures from a CDN; the simulator never downloads them."""
    path = tmp_path / "operator.json"
    image = {"uri": "https://cdn.elsewhere.example/a.png", "width": 10, "height": 10}
    path.write_text(json.dumps({**BASE, "promotionTemplates": [{"id": "0", "images": [image]}]}))
    service = load_operator_file(path).home.service
    assert service is not None
    assert service.gateway_templates[0].images[0].uri == image["uri"]


def test_a_toast_image_is_https(tmp_path: Path) -> None:
    template = {"id": "1", "notificationType": "lowBalance", "image": "file:///etc/shadow"}
    error = _refused(tmp_path, {**BASE, "notificationTemplates": [template]})
    assert error.rule == "config.notificationTemplates"


def test_a_trusted_ca_that_is_no_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate")
    error = _refused(tmp_path, {**BASE, "trustedCa": "ca.pem"})
    assert error.rule == "config.trustedCa"
    assert "does not hold a CA" in error.message


def test_a_huge_trusted_ca_is_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "ca.pem").open("wb") as file:
        file.truncate(2 * 1024 * 1024)  # sparse: costs no disk
    assert _refused(tmp_path, {**BASE, "trustedCa": "ca.pem"}).rule == "config.trustedCa"


def test_an_encrypted_client_key_is_refused_without_a_password_prompt(
    tmp_path: Path, operator_tls: OperatorTls
) -> None:
    """OpenSSL would ask on the terminal, and a headless run would wait there forever."""
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "client.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    (tmp_path / "client.pem").write_bytes(operator_tls.client_pem)
    pair = {"certificate": "client.pem", "key": "client.key"}
    error = _refused(tmp_path, {**BASE, "clientCertificate": pair})
    assert error.rule == "config.clientCertificate"


def test_a_client_key_of_another_certificate_is_refused(
    tmp_path: Path, operator_tls: OperatorTls
) -> None:
    (tmp_path / "client.pem").write_bytes(operator_tls.server_pem)
    (tmp_path / "client.key").write_bytes(operator_tls.client_key_pem)
    pair = {"certificate": "client.pem", "key": "client.key"}
    assert _refused(tmp_path, {**BASE, "clientCertificate": pair}).rule == (
        "config.clientCertificate"
    )


def test_ten_thousand_operators_are_refused_quickly(tmp_path: Path) -> None:
    operators = [{"brandName": f"O{n}", "moBaseUrl": "https://a.b/"} for n in range(10_000)]
    assert _refused(tmp_path, {"operators": operators}).rule == "catalog.operators"


def test_deeply_nested_json_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "operator.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigurationError) as caught:
        load_operator_file(path)
    assert caught.value.rule == "config.file.unreadable"


def test_run_refuses_an_unusable_operator_api_url(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_run_options(["--operator-api", "https://[::1/v1/"])
    assert exited.value.code == 2
    assert "--operator-api must be an https URL" in capsys.readouterr().err


@pytest.mark.parametrize("timeout", ["nan", "inf", "0", "-1", "1e308", "soon"])
def test_check_api_timeout_is_a_finite_wait(
    timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check-api", "https://api.example/v1/", "--iccid", "8999001000000000018",
              f"--timeout={timeout}"])  # fmt: skip
    assert exited.value.code == 2
    assert "--timeout" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--offer-uri", "--notification-uri"])
def test_check_api_checks_every_base_url(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["check-api", "https://api.example/v1/", "--iccid", "8999001000000000018", flag, "https://"]
    )
    assert status == 2
    assert "config.url.https" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("template", "rule"),
    [
        ({"id": "0", "bodyText": "x" * 1001}, "gateway.template.text"),
        ({"id": "0", "buttonText": "x" * 65}, "gateway.template.text"),
    ],
)
def test_gateway_texts_are_bounded(tmp_path: Path, template: dict[str, str], rule: str) -> None:
    assert _refused(tmp_path, {**BASE, "promotionTemplates": [template]}).rule == rule


@pytest.mark.parametrize(
    ("document", "rule", "field"),
    [
        (
            {"promotionTemplates": [{"id": "0", "bodyTxt": "typo"}]},
            "gateway.templates.shape",
            "bodyTxt",
        ),
        (
            {"promotionTemplates": [{"id": "0", "images": [{"uri": "https://cdn.example/a.png",
             "width": 10, "height": 10, "alt": "a picture"}]}]},
            "gateway.images.shape",
            "alt",
        ),
        (
            {"notificationTemplates": [{"id": "1", "notificationType": "lowBalance",
             "titel": "You're almost out of data"}]},
            "config.notificationTemplates",
            "titel",
        ),
    ],
)  # fmt: skip
def test_a_misspelt_template_field_is_refused_not_left_at_its_default(
    tmp_path: Path, document: dict[str, object], rule: str, field: str
) -> None:
    """ "Mobile Plans gateway page" and "Mobile Plans notifications" list a template's fields;
    a typo used to leave the page or toast silently at the default."""
    error = _refused(tmp_path, {**BASE, **document})
    assert error.rule == rule
    assert f"unknown field(s) ['{field}']" in error.message


def test_an_image_of_no_pixels_says_the_size_it_may_have(tmp_path: Path) -> None:
    image = {"uri": "https://cdn.example/a.png", "width": 0, "height": 10}
    error = _refused(tmp_path, {**BASE, "promotionTemplates": [{"id": "0", "images": [image]}]})
    assert error.rule == "gateway.images.size"
    assert "is 0x10; an image is 1 to 1200 pixels wide and 1 to 600 high" in error.message


@pytest.mark.parametrize(("title", "body"), [("t" * 201, ""), ("", "b" * 1001)])
def test_toast_texts_are_bounded(tmp_path: Path, title: str, body: str) -> None:
    template = {"id": "1", "notificationType": "lowBalance", "title": title, "body": body}
    error = _refused(tmp_path, {**BASE, "notificationTemplates": [template]})
    assert error.rule == "config.notificationTemplates"


def test_iccid_ranges_are_a_few_not_ninety_thousand(tmp_path: Path) -> None:
    ranges = [str(8_900_000 + n) for n in range(90_000)]
    assert _refused(tmp_path, {**BASE, "iccidRanges": ranges}).rule == "config.iccidRanges"


def test_templates_are_at_most_a_hundred(tmp_path: Path) -> None:
    gateway = [{"id": str(n)} for n in range(101)]
    assert _refused(tmp_path, {**BASE, "promotionTemplates": gateway}).rule == (
        "gateway.templates.shape"
    )
    toasts = [{"id": str(n), "notificationType": "lowBalance"} for n in range(101)]
    assert _refused(tmp_path, {**BASE, "notificationTemplates": toasts}).rule == (
        "config.notificationTemplates"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_read_no_further_than_a_mebibyte() -> None:
    """/dev/zero reports a size of 0; reading it whole never ends."""
    with pytest.raises(ConfigurationError) as caught:
        load_operator_file(Path("/dev/zero"))
    assert caught.value.rule == "config.file.too-large"


def test_deep_nesting_says_so(tmp_path: Path) -> None:
    path = tmp_path / "operator.json"
    path.write_text('{"operators": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with pytest.raises(ConfigurationError, match="nested too deeply"):
        load_operator_file(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_check_api_refuses_a_device_as_its_ca(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["check-api", "https://api.example/v1/", "--iccid", "8999001000000000018",
         "--ca", "/dev/zero"]
    )  # fmt: skip
    assert status == 2
    assert "config.trustedCa" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flags", "rule"),
    [
        (["--imei", "12\r\nX-Injected: 1"], "config.imei"),
        (["--location", "US&evil=1"], "config.location"),
        (["--iccid", "89990010000000000189999"], "config.iccid"),
    ],
)
def test_check_api_sample_checks_what_it_would_send(
    flags: list[str], rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-api", "--sample", *flags]) == 2
    assert rule in capsys.readouterr().out
