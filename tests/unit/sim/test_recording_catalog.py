"""The catalog in a recording file (format 3): the operator configuration it ran with, the PC's
make and model and the Select Provider page's steps; a format 2 recording still loads, and a
malformed new step or field is refused naming it, before any simulator starts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.events import Event
from simulator.operator_api.catalog import OperatorDocument
from simulator.replay import FORMAT, Recording, RecordingFormatError, event_keys
from simulator.replay.recorded_config import (
    LEFT_OUT,
    left_out_credentials,
    operator_document_of,
    recorded_operator_config,
)

AFTER = {"page": 0, "app": 0}
DEVICE = {"kind": "esim", "imei": "1", "eid": "2", "market": "US", "location": "US"}
OPERATORS = {
    "operators": [
        {"brandName": "Contoso Mobile", "basicAuth": "user:secret"},
        {
            "brandName": "Fabrikam Mobile",
            "portalUri": "https://fabrikam.example/",
            "moBaseUrl": "https://api.fabrikam.example/",
            "basicAuth": "user:other-secret",
        },
    ]
}


def _write(tmp_path: Path, **fields: Any) -> Path:
    path = tmp_path / "session.json"
    document = {
        "format": FORMAT,
        "device": DEVICE,
        "portal": {"bundled": True},
        "steps": [],
        "keys": [],
        **fields,
    }
    path.write_text(json.dumps(document), "utf-8")
    return path


def test_a_format_2_recording_still_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        format="mobileplans-session/2",
        steps=[{"action": "launch", "after": AFTER}],
    )
    recording = Recording.load(path)
    assert recording.operator_config is None
    assert recording.walled_garden == "report"
    assert [s["action"] for s in recording.steps] == ["launch"]
    # saved again, it is a format 3 recording that loads the same
    again = Recording.load(recording.save(tmp_path / "again.json"))
    assert json.loads((tmp_path / "again.json").read_text("utf-8"))["format"] == FORMAT
    assert again.steps == recording.steps


def test_an_unknown_format_is_refused_saying_what_it_found(tmp_path: Path) -> None:
    with pytest.raises(RecordingFormatError, match="format field says 'mobileplans-session/9'"):
        Recording.load(_write(tmp_path, format="mobileplans-session/9"))


def test_catalog_steps_and_configuration_round_trip(tmp_path: Path) -> None:
    config = recorded_operator_config(OperatorDocument(OPERATORS, tmp_path))
    steps = [
        {"action": "start", "after": AFTER},
        {"action": "select-provider", "after": AFTER, "operator": "Fabrikam Mobile"},
        {"action": "choose-operator", "after": AFTER},
    ]
    device = {**DEVICE, "make": "Contoso", "model": "Laptop 7"}
    recording = Recording.load(_write(tmp_path, steps=steps, operator_config=config, device=device))
    assert recording.steps == steps
    assert recording.device["model"] == "Laptop 7"
    assert recording.operator_config == config
    assert config["folder"] == str(tmp_path)


def test_control_steps_load(tmp_path: Path) -> None:
    steps = [
        {"action": "control", "after": AFTER, "control": "gateway-continue"},
        {"action": "control", "after": AFTER, "control": "flyout-open"},
        {
            "action": "control",
            "after": AFTER,
            "control": "sms-send",
            "notification_type": "lowBalance",
        },
        {"action": "control", "after": AFTER, "control": "iccid-ranges", "text": "8949"},
    ]
    assert Recording.load(_write(tmp_path, steps=steps)).steps == steps


def test_credentials_are_never_recorded_and_a_replay_asks_for_them(tmp_path: Path) -> None:
    config = recorded_operator_config(OperatorDocument(OPERATORS, tmp_path))
    assert "secret" not in json.dumps(config)
    assert config["document"]["operators"][1]["basicAuth"] == LEFT_OUT
    assert OPERATORS["operators"][1]["basicAuth"] == "user:other-secret"  # the test's is intact
    assert left_out_credentials(config) == ["operators[0].basicAuth", "operators[1].basicAuth"]
    with pytest.raises(RecordingFormatError, match=r"operator_config=FILE or dict"):
        operator_document_of(config)
    single = recorded_operator_config(
        OperatorDocument({"moBaseUrl": "https://api.example/", "basicAuth": "u:p"}, tmp_path)
    )
    assert left_out_credentials(single) == ["basicAuth"]
    plain = recorded_operator_config(
        OperatorDocument({"operators": [{"brandName": "A"}, {"brandName": "B"}]}, tmp_path)
    )
    rebuilt = operator_document_of(plain)
    assert rebuilt.document == {"operators": [{"brandName": "A"}, {"brandName": "B"}]}
    assert rebuilt.folder == tmp_path


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"steps": [{"action": "select-provider", "after": AFTER}]},
            "step 1 (select-provider): operator must be a str, not None",
        ),
        (
            {"steps": [{"action": "select-provider", "after": AFTER, "operator": ["A"]}]},
            "step 1 (select-provider): operator must be a str, not ['A']",
        ),
        ({"steps": [{"action": "start"}]}, "step 1 (start) has no event counts (after)"),
        (
            {"steps": [{"action": "control", "after": AFTER, "control": "self-destruct"}]},
            "step 1 (control): control 'self-destruct' is not one of gateway-continue",
        ),
        (
            {
                "steps": [
                    {
                        "action": "control",
                        "after": AFTER,
                        "control": "sms-send",
                        "notification_type": "free pizza",
                    }
                ]
            },
            "step 1 (control sms-send): 'free pizza' is not a notification type",
        ),
        (
            {"steps": [{"action": "control", "after": AFTER, "control": "sms-send"}]},
            "step 1 (control): notification_type must be a str, not None",
        ),
        (
            {
                "steps": [
                    {
                        "action": "control",
                        "after": AFTER,
                        "control": "sample-balance-apply",
                        "balance_type": "NONE",
                        "data_remaining_mb": "12",
                        "time_remaining": "P1D",
                    }
                ]
            },
            "step 1 (control): data_remaining_mb must be a int or float, not '12'",
        ),
        ({"operator_config": "operators.json"}, "operator_config must be an object"),
        ({"walled_garden": "sometimes"}, "walled_garden must be one of enforce, report, off"),
        (
            {"operator_config": {"document": [], "folder": "/tmp"}},
            "operator_config.document must be the operator configuration",
        ),
        (
            {"operator_config": {"document": {}, "folder": 3}},
            "operator_config.folder must be a folder name",
        ),
        ({"device": {**DEVICE, "make": "Con\x00toso"}}, "device.make: the PC's make"),
        ({"device": {**DEVICE, "make": "Contoso", "model": 7}}, "device.make and device.model"),
        ({"device": {**DEVICE, "model": "Laptop 7"}}, "device.make and device.model"),
    ],
)
def test_a_malformed_catalog_field_is_refused_by_name(
    tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, **fields)
    with pytest.raises(RecordingFormatError) as caught:
        Recording.load(path)
    assert str(caught.value).startswith(f"{path}: {message}"), str(caught.value)


def test_the_sample_operators_fresh_port_is_not_compared() -> None:
    def selected(port: int) -> Event:
        return Event(
            seq=1,
            t=0.0,
            wall="",
            kind="catalog.selected",
            fields={"operator": "Contoso Mobile", "moBaseUrl": f"https://127.0.0.1:{port}/v1/"},
        )

    assert event_keys([selected(40001)]) == event_keys([selected(51234)])
    assert "127.0.0.1:<port>/v1/" in event_keys([selected(40001)])[0]
    elsewhere = Event(
        seq=1,
        t=0.0,
        wall="",
        kind="catalog.selected",
        fields={"moBaseUrl": "https://api.example:8443/v1/"},
    )
    assert "api.example:8443" in event_keys([elsewhere])[0]  # only this PC's own servers
