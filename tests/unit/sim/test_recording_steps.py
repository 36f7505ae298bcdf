"""A recording file is untrusted input: each step is checked when the file is loaded, and a
malformed one is refused naming the step and the field, before any simulator starts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.replay import FORMAT, Recording, RecordingFormatError

AFTER = {"page": 0, "app": 0}


def _write(tmp_path: Path, steps: list[Any]) -> Path:
    path = tmp_path / "session.json"
    document = {
        "format": FORMAT,
        "device": {"kind": "esim", "imei": "1", "eid": "2", "market": "US", "location": "US"},
        "portal": {"bundled": True},
        "steps": steps,
        "keys": [],
    }
    path.write_text(json.dumps(document), "utf-8")
    return path


def test_well_formed_steps_load(tmp_path: Path) -> None:
    steps = [
        {"action": "launch", "after": AFTER},
        {"action": "flyout", "after": AFTER},
        {"action": "operator-api-call", "after": AFTER, "api": "GetOffers", "iccid": None},
        {
            "action": "operator-api-call",
            "after": AFTER,
            "api": "GetNotifications",
            "iccid": None,
            "notification_type": "lowBalance",
        },
        {"action": "operator-answer", "after": AFTER, "api": "GetBalance", "status": 404},
        {"action": "toast", "after": AFTER, "index": 0, "answer": "Get more data"},
        {"action": "a-step-of-a-newer-version", "after": AFTER},  # the replayer names it
    ]
    assert len(Recording.load(_write(tmp_path, steps)).steps) == len(steps)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("click", "step 2 is not an object with an action"),
        ({"action": "flyout"}, "step 2 (flyout) has no event counts"),
        ({"action": "click", "after": AFTER}, "step 2 (click): selector must be a str, not None"),
        (
            {"action": "toast", "after": AFTER, "index": True, "answer": "x"},
            "step 2 (toast): index must be a int, not True",
        ),
        (
            {"action": "operator-answer", "after": AFTER, "api": "GetBalance", "status": "200"},
            "step 2 (operator-answer): status must be a int, not '200'",
        ),
        (
            {"action": "operator-api-call", "after": AFTER, "api": "DeleteEverything"},
            "step 2 (operator-api-call): api 'DeleteEverything' is not one of GetBalance",
        ),
        (
            {"action": "operator-api-call", "after": AFTER, "api": "GetNotifications"},
            "step 2 (operator-api-call): a GetNotifications call needs its notification_type",
        ),
    ],
)
def test_a_malformed_step_is_refused_by_name(tmp_path: Path, step: Any, message: str) -> None:
    path = _write(tmp_path, [{"action": "launch", "after": AFTER}, step])
    with pytest.raises(RecordingFormatError) as caught:
        Recording.load(path)
    assert str(caught.value).startswith(f"{path}: {message}")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            {"action": "sms", "after": AFTER, "notification_type": "bogus"},
            "step 2 (sms): 'bogus' is not a notification type",
        ),
        (
            {
                "action": "operator-api-call",
                "after": AFTER,
                "api": "GetNotifications",
                "notification_type": "lowbalance!",
            },
            "step 2 (operator-api-call): 'lowbalance!' is not a notification type",
        ),
    ],
)
def test_a_notification_type_the_app_does_not_know_is_refused_on_load(
    tmp_path: Path, step: Any, message: str
) -> None:
    path = _write(tmp_path, [{"action": "launch", "after": AFTER}, step])
    with pytest.raises(RecordingFormatError) as caught:
        Recording.load(path)
    assert str(caught.value).startswith(f"{path}: {message}")


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ("8999001", "iccid_ranges must be a list of at most 100 ranges"),
        (["8999001"] * 101, "iccid_ranges must be a list of at most 100 ranges"),
        (["8999001", 7], "iccid_ranges[1] must be a string, not 7"),
        (["abc"], "iccid_ranges[0]: iccid-range.not-digits: ICCID range start 'abc'"),
        (["89-1"], "iccid_ranges[0]: iccid-range.unequal-lengths"),
    ],
)
def test_unusable_iccid_ranges_are_refused_on_load(
    tmp_path: Path, ranges: Any, message: str
) -> None:
    path = _write(tmp_path, [])
    document = json.loads(path.read_text("utf-8"))
    document["iccid_ranges"] = ranges
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(RecordingFormatError) as caught:
        Recording.load(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_json_nested_thousands_deep_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = _write(tmp_path, [])
    deep = "[" * 100_000 + "]" * 100_000
    text = path.read_text("utf-8").replace('"steps": []', f'"steps": {deep}')
    path.write_text(text, "utf-8")
    with pytest.raises(RecordingFormatError, match="nested too deeply"):
        Recording.load(path)


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        (float("nan"), "step 2 (advance): seconds must be a finite number, not nan"),
        (float("inf"), "step 2 (advance): seconds must be a finite number, not inf"),
        (1e300, "step 2 (advance): seconds must be 0 to 315360000 (ten years), not 1e+300"),
        (-60, "step 2 (advance): seconds must be 0 to 315360000 (ten years), not -60"),
    ],
)
def test_an_advance_is_a_finite_step_of_at_most_ten_years(
    tmp_path: Path, seconds: float, message: str
) -> None:
    """json reads NaN and Infinity; an endless step used to crash the replay's event loop."""
    path = _write(tmp_path, [{"action": "launch", "after": AFTER}])
    document = json.loads(path.read_text("utf-8"))
    document["steps"].append({"action": "advance", "after": AFTER, "seconds": seconds})
    path.write_text(json.dumps(document), "utf-8")  # writes NaN / Infinity as json does
    with pytest.raises(RecordingFormatError) as caught:
        Recording.load(path)
    assert str(caught.value).startswith(f"{path}: {message}")
