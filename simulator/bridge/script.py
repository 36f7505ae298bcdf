"""Builds the two scripts injected into every allowed document (qutebrowser's practice).

The page half (`bridge.js`) defines the objects the portal sees in the page's main world and
holds no secret. The channel half (`bridge_channel.js`) runs qwebchannel.js in an isolated world
(`CHANNEL_WORLD`), the only world the page's web channel is set on: the transport and the
launch's token never exist where a script of the page could patch or read them.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtWebEngineCore import QWebEngineScript

from simulator.contract.surface import surface_json
from simulator.resources import resource_path

SCRIPT_NAME = "_mobileplans_bridge"
CHANNEL_SCRIPT_NAME = "_mobileplans_bridge_channel"
ENDPOINT_NAME = "mobilePlansBridge"
CHANNEL_WORLD = QWebEngineScript.ScriptWorldId.ApplicationWorld


def qwebchannel_source() -> str:
    """qwebchannel.js as compiled into QtWebChannel's resources."""
    file = QFile(":/qtwebchannel/qwebchannel.js")
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("QtWebChannel's qwebchannel.js resource is missing")
    try:
        return bytes(file.readAll().data()).decode("utf-8")
    finally:
        file.close()


def _wrapped(*parts: str) -> str:
    # One closure per script: nothing it declares becomes a global of its world.
    return "(function () {\n'use strict';\n" + "\n".join(parts) + "\n})();\n"


def _resource(name: str) -> str:
    return Path(resource_path("js", name)).read_text(encoding="utf-8")


def bridge_source(host: str) -> str:
    """The page half, configured for `host`: the surface, no token."""
    config = {"host": host.lower(), "surface": json.loads(surface_json())}
    return _wrapped(f"const MPS_SURFACE = {json.dumps(config)};", _resource("bridge.js"))


def channel_source(host: str, token: str) -> str:
    """The channel half: qwebchannel.js and bridge_channel.js, with this launch's token."""
    config = {"host": host.lower(), "token": token, "objectName": ENDPOINT_NAME}
    return _wrapped(
        qwebchannel_source(),
        f"const MPS_CHANNEL = {json.dumps(config)};",
        _resource("bridge_channel.js"),
    )


def _script(name: str, source: str, world: QWebEngineScript.ScriptWorldId) -> QWebEngineScript:
    script = QWebEngineScript()
    script.setName(name)
    script.setSourceCode(source)
    # Document creation, so a script in the portal's <head> can use everything at once.
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setWorldId(world)
    # Sub-frames get nothing, whatever their origin (Mobile Plans web portal doc: top-level only).
    script.setRunsOnSubFrames(False)
    return script


def bridge_scripts(host: str, token: str) -> tuple[QWebEngineScript, QWebEngineScript]:
    """The channel half first, then the page half (they link up in either order)."""
    return (
        _script(CHANNEL_SCRIPT_NAME, channel_source(host, token), CHANNEL_WORLD),
        _script(SCRIPT_NAME, bridge_source(host), QWebEngineScript.ScriptWorldId.MainWorld),
    )
