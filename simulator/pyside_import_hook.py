"""PySide6's import hook, with a cheaper look at each module's source.

Once PySide6 is imported, every `import` statement ends in PySide's `__feature__` hook, which
asks, once per module name, whether the module's source mentions "PySide6" (a module that does
may switch PySide features such as `snake_case`). It asks through `inspect.getsource`: path
look-ups, `linecache`, the encoding cookie and a join of every line, about 0.1 ms per module
on this project's machine; a run's start-up meets over 90 modules after PySide6 (our Qt
modules, and every module they import by name, loaded earlier or not). The same question is
answered here from the module's file bytes: the answer is the same for every source file in
an ASCII-compatible encoding (UTF-8, Latin-1, the only ones in this process), and anything
else (a module without a `.py` file, an unreadable one) goes to PySide's own function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the hook)

_FEATURE_MODULE = "shibokensupport.feature"
_CHECK = "_mod_uses_pyside"


def source_mentions_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether `module`'s source contains "PySide6", as PySide's hook asks it."""
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            pass
    return fallback(module)


def lighten_pyside_import_hook() -> bool:
    """Answer PySide's per-module question with `source_mentions_pyside`; False (nothing
    changed) when this PySide6 has no such hook."""
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, _CHECK, None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "__wrapped__", None) is not None:
        return True  # done already

    def check(module: ModuleType) -> bool:
        return source_mentions_pyside(module, original)

    check.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(feature, _CHECK, check)
    return True
