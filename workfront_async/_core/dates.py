"""Workfront dates: parse the API's format to aware datetimes and back.

Workfront returns ``2020-05-18T17:00:00:000-0600`` (a colon before the
milliseconds, no colon in the offset); event payloads use
``2020-05-18T17:00:28.722-0600``; filters accept ISO 8601
(``2020-05-13T18:18:37.255Z``). docs/api-notes.md §1 "Dates".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

__all__ = ["convert_dates", "format_date", "parse_date"]

_DATE_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<hms>\d{2}:\d{2}:\d{2})"
    r"(?:[:.](?P<frac>\d{1,6}))?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})$"
)


def parse_date(text: str) -> datetime:
    """Parse a Workfront or ISO 8601 timestamp into a timezone-aware datetime.

    >>> parse_date("2020-05-18T17:00:00:000-0600").isoformat()
    '2020-05-18T17:00:00-06:00'

    Raises ``ValueError`` (naming the expected form) for anything else,
    including timestamps without an offset.
    """
    m = _DATE_RE.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(
            f"not a Workfront timestamp: {text!r}; expected e.g. "
            "'2020-05-18T17:00:00:000-0600' or '2020-05-13T18:18:37.255Z'"
        )
    frac = (m.group("frac") or "").ljust(6, "0")
    tz = m.group("tz")
    if tz == "Z":
        tzinfo = UTC
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise ValueError(f"not a Workfront timestamp: {text!r}; bad offset {tz!r}")
        tzinfo = timezone(sign * timedelta(hours=hours, minutes=minutes))
    naive = datetime.fromisoformat(f"{m.group('date')}T{m.group('hms')}.{frac}")
    return naive.replace(tzinfo=tzinfo)


def format_date(value: datetime | date) -> str:
    """Format a datetime the way Workfront writes them (``2020-05-18T17:00:00:000-0600``).

    A ``date`` becomes ``YYYY-MM-DD``. A naive datetime is refused: say which
    zone it is in (``dt.replace(tzinfo=...)``) so the stored instant is right.
    """
    if not isinstance(value, datetime):
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(f"format_date() takes a datetime or date, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"format_date({value!r}): naive datetime; attach a timezone first, "
            "e.g. dt.replace(tzinfo=datetime.timezone.utc)"
        )
    ms = value.microsecond // 1000
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f":{ms:03d}" + value.strftime("%z")


def _looks_like_date(value: str) -> bool:
    return (
        len(value) >= 20
        and value[4:5] == "-"
        and value[10:11] == "T"
        and bool(_DATE_RE.match(value))
    )


def convert_dates(value: Any) -> Any:
    """Return a copy of a response value (row, list, nested objects) with every
    Workfront timestamp string replaced by an aware datetime."""
    if isinstance(value, str):
        return parse_date(value) if _looks_like_date(value) else value
    if isinstance(value, Mapping):
        return {k: convert_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [convert_dates(v) for v in value]
    return value
