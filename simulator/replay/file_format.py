"""The saved form of a recording: a `mobileplans-session/1` JSON document."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "mobileplans-session/1"


@dataclass
class Recording:
    """A saved session: the device, the portal, the steps, and the keys they produced."""

    device: dict[str, str]
    portal_host: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)  # functions the portal defined

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "format": FORMAT,
            "device": self.device,
            "portal_host": self.portal_host,
            "callbacks": self.callbacks,
            "steps": self.steps,
            "keys": [json.loads(k) for k in self.keys],
        }
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Recording:
        document = json.loads(path.read_text("utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} recording")
        return cls(
            device=dict(document["device"]),
            portal_host=str(document["portal_host"]),
            steps=list(document["steps"]),
            keys=[json.dumps(k, sort_keys=True, default=str) for k in document["keys"]],
            callbacks=list(document.get("callbacks", [])),
        )
