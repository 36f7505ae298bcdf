"""The service configuration file: what a team writes once for `run` and `check-api`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from operator_harness import (  # type: ignore[import-not-found]
    ICCID,
    Operator,
    fresh_fixture,  # noqa: F401 - registers the fixture "fresh"
    operator_fixture,  # noqa: F401 - registers the fixture "operator"
    operator_tls_fixture,  # noqa: F401 - registers the fixture "operator_tls"
)

from simulator.cli import main, parse_run_options
from simulator.operator_api.config import Color, ConfigurationError, NotificationType
from simulator.operator_api.config_file import load_service_configuration
from simulator.operator_api.tls import OperatorTls


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "operator.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


def _write_pems(folder: Path, tls: OperatorTls) -> None:
    """Real PEM files: the configuration is refused when TLS cannot use its files."""
    (folder / "client.pem").write_bytes(tls.client_pem)
    (folder / "client.key").write_bytes(tls.client_key_pem)
    (folder / "staging-ca.pem").write_bytes(tls.ca_pem)


def test_a_full_configuration(tmp_path: Path, operator_tls: OperatorTls) -> None:
    _write_pems(tmp_path, operator_tls)
    path = _write(
        tmp_path,
        {
            "brandName": "Fabrikam",
            "moBaseUrl": "https://staging.fabrikam.example/v1",
            "basicAuth": "mp:secret",
            "clientCertificate": {"certificate": "client.pem", "key": "client.key"},
            "iccidRanges": ["894411"],
            "promotionTemplates": [
                {"id": 0, "backgroundColor": "0x000000FF", "hyperlinkColor": "0xBB8CF9FF"}
            ],
            "notificationTemplates": [
                {"id": 1, "notificationType": "Low Balance", "title": "Low", "body": "Top up"}
            ],
        },
    )
    config = load_service_configuration(path)
    assert config.mo_base_url == config.offer_uri == "https://staging.fabrikam.example/v1/"
    assert config.basic_auth is not None
    assert config.client_certificate is not None
    assert config.client_certificate.key == tmp_path / "client.key"
    assert [str(r) for r in config.iccid_ranges] == ["894411"]
    template = config.gateway_template("0")
    assert template is not None
    assert template.hyperlink_font_color == Color(0xBB, 0x8C, 0xF9, 0xFF)  # the 2019 name
    note = config.notification_template("1")
    assert note is not None
    assert note.notification_type is NotificationType.LOW_BALANCE


@pytest.mark.parametrize(
    ("document", "rule"),
    [
        ([], "config.shape"),
        ({}, "config.moBaseUrl"),
        ({"moBaseUrl": "http://x/"}, "config.moBaseUrl"),
        ({"moBaseUrl": "https://x/", "colour": 1}, "config.unknown-field"),
        ({"moBaseUrl": "https://x/", "iccidRanges": ["89-8"]}, "iccid-range.unequal-lengths"),
        ({"moBaseUrl": "https://x/", "basicAuth": "nocolon"}, "auth.basic.format"),
        ({"moBaseUrl": "https://x/", "trustedCa": "missing.pem"}, "config.trustedCa"),
        (
            {"moBaseUrl": "https://x/", "promotionTemplates": [{"id": 0, "buttonColor": "red"}]},
            "gateway.color.format",
        ),
        (
            {"moBaseUrl": "https://x/",
             "promotionTemplates": [{"id": 0, "images": [{"uri": "u", "width": 1300,
                                                           "height": 10}]}]},
            "gateway.images.size",
        ),
        (
            {"moBaseUrl": "https://x/",
             "notificationTemplates": [{"id": 1, "notificationType": "spam"}]},
            "notification-type.unknown",
        ),
    ],
)  # fmt: skip
def test_bad_files_name_the_rule(tmp_path: Path, document: object, rule: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_service_configuration(_write(tmp_path, document))
    assert caught.value.rule == rule


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(b"{\xff")
    with pytest.raises(ConfigurationError) as caught:
        load_service_configuration(path)
    assert caught.value.rule == "config.file.unreadable"


def test_run_option(tmp_path: Path) -> None:
    path = _write(tmp_path, {"moBaseUrl": "https://x/", "iccidRanges": ["894411"]})
    options = parse_run_options(["--operator-config", str(path)])
    assert options.args.operator_configuration.mo_base_url == "https://x/"
    assert [str(r) for r in options.args.iccid_ranges] == ["894411"]
    both = parse_run_options(["--operator-config", str(path), "--iccid-range", "8999"])
    assert [str(r) for r in both.args.operator_configuration.iccid_ranges] == ["8999"]
    with pytest.raises(SystemExit):
        parse_run_options(["--operator-config", str(tmp_path / "nope.json")])


def test_check_api_with_a_configuration_file(
    fresh: Operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path,
        {
            "moBaseUrl": fresh.server.base_url,
            "trustedCa": str(fresh.tls.ca_file),
            "promotionTemplates": [{"id": "0"}],
            "notificationTemplates": [
                {"id": "1", "notificationType": "lowBalance", "title": "t", "body": "b"}
            ],
        },
    )
    status = main(["check-api", "--config", str(path), "--iccid", ICCID])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "notificationId values were not matched" not in out  # templates came from the file


def test_the_documented_example_loads(tmp_path: Path, operator_tls: OperatorTls) -> None:
    page = (Path(__file__).parents[3] / "docs" / "operator-apis.md").read_text("utf-8")
    example = page.split("```json\n", 1)[1].split("```", 1)[0]
    _write_pems(tmp_path, operator_tls)
    path = tmp_path / "operator.json"
    path.write_text(example, "utf-8")
    config = load_service_configuration(path)
    assert config.brand_name == "Contoso Mobile"
    assert config.notification_template("1") is not None
