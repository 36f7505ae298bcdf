"""`mobileplans-sim check-api URL`: exit 0 clean, 1 on a contract error, 2 on usage errors."""

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

from simulator.cli import main
from simulator.operator_api.requests import Api
from simulator.operator_api.sample_operator import ScriptedAnswer


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    if argv and argv[0].startswith("https://127.0.0.1") and "--iccid" not in argv:
        argv = (*argv, "--iccid", ICCID)
    status = main(["check-api", *argv])
    return status, capsys.readouterr().out


def test_clean_operator_exits_0_and_replays_for_409(
    fresh: Operator, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _run(capsys, fresh.server.base_url, "--ca", str(fresh.tls.ca_file), "--json")
    report = json.loads(out)
    assert status == 0, out
    assert [c["api"] for c in report["checks"]] == [
        "GetBalance", "GetOffers", "GetNotifications", "GetBalance (replay)",
    ]  # fmt: skip
    assert report["checks"][-1]["status"] == 409


def test_a_contract_error_exits_1_naming_the_rule(
    fresh: Operator, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh.server.script(
        Api.GET_OFFERS, ScriptedAnswer(200, {"offers": [{"gatewayId": "spring-promo"}]})
    )
    status, out = _run(capsys, fresh.server.base_url, "--ca", str(fresh.tls.ca_file))
    assert status == 1
    assert "offers.gatewayId.unknown" in out
    assert "docs/operator-apis.md#offers.gatewayId.unknown" in out
    # the same answer passes when the template is configured
    fresh.server.script(
        Api.GET_OFFERS, ScriptedAnswer(200, {"offers": [{"gatewayId": "spring-promo"}]})
    )
    status, _ = _run(
        capsys, fresh.server.base_url, "--ca", str(fresh.tls.ca_file),
        "--gateway-id", "0", "--gateway-id", "spring-promo",
    )  # fmt: skip
    assert status == 0


def test_a_replay_answered_200_is_a_warning(
    fresh: Operator, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"balances": [{"type": "NONE", "dataRemainingInMB": 0, "timeRemaining": "PT0S"}]}
    fresh.server.script(Api.GET_BALANCE, ScriptedAnswer(200, body), ScriptedAnswer(200, body))
    status, out = _run(capsys, fresh.server.base_url, "--ca", str(fresh.tls.ca_file))
    assert status == 0  # a warning does not fail the check
    assert "status.replay-accepted" in out


def test_a_refused_iccid_says_the_bodies_went_unchecked(
    fresh: Operator, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = "8988247000100003319"
    status, out = _run(
        capsys, fresh.server.base_url, "--ca", str(fresh.tls.ca_file), "--iccid", unknown
    )
    assert status == 0  # 404 is a warning
    assert "status.not-found" in out
    assert "so the body rules were not checked" in out


def test_untrusted_certificate_fails(fresh: Operator, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, fresh.server.base_url)
    assert status == 1
    assert "transport.tls" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["http://staging.example/v1/"],
        ["https://staging.example/v1/", "--basic-auth", "nocolon"],
        ["https://staging.example/v1/", "--client-cert", "c.pem"],
        ["https://staging.example/v1/", "--notification-type", "spam"],
        ["https://staging.example/v1/", "--iccid", "89x"],
        ["https://staging.example/v1/"],  # which ICCID? the endpoints must know it
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, *argv)
    assert status == 2
    assert out.startswith("mobileplans-sim check-api:")


def test_sample_operator_passes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "--sample")
    assert status == 0, out
    assert "OK: no errors" in out


def test_docs_page_lists_every_rule_with_its_anchor() -> None:
    from pathlib import Path

    from simulator.operator_api.docs_page import render_rules_section
    from simulator.operator_api.rules import RULES

    page = (Path(__file__).parents[3] / "docs" / "operator-apis.md").read_text("utf-8")
    assert render_rules_section() in page  # regenerate: python -m simulator.operator_api.docs_page
    for rule_id in RULES:
        assert f'<a id="{rule_id}"></a>' in page


def _config_with_images(fresh: Operator, tmp_path: Path, *paths: str) -> Path:
    base = fresh.server.base_url.removesuffix("/v1/")
    images = [{"uri": base + path, "width": 740, "height": 480} for path in paths]
    document = {
        "moBaseUrl": fresh.server.base_url,
        "trustedCa": str(fresh.tls.ca_file),
        "promotionTemplates": [{"id": "0", "images": images}, {"id": "1", "images": images}],
    }
    path = tmp_path / "operator.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


def test_check_api_fetches_each_configured_gateway_image_once(
    fresh: Operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "Mobile Plans gateway page": images[] are png files of the declared size."""
    config = _config_with_images(fresh, tmp_path, "/images/gateway.png")
    status, out = _run(capsys, "--config", str(config), "--iccid", ICCID, "--json")
    report = json.loads(out)
    assert status == 0, out
    (image,) = [c for c in report["checks"] if c["api"] == "Gateway image"]  # two templates
    assert image["status"] == 200
    assert image["violations"] == []


def test_check_api_names_a_missing_gateway_image_and_exits_1(
    fresh: Operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config_with_images(fresh, tmp_path, "/images/spring-promo.png")
    status, out = _run(capsys, "--config", str(config), "--iccid", ICCID)
    assert status == 1, out
    assert "Gateway image     GET " in out
    assert "-> 404" in out
    assert "error   gateway.image-unreachable:" in out
    assert "HTTP 404 (not found)" in out
    # the image's 404 is its own error; the note about unchecked API bodies is not about it
    assert "refused the request" not in out


def test_check_api_says_which_template_has_more_images_than_are_fetched(
    fresh: Operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The app fetches at most 8 images of a template and says so; check-api did not."""
    paths = [f"/images/gateway.png?size={n}" for n in range(10)]
    config = _config_with_images(fresh, tmp_path, *paths)
    status, out = _run(capsys, "--config", str(config), "--iccid", ICCID, "--json")
    report = json.loads(out)
    images = [c for c in report["checks"] if c["api"] == "Gateway image"]
    assert len(images) == 8
    rules = [v["rule"] for c in images for v in c["violations"]]
    assert rules == ["gateway.images-over-limit", "gateway.images-over-limit"]  # both templates
    assert "template '0' has 10 images; the first 8 are fetched" in out
    assert status == 0  # a warning
