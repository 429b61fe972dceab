"""Filter values: checking, formatting for each API, and wildcard helpers.

Classic values are text: ``str`` as is, ``bool`` as ``true``/``false``,
numbers as decimal text, aware ``datetime`` as ISO 8601 with milliseconds
(``...Z`` for UTC), ``date`` as ``YYYY-MM-DD``, enums by value. Planning
values are JSON: the same, except that numbers and booleans stay numbers and
booleans. Naive datetimes are refused: Workfront would read them in the
tenant's time zone, which the client cannot know.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from decimal import Decimal
from typing import Final, TypeAlias

from .._core.exceptions import QueryError

__all__ = [
    "JSONScalar",
    "check_value",
    "classic_text",
    "customer",
    "now",
    "planning_json",
    "today",
    "today_begin",
    "today_end",
    "user",
]

JSONScalar: TypeAlias = str | bool | int | float

_UNITS: Final = "hdwmqy"


def _unwrap(value: object) -> object:
    while isinstance(value, enum.Enum):
        value = value.value
    return value


def _datetime_text(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        raise QueryError(
            f"naive datetime {value.isoformat()!r}: attach a time zone, for example "
            "value.replace(tzinfo=datetime.timezone.utc), so Workfront reads the instant you mean"
        )
    text = value.isoformat(timespec="milliseconds")
    if offset == dt.timedelta(0):
        text = text[: -len("+00:00")] + "Z"
    return text


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QueryError(f"{value!r} is not a number Workfront can filter on")
        value = Decimal(repr(value))
    if not value.is_finite():
        raise QueryError(f"{value!r} is not a number Workfront can filter on")
    return format(value, "f")


def classic_text(value: object) -> str:
    """The text of ``value`` in a classic query string (not yet URL-encoded)."""
    value = _unwrap(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        raise QueryError(
            f"cannot compare with the {type(value).__name__} {value!r}: for several values use "
            ".isin([...]) or .notin([...])"
        )
    raise QueryError(
        f"cannot filter on a {type(value).__name__} value ({value!r}): use str, bool, int, "
        "float, Decimal, datetime (with tzinfo), date or an Enum of those"
    )


def planning_json(value: object) -> JSONScalar:
    """The JSON value of ``value`` in a Planning filter."""
    value = _unwrap(value)
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        _number_text(value)
        return value
    if isinstance(value, Decimal):
        text = _number_text(value)
        return int(text) if value == value.to_integral_value() else float(text)
    return classic_text(value)


def check_value(value: object) -> None:
    """Raise ``QueryError`` now if ``value`` could not be sent later."""
    if _unwrap(value) is None:
        raise QueryError("None is not a value here: use .is_null() or .not_null()")
    classic_text(value)


# --- wildcards (docs/api-notes.md §1 Wildcards) -------------------------------------


def _shift(offset: int, unit: str) -> str:
    if unit not in _UNITS or len(unit) != 1:
        raise QueryError(f"wildcard unit {unit!r}: use one of h, d, w, m, q, y")
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise QueryError(f"wildcard offset {offset!r}: use a whole number")
    return "" if offset == 0 else f"{offset:+d}{unit}"


def _edge(edge: str, span: str, offset: int, unit: str) -> str:
    if span and (span not in _UNITS or len(span) != 1):
        raise QueryError(f"wildcard span {span!r}: use '' (the day) or one of h, d, w, m, q, y")
    return f"$$TODAY{edge}{span}{_shift(offset, unit)}"


def today(offset: int = 0, unit: str = "d") -> str:
    """``$$TODAY`` shifted: ``today(-7)`` is ``"$$TODAY-7d"``,
    ``today(1, "w")`` is ``"$$TODAY+1w"``."""
    return "$$TODAY" + _shift(offset, unit)


def today_begin(span: str = "", offset: int = 0, unit: str = "d") -> str:
    """The beginning of today's day or ``span``: ``today_begin("m")`` is ``"$$TODAYbm"``."""
    return _edge("b", span, offset, unit)


def today_end(span: str = "", offset: int = 0, unit: str = "d") -> str:
    """The end of today's day or ``span``: ``today_end(offset=1, unit="w")`` is
    ``"$$TODAYe+1w"``."""
    return _edge("e", span, offset, unit)


def now(offset: int = 0, unit: str = "h") -> str:
    """``$$NOW`` shifted: ``now(-2)`` is ``"$$NOW-2h"``."""
    return "$$NOW" + _shift(offset, unit)


def _attribute(root: str, attribute: str) -> str:
    if not attribute:
        return root
    if not attribute.replace("_", "").isalnum():
        raise QueryError(f"{root} attribute {attribute!r}: use a field name such as 'ID'")
    return f"{root}.{attribute}"


def user(attribute: str = "ID") -> str:
    """The signed-in user: ``user()`` is ``"$$USER.ID"``, ``user("homeGroupID")``
    ``"$$USER.homeGroupID"``."""
    return _attribute("$$USER", attribute)


def customer(attribute: str = "") -> str:
    """The tenant: ``customer()`` is ``"$$CUSTOMER"``, ``customer("ID")`` ``"$$CUSTOMER.ID"``."""
    return _attribute("$$CUSTOMER", attribute)
