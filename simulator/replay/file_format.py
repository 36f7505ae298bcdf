"""The saved form of a recording: a `mobileplans-session/3` JSON document.

Version 3 adds the operator configuration the session ran with (``operator_config``), the
walled garden's starting mode (``walled_garden``), the PC's make and model (``device``), the
clicks in the window (``control``) and the catalog's steps (``start``, ``select-provider``,
``choose-operator``); a version 2 recording has none of them and loads as it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.clock import MAX_STEP_SECONDS

FORMAT = "mobileplans-session/3"
_STILL_READ = ("mobileplans-session/2",)  # what it lacks has a default that means "none"
_OLDER_FORMATS = ("mobileplans-session/1",)
_GARDEN_MODES = ("enforce", "report", "off")  # simulator.portal.walled_garden.GardenMode


class RecordingFormatError(ValueError):
    """A file that is not a recording this version can replay, with what to do."""


_TEXT, _NUMBER, _FLAG, _MAP = (str,), (int, float), (bool,), (dict,)
#: The fields each recorded step needs, and their JSON types. A step of an action not listed
#: here is left to the replayer, which names it if it does not know it.
STEP_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "click": {"selector": _TEXT},
    "fill": {"selector": _TEXT, "text": _TEXT},
    "js": {"code": _TEXT},
    "advance": {"seconds": _NUMBER},
    "toast": {"index": (int,), "answer": _TEXT},
    "error-answer": {"retry": _FLAG},
    "network-plan": {"outcome": _TEXT, "searching_seconds": _NUMBER},
    "card-busy": {"busy": _FLAG},
    "card-enable": {"iccid": _TEXT},
    "card-disable": {"iccid": _TEXT},
    "card-delete": {"iccid": _TEXT},
    "create-order": {"options": _MAP},
    "behave-next": {"behaviour": _MAP},
    "set-behaviour": {"order": (int,), "behaviour": _MAP},
    "operator-api-call": {"api": _TEXT},
    "operator-answer": {"api": _TEXT, "status": (int,)},
    "operator-balance": {
        "iccid": _TEXT,
        "balance_type": _TEXT,
        "data_remaining_mb": _NUMBER,
        "time_remaining": _TEXT,
    },
    "sms": {"notification_type": _TEXT},
    "select-provider": {"operator": _TEXT},
    "control": {"control": _TEXT},
}

#: The controls a ``control`` step may name (the app's own widgets a person used, by object
#: name), and the values each one is used with.
CONTROLS: dict[str, dict[str, tuple[type, ...]]] = {
    "gateway-continue": {},
    "flyout-open": {},
    "flyout-view-my-account": {},
    "flyout-connect-with-a-data-plan": {},
    "setup-completed": {},
    "sms-send": {"notification_type": _TEXT},
    "sample-balance-apply": {
        "balance_type": _TEXT,
        "data_remaining_mb": _NUMBER,
        "time_remaining": _TEXT,
    },
    "iccid-ranges": {"text": _TEXT},
}


#: The operator's service APIs a step may name (docs/operator-apis.md).
OPERATOR_APIS = ("GetBalance", "GetOffers", "GetNotifications")


def check_step(number: int, step: object) -> None:
    """Raise `RecordingFormatError` naming step ``number`` (1-based) and what it lacks."""
    if not isinstance(step, dict) or not isinstance(step.get("action"), str):
        raise RecordingFormatError(f"step {number} is not an object with an action")
    after = step.get("after")
    if not isinstance(after, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in after.values()
    ):
        raise RecordingFormatError(f"step {number} ({step['action']}) has no event counts (after)")
    api = step.get("api")
    if step["action"].startswith("operator-") and "api" in step and api not in OPERATOR_APIS:
        raise RecordingFormatError(
            f"step {number} ({step['action']}): api {api!r} is not one of "
            + ", ".join(OPERATOR_APIS)
        )
    fields = dict(STEP_FIELDS.get(step["action"], {}))
    if step["action"] == "control":
        control = step.get("control")
        if control not in CONTROLS:
            raise RecordingFormatError(
                f"step {number} (control): control {control!r} is not one of " + ", ".join(CONTROLS)
            )
        fields.update(CONTROLS[str(control)])
    for name, types in fields.items():
        value = step.get(name)
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            wanted = " or ".join(t.__name__ for t in types)
            raise RecordingFormatError(
                f"step {number} ({step['action']}): {name} must be a {wanted}, not {value!r}"
            )
    for name, types in fields.items():
        value = step.get(name)
        finite = not isinstance(value, float) or math.isfinite(value)  # JSON's NaN, Infinity
        if types is _NUMBER and not finite:
            raise RecordingFormatError(
                f"step {number} ({step['action']}): {name} must be a finite number, not {value}"
            )
    if step["action"] == "advance" and not 0 <= step["seconds"] <= MAX_STEP_SECONDS:
        raise RecordingFormatError(
            f"step {number} (advance): seconds must be 0 to {MAX_STEP_SECONDS} (ten years), "
            f"not {step['seconds']:g}"
        )
    if step["action"] == "control":
        _check_control_values(number, step)
    needs_type = step["action"] == "operator-api-call" and api == "GetNotifications"
    if needs_type and not isinstance(step.get("notification_type"), str):
        raise RecordingFormatError(
            f"step {number} (operator-api-call): a GetNotifications call needs its "
            "notification_type"
        )
    if step["action"] == "sms" or needs_type:
        _check_notification_type(number, step)


def _check_notification_type(number: int, step: dict[str, Any]) -> None:
    from simulator.operator_api.config import ConfigurationError, NotificationType

    try:
        NotificationType.parse(step["notification_type"])
    except (ConfigurationError, ValueError) as error:
        raise RecordingFormatError(f"step {number} ({step['action']}): {error}") from None


def check_iccid_ranges(value: Any) -> None:
    """The operator's ICCID ranges, as `--iccid-range` and the configuration file take them."""
    from simulator.operator_api.config_file import MAX_ICCID_RANGES
    from simulator.operator_api.iccid_ranges import IccidRange, IccidRangeError

    if not isinstance(value, list) or len(value) > MAX_ICCID_RANGES:
        raise RecordingFormatError(
            f"iccid_ranges must be a list of at most {MAX_ICCID_RANGES} ranges"
        )
    for index, text in enumerate(value):
        if not isinstance(text, str):
            raise RecordingFormatError(f"iccid_ranges[{index}] must be a string, not {text!r}")
        try:
            IccidRange.parse(text)
        except IccidRangeError as error:
            raise RecordingFormatError(
                f"iccid_ranges[{index}]: {error.rule}: {error.message}"
            ) from None


def check_recorded_config(value: Any) -> None:
    """Raise `RecordingFormatError` naming the field of a malformed ``operator_config``."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise RecordingFormatError("operator_config must be an object with document and folder")
    if not isinstance(value.get("document"), Mapping):
        raise RecordingFormatError(
            "operator_config.document must be the operator configuration (a JSON object), not "
            f"{type(value.get('document')).__name__}"
        )
    if not isinstance(value.get("folder"), str):
        raise RecordingFormatError("operator_config.folder must be a folder name (a string)")


def _check_control_values(number: int, step: dict[str, Any]) -> None:
    """The values a panel control is used with are ones its widgets offer."""
    from simulator.operator_api.config import BalanceType, ConfigurationError, NotificationType

    control = step["control"]
    try:
        if control == "sms-send":
            NotificationType.parse(step["notification_type"])
        elif control == "sample-balance-apply":
            BalanceType(step["balance_type"])
    except (ConfigurationError, ValueError) as error:
        raise RecordingFormatError(f"step {number} (control {control}): {error}") from None


@dataclass
class Recording:
    """A saved session: the device, the portal, the test's steps, and the events they produced.

    `portal` says which portal was recorded: ``{"url": …}``, ``{"dir": …}`` or
    ``{"bundled": true}``; a replay loads that portal again (or one given instead).
    `matching_ids` are the SM-DP+ orders' matching IDs in the order they were created, so a
    step that typed one (an activation code) types the replay's own.
    """

    device: dict[str, str]
    portal: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    matching_ids: list[str] = field(default_factory=list)
    calendar_start: str = ""  # the operator calendar's first day, so dates replay the same
    iccid_ranges: list[str] = field(default_factory=list)  # the operator's, when not the sample's
    # the fixture's operator_config: {"document": …, "folder": …} (recorded_config)
    operator_config: dict[str, Any] | None = None
    # the walled garden's mode the session started in (the fixture's walled_garden=)
    walled_garden: str = "report"

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "format": FORMAT,
            "device": self.device,
            "portal": self.portal,
            "matching_ids": self.matching_ids,
            "calendar_start": self.calendar_start,
            "iccid_ranges": self.iccid_ranges,
            "operator_config": self.operator_config,
            "walled_garden": self.walled_garden,
            "steps": self.steps,
            "keys": [json.loads(k) for k in self.keys],
        }
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
        temporary.replace(path)  # a reader never sees half a recording
        return path

    @classmethod
    def load(cls, path: Path) -> Recording:
        try:
            document = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RecordingFormatError(f"{path} is not a readable recording: {error}") from None
        except RecursionError:  # a hostile file nests arrays or objects thousands deep
            raise RecordingFormatError(
                f"{path} is not a readable recording: its JSON is nested too deeply"
            ) from None
        found = document.get("format") if isinstance(document, dict) else None
        if found in _OLDER_FORMATS:
            raise RecordingFormatError(
                f"{path} is a {found} recording, which replayed the portal's calls from a stub "
                f"page; this version replays the portal itself ({FORMAT}): record it again"
            )
        if found != FORMAT and found not in _STILL_READ:
            raise RecordingFormatError(
                f"{path} is not a {FORMAT} recording (its format field says {found!r})"
            )
        steps = document.get("steps")
        if not isinstance(steps, list):
            raise RecordingFormatError(f"{path}: steps must be a list")
        for number, step in enumerate(steps, start=1):
            try:
                check_step(number, step)
            except RecordingFormatError as error:
                raise RecordingFormatError(f"{path}: {error}") from None
        try:
            check_recorded_config(document.get("operator_config"))
            _check_hardware(document.get("device"))
            check_iccid_ranges(document.get("iccid_ranges", []))
            if document.get("walled_garden", "report") not in _GARDEN_MODES:
                raise RecordingFormatError(
                    "walled_garden must be one of " + ", ".join(_GARDEN_MODES)
                )
        except RecordingFormatError as error:
            raise RecordingFormatError(f"{path}: {error}") from None
        try:
            return cls(
                device={str(k): str(v) for k, v in dict(document["device"]).items()},
                portal=dict(document["portal"]),
                steps=[dict(step) for step in document["steps"]],
                keys=[json.dumps(k, sort_keys=True, default=str) for k in document["keys"]],
                matching_ids=[str(m) for m in document.get("matching_ids", [])],
                calendar_start=str(document.get("calendar_start", "")),
                iccid_ranges=[str(r) for r in document.get("iccid_ranges", [])],
                operator_config=document.get("operator_config"),
                walled_garden=str(document.get("walled_garden", "report")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordingFormatError(
                f"{path}: a field is missing or malformed: {error}"
            ) from None


def _check_hardware(device: Any) -> None:
    """The PC's make and model, when recorded, as `run --device-make/--device-model` takes them."""
    if not isinstance(device, Mapping) or ("make" not in device and "model" not in device):
        return
    from esim.identifiers import IdentifierError
    from simulator.device import Hardware

    make, model = device.get("make"), device.get("model")
    if not isinstance(make, str) or not isinstance(model, (str, type(None))):
        raise RecordingFormatError("device.make and device.model must be strings")
    try:
        Hardware.parse(make, model)
    except IdentifierError as error:
        raise RecordingFormatError(f"{error.rule}: {error.message}") from None
