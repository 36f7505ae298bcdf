"""Where the bundled resources (bridge script, sample portal, icons) live."""

from __future__ import annotations

from pathlib import Path

# resources/ sits beside the packages in the source tree (DESIGN.md §3); the project installs
# in editable mode, so this path holds for `make run`, `make test` and `pip install -e`.
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    path = RESOURCES.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"bundled resource {'/'.join(parts)} is missing at {path}")
    return path
