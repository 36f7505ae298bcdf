"""Qt's and Chromium's own messages go to a log file in the data directory, not the terminal.

Qt messages ("QRhiGles2: Failed to create context", "propagateSizeHints") arrive through
`qInstallMessageHandler`; Chromium and its helper processes write straight to file descriptor
2, which they inherit, so that descriptor is pointed at the log before QtWebEngine starts.
Python keeps writing to the real terminal through a duplicate of the original stderr.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

LOG_NAME = "qt-chromium.log"
ROTATE_BYTES = 5 * 1024 * 1024  # one older generation is kept as .1

_LEVELS = {
    QtMsgType.QtDebugMsg: "debug",
    QtMsgType.QtInfoMsg: "info",
    QtMsgType.QtWarningMsg: "warning",
    QtMsgType.QtCriticalMsg: "critical",
    QtMsgType.QtFatalMsg: "fatal",
}


class NativeLog:
    """While open, native stderr and Qt messages land in `path`; `close()` puts them back."""

    def __init__(self, path: Path, title: str) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > ROTATE_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        self._file: IO[str] = path.open("a", encoding="utf-8", errors="replace")
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        self._file.write(f"--- {title} (pid {os.getpid()}, {stamp}) ---\n")
        self._file.flush()
        sys.stderr.flush()
        self._saved_fd = os.dup(2)
        self._saved_stderr = sys.stderr
        # Python's own messages (usage errors, tracebacks) still reach the person.
        sys.stderr = os.fdopen(os.dup(self._saved_fd), "w", buffering=1, encoding="utf-8")
        os.dup2(self._file.fileno(), 2)
        self._previous_handler = qInstallMessageHandler(self._qt_message)

    def _qt_message(self, kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if not self._file.closed:
            self._file.write(f"qt {_LEVELS.get(kind, 'message')}: {message}\n")
            self._file.flush()

    def close(self) -> None:
        if self._file.closed:
            return
        qInstallMessageHandler(self._previous_handler)
        sys.stderr.flush()
        os.dup2(self._saved_fd, 2)
        os.close(self._saved_fd)
        sys.stderr.close()
        sys.stderr = self._saved_stderr
        self._file.close()
