"""Example portal calls for the rules page: written once as Python values, shown as the
JavaScript a portal would write, and run through `ContractSession` by the rules test so a
passing example passes and a failing one breaks its rule."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.contract.model import LaunchContext, PortalCall
from simulator.contract.surface import OBJECTS
from simulator.contract.values import UNDEFINED, JsArray, JsFunction, JsObject, JsValue

#: The launch every example runs in (the transactionId the portal was given).
TRANSACTION_ID = "HADRdRhKI0S5bN4n.1"
#: The profile the example PC holds (for notifyBalanceAddition(md, iccid)).
ICCID_ON_DEVICE = "8988247000101997790"
#: An activation code of the documented form.
AC = "1$smdp.contoso.example$CONTOSO-5GB-0001"


class Undefined:
    """JavaScript `undefined` in an example."""


@dataclass(frozen=True)
class Function:
    """A function reference, `function onDone(result) {}`."""

    name: str


@dataclass(frozen=True)
class Stringified:
    """`JSON.stringify(value)`: the string the portal passes (legacy payloads)."""

    value: Any


@dataclass(frozen=True)
class Ref:
    """A variable an earlier line assigned (`op`), standing for `value`."""

    name: str
    value: Any


@dataclass(frozen=True)
class Call:
    """`Object.member(args…)`, or `Object.member = args[0]` when `set`."""

    target: str
    args: tuple[Any, ...] = ()
    set: bool = False
    assign: str = ""  # "op": the line reads `const op = …`

    @property
    def object_name(self) -> str:
        return self.target.rpartition(".")[0].removeprefix("window.")

    @property
    def member(self) -> str:
        return self.target.rpartition(".")[2]

    def js(self) -> str:
        if self.set:
            return f"{self.target} = {to_js(self.args[0])};"
        start = f"const {self.assign} = " if self.assign else ""
        flat = f"{start}{self.target}({', '.join(to_js(a) for a in self.args)});"
        if len(flat) <= _WIDTH:
            return flat
        args = ",\n".join("    " + to_js(a, 4) for a in self.args)
        return f"{start}{self.target}(\n{args}\n);"


@dataclass(frozen=True)
class Example:
    """A call, the calls before it in the same page session, and the PC it runs on."""

    call: Call
    before: tuple[Call, ...] = ()
    device: Literal["esim", "psim"] = "esim"
    note: str = ""

    def js(self) -> str:
        lines = [c.js() for c in self.before] + [self.call.js()]
        if self.device == "psim":
            lines.insert(0, "// on a PC with a physical SIM")
        if self.note:
            lines.append(f"// {self.note}")
        return "\n".join(lines)

    def portal_calls(self) -> list[PortalCall]:
        calls = []
        for seq, call in enumerate((*self.before, self.call), start=1):
            spec = OBJECTS.get(call.object_name)
            method = spec.method(call.member) if spec is not None else None
            returns_operation = method is not None and method.returns == "operation"
            calls.append(
                PortalCall(
                    object_name=call.object_name,
                    member=call.member,
                    kind="set" if call.set else "call",
                    args=tuple(to_js_value(a) for a in call.args),
                    operation_id=f"op-{seq}" if returns_operation else None,
                    document_url="https://contoso.example/mo",
                    seq=seq,
                )
            )
        return calls

    def launch(self) -> LaunchContext:
        return LaunchContext(TRANSACTION_ID, self.device)


@dataclass(frozen=True)
class Examples:
    passing: Example
    failing: Example
    also: Sequence[str] = field(default_factory=tuple)


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


_WIDTH = 92


def to_js(value: Any, indent: int = 0) -> str:
    """The JavaScript literal of an example value; objects too wide for a line are broken
    into one property a line, indented from `indent`."""
    flat = _to_js(value)
    if len(flat) + indent <= _WIDTH:
        return flat
    if isinstance(value, Stringified):
        return f"JSON.stringify({to_js(value.value, indent)})"
    if isinstance(value, Mapping):
        pad = " " * (indent + 4)
        parts = [f"{pad}{_key(k)}: {to_js(v, indent + 4)}" for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + " " * indent + "}"
    return flat


def _key(name: str) -> str:
    return name if _IDENTIFIER.fullmatch(name) else json.dumps(name)


def _to_js(value: Any) -> str:
    if isinstance(value, Undefined):
        return "undefined"
    if isinstance(value, Function):
        return f"function {value.name}(result) {{}}"
    if isinstance(value, Stringified):
        return f"JSON.stringify({_to_js(value.value)})"
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)}: {_to_js(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_to_js(v) for v in value) + "]"
    raise TypeError(f"no JavaScript form for {value!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, Stringified):
        return json.dumps(_plain(value.value), separators=(",", ":"))
    if isinstance(value, Ref):
        return _plain(value.value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_js_value(value: Any) -> JsValue:
    """The value as it crosses the bridge."""
    value = _plain(value)
    if isinstance(value, Undefined):
        return UNDEFINED
    if isinstance(value, Function):
        return JsFunction(value.name)
    if isinstance(value, Mapping):
        return JsObject(tuple((k, to_js_value(v)) for k, v in value.items()))
    if isinstance(value, list):
        return JsArray(tuple(to_js_value(v) for v in value))
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    result: JsValue = value
    return result
