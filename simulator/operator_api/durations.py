"""The two time formats the operator APIs use: ISO 8601 durations (`timeRemaining`) and HTTP
`Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date). Pure, bounded input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["IsoDuration", "parse_iso_duration", "parse_retry_after"]

_MAX_TEXT = 64
# PnYnMnWnDTnHnMnS; a fraction (. or ,) only on the smallest unit written (ISO 8601-1 §5.5.2.4).
_DURATION = re.compile(
    r"P(?!$)(?:(?P<Y>\d+(?:[.,]\d+)?)Y)?(?:(?P<M>\d+(?:[.,]\d+)?)M)?(?:(?P<W>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<D>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?",
    re.ASCII,
)
# Years and months have no fixed length; for showing "time left" a calendar average will do.
_SECONDS = {
    "Y": 365.25 * 86400,
    "M": 30.44 * 86400,
    "W": 7 * 86400,
    "D": 86400,
    "h": 3600,
    "m": 60,
    "s": 1,
}
_MAX_SECONDS = 10_000 * 365.25 * 86400  # beyond timedelta's range nothing is meaningful


@dataclass(frozen=True)
class IsoDuration:
    text: str
    seconds: float

    @property
    def timedelta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    @property
    def is_zero(self) -> bool:
        return self.seconds == 0


def parse_iso_duration(text: str) -> IsoDuration | None:
    """``P23DT23H`` → 23 days 23 hours; None when ``text`` is not an ISO 8601 duration."""
    if len(text) > _MAX_TEXT:
        return None
    match = _DURATION.fullmatch(text)
    if match is None or text.endswith("T"):
        return None
    parts = {unit: value for unit, value in match.groupdict().items() if value is not None}
    units = list(parts)
    for unit in units[:-1]:
        if not parts[unit].isdigit():  # a fraction on anything but the last unit
            return None
    seconds = sum(float(parts[u].replace(",", ".")) * _SECONDS[u] for u in units)
    if seconds > _MAX_SECONDS:
        return None
    return IsoDuration(text, seconds)


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value; None when it is neither form."""
    text = value.strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    moment = now or datetime.now(UTC)
    return max(0.0, (when - moment).total_seconds())
