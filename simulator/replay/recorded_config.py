"""The operator configuration a recording ran with (the fixture's ``operator_config``).

A recording keeps the document itself and the folder its relative file names are read from,
so a replay rebuilds the same operators (the catalog) without the original file. Credentials
are never written into a recording, which travels with bug reports: each ``basicAuth`` is kept
as a marker, and a replay of such a recording needs the configuration given again
(``replay(..., operator_config=...)``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .file_format import RecordingFormatError

if TYPE_CHECKING:
    from simulator.operator_api.catalog import OperatorDocument

__all__ = ["LEFT_OUT", "left_out_credentials", "operator_document_of", "recorded_operator_config"]

LEFT_OUT = "<not recorded>"
_CREDENTIALS = ("basicAuth",)


def _entries(document: Any) -> list[tuple[str, Any]]:
    """The objects of a configuration document that hold credentials, with where they are."""
    if not isinstance(document, Mapping):
        return []
    operators = document.get("operators")
    if isinstance(operators, list):
        return [(f"operators[{n}].", entry) for n, entry in enumerate(operators)]
    return [("", document)]


def recorded_operator_config(config: OperatorDocument) -> dict[str, Any]:
    """The recorded form: ``{"document": …, "folder": …}``, credentials left out."""
    # Through JSON: a test's dict may hold tuples or paths; the file holds JSON only.
    document = json.loads(json.dumps(config.document, default=str))
    for _where, entry in _entries(document):
        if isinstance(entry, dict):
            for name in _CREDENTIALS:
                if name in entry:
                    entry[name] = LEFT_OUT
    return {"document": document, "folder": str(config.folder)}


def left_out_credentials(recorded: Mapping[str, Any]) -> list[str]:
    """Where the recorded document had credentials (``operators[1].basicAuth``)."""
    return [
        f"{where}{name}"
        for where, entry in _entries(recorded.get("document"))
        if isinstance(entry, Mapping)
        for name in _CREDENTIALS
        if entry.get(name) == LEFT_OUT
    ]


def operator_document_of(recorded: Mapping[str, Any]) -> OperatorDocument:
    """The configuration a replay runs with; refused when the recording left credentials out."""
    missing = left_out_credentials(recorded)
    if missing:
        raise RecordingFormatError(
            f"the recording leaves out {', '.join(missing)} (credentials are never recorded): "
            "give the configuration again, replay(..., operator_config=FILE or dict)"
        )
    from simulator.operator_api.catalog import OperatorDocument

    return OperatorDocument(recorded["document"], Path(str(recorded["folder"])))
