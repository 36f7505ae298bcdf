"""Builds the one script injected into every document (style-anchors §5.3)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtWebEngineCore import QWebEngineScript

from simulator.contract.surface import surface_json
from simulator.resources import resource_path

SCRIPT_NAME = "_mobileplans_bridge"
ENDPOINT_NAME = "mobilePlansBridge"


def qwebchannel_source() -> str:
    """qwebchannel.js as compiled into QtWebChannel's resources."""
    file = QFile(":/qtwebchannel/qwebchannel.js")
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("QtWebChannel's qwebchannel.js resource is missing")
    try:
        return bytes(file.readAll().data()).decode("utf-8")
    finally:
        file.close()


def bridge_source(host: str, token: str) -> str:
    """The full script: qwebchannel.js and bridge.js in one closure, configured for `host`."""
    config = {
        "host": host.lower(),
        "token": token,
        "objectName": ENDPOINT_NAME,
        "surface": json.loads(surface_json()),
    }
    bridge_js = Path(resource_path("js", "bridge.js")).read_text(encoding="utf-8")
    return (
        "(function () {\n'use strict';\n"
        + qwebchannel_source()
        + "\nconst MPS_CONFIG = "
        + json.dumps(config)
        + ";\n"
        + bridge_js
        + "\n})();\n"
    )


def bridge_script(host: str, token: str) -> QWebEngineScript:
    script = QWebEngineScript()
    script.setName(SCRIPT_NAME)
    script.setSourceCode(bridge_source(host, token))
    # Document creation, so a script in the portal's <head> can use everything at once.
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
    # Sub-frames run it too, but only to lose `qt`: bridge.js defines nothing there.
    script.setRunsOnSubFrames(True)
    return script
