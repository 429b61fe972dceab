"""Dates in the embedded Workfront: storage form, wire forms, filter values, wildcards.

Stored as sortable UTC text ``YYYY-MM-DDTHH:MM:SS.fff``; returned in Workfront's
format with the tenant offset fixed at UTC: ``2020-05-18T17:00:00:000+0000``.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

__all__ = [
    "DateError",
    "from_store",
    "parse_filter_date",
    "to_api",
    "to_event",
    "to_store",
]


class DateError(ValueError):
    """A date or date wildcard that cannot be read."""


def to_store(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"


def from_store(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)


def to_api(stored: str) -> str:
    """``2020-05-18T17:00:00.000`` -> ``2020-05-18T17:00:00:000+0000``."""
    return f"{stored[:19]}:{stored[20:23]}+0000"


def to_event(stored: str) -> str:
    """The event-payload form: ``2020-05-18T17:00:00.000+0000``."""
    return f"{stored[:23]}+0000"


_WF = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[:.](\d{1,6}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_WILD = re.compile(
    r"^\$\$(TODAY|NOW)(?:([be])([hdwmqy])?)?(?:([+-])(\d+)([hdwmqy]))?([hdwmqy])?$",
    re.IGNORECASE,
)


def _add_months(dt: datetime, months: int) -> datetime:
    total = dt.year * 12 + (dt.month - 1) + months
    year, month = divmod(total, 12)
    day = min(dt.day, calendar.monthrange(year, month + 1)[1])
    return dt.replace(year=year, month=month + 1, day=day)


def _shift(dt: datetime, sign: int, amount: int, unit: str) -> datetime:
    n = sign * amount
    if unit == "h":
        return dt + timedelta(hours=n)
    if unit == "d":
        return dt + timedelta(days=n)
    if unit == "w":
        return dt + timedelta(weeks=n)
    if unit == "m":
        return _add_months(dt, n)
    if unit == "q":
        return _add_months(dt, 3 * n)
    return _add_months(dt, 12 * n)


def _begin(dt: datetime, unit: str) -> datetime:
    if unit == "h":
        return dt.replace(minute=0, second=0, microsecond=0)
    day = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "d":
        return day
    if unit == "w":  # weeks start on Sunday
        return day - timedelta(days=(day.weekday() + 1) % 7)
    if unit == "m":
        return day.replace(day=1)
    if unit == "q":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _end(dt: datetime, unit: str) -> datetime:
    start = _begin(dt, unit)
    nxt = _shift(start, 1, 1, unit)
    return nxt - timedelta(milliseconds=1)


def parse_filter_date(text: str, now: datetime) -> str:
    """Read a filter value for a date field into the stored form.

    Accepts ISO 8601 (``2020-05-13T18:18:37.255Z``), Workfront's own format
    (``2020-05-18T17:00:00:000-0600``), a bare date, and the wildcards
    ``$$TODAY`` / ``$$NOW`` with ``b``/``e`` and ``+/-N[h|d|w|m|q|y]``.
    """
    value = text.strip()
    wild = _WILD.match(value)
    if wild:
        base, be, be_unit, sign, amount, unit, trailing = wild.groups()
        now = now.astimezone(UTC)
        dt = now if base.upper() == "NOW" else _begin(now, "d")
        if sign:
            dt = _shift(dt, 1 if sign == "+" else -1, int(amount), unit.lower())
        if be:
            which = (be_unit or trailing or unit or "d").lower()
            dt = _begin(dt, which) if be.lower() == "b" else _end(dt, which)
        return to_store(dt)
    match = _WF.match(value)
    if not match:
        raise DateError(
            f"cannot read {text!r} as a date: use ISO 8601 (2020-05-13T18:18:37.255Z), "
            "Workfront's format (2020-05-18T17:00:00:000-0600) or $$TODAY/$$NOW"
        )
    year, month, day, hh, mm, ss, frac, tz = match.groups()
    micro = int((frac or "0").ljust(6, "0")[:6])
    try:
        dt = datetime(
            int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), micro
        )
    except ValueError as exc:
        raise DateError(f"cannot read {text!r} as a date: {exc}") from None
    if tz and tz != "Z":
        sign_ = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        dt = (dt - sign_ * offset).replace(tzinfo=UTC)
    else:
        dt = dt.replace(tzinfo=UTC)
    return to_store(dt)
