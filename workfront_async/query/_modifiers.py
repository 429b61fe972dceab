"""The operator tables: classic modifiers, their negations, and Planning operators.

Every operator a ``Condition`` can carry is named here once. Shared operators
use the classic modifier name (``eq``, ``cicontains``, ``between``, ...);
the few that exist only in one API have their own names (``after``,
``before`` and the Planning-only ``hasany``, ``hasall``, ``hasnone``,
``isexactly``).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "CLASSIC_MODIFIERS",
    "CLASSIC_ONLY",
    "CLASSIC_OP",
    "FIELD_TYPE_OPS",
    "MULTI_VALUED",
    "NEGATION",
    "NO_VALUE",
    "OPS",
    "PLANNING_ONLY",
    "PLANNING_OP",
    "RANGE",
    "SWALLOWED_EXACT",
    "SWALLOWED_NAMES",
    "is_swallowed",
    "normalise_field_type",
]

# docs/api-notes.md §1 Search: every classic modifier, in the order the notes list them.
CLASSIC_MODIFIERS: Final = (
    "eq",
    "ne",
    "nee",
    "cieq",
    "cine",
    "lt",
    "lte",
    "gt",
    "gte",
    "contains",
    "notcontains",
    "cicontains",
    "cinotcontains",
    "cicontainsany",
    "cicontainsall",
    "like",
    "cilike",
    "startswith",
    "cistartswith",
    "endswith",
    "ciendswith",
    "in",
    "ciin",
    "notin",
    "cinotin",
    "between",
    "notbetween",
    "isnull",
    "notnull",
    "isblank",
    "notblank",
    "allof",
)

# Operators only the Planning API has (docs/api-notes.md §3).
PLANNING_ONLY: Final = frozenset({"hasany", "hasall", "hasnone", "isexactly"})

# ``after``/``before`` are ``gt``/``lt`` in the classic API and
# ``$isAfter``/``$isBefore`` in Planning.
OPS: Final = frozenset(CLASSIC_MODIFIERS) | PLANNING_ONLY | {"after", "before"}

# Operators that take no value (``field_Mod=isnull`` alone).
NO_VALUE: Final = frozenset({"isnull", "notnull", "isblank", "notblank"})
# Operators that take a lower and an upper bound (``field`` and ``field_Range``).
RANGE: Final = frozenset({"between", "notbetween"})
# Operators that take one or more values; the classic API repeats the parameter
# (docs/api-notes.md §1: ``status=CUR&status=PLN&status_Mod=in``).
MULTI_VALUED: Final = (
    frozenset({"in", "ciin", "notin", "cinotin", "cicontainsany", "cicontainsall", "allof"})
    | PLANNING_ONLY
)

# ``~`` at build time: each operator and the operator that matches exactly what
# it does not (in Workfront's reading: NULL fields satisfy neither side of a
# comparison, but ``ne``-like modifiers match NULL). Operators absent from this
# table are wrapped in ``Not`` instead.
_PAIRS: Final = (
    ("eq", "ne"),
    ("cieq", "cine"),
    ("lt", "gte"),
    ("gt", "lte"),
    ("contains", "notcontains"),
    ("cicontains", "cinotcontains"),
    ("in", "notin"),
    ("ciin", "cinotin"),
    ("between", "notbetween"),
    ("isnull", "notnull"),
    ("isblank", "notblank"),
    ("hasany", "hasnone"),
)
NEGATION: Final = MappingProxyType(dict(_PAIRS) | {b: a for a, b in _PAIRS})

# Condition operator -> classic modifier. Planning-only operators are absent.
CLASSIC_OP: Final = MappingProxyType(
    {m: m for m in CLASSIC_MODIFIERS} | {"after": "gt", "before": "lt"}
)
CLASSIC_ONLY: Final = frozenset(CLASSIC_MODIFIERS) - {
    "eq",
    "ne",
    "lt",
    "lte",
    "gt",
    "gte",
    "contains",
    "notcontains",
    "in",
    "notin",
    "between",
    "notbetween",
    "isnull",
    "notnull",
}

# Condition operator -> Planning operator (docs/api-notes.md §3).
PLANNING_OP: Final = MappingProxyType(
    {
        "eq": "$is",
        "ne": "$isNot",
        "contains": "$contains",
        "notcontains": "$doesNotContain",
        "isnull": "$isEmpty",
        "notnull": "$isNotEmpty",
        "gt": "$greaterThan",
        "gte": "$greaterThanOrEqual",
        "lt": "$lessThan",
        "lte": "$lessThanOrEqual",
        "after": "$isAfter",
        "before": "$isBefore",
        "between": "$isBetween",
        "notbetween": "$isNotBetween",
        "in": "$isAnyOf",
        "notin": "$isNoneOf",
        "hasany": "$hasAnyOf",
        "hasall": "$hasAllOf",
        "hasnone": "$hasNoneOf",
        "isexactly": "$isExactly",
    }
)

_TEXT = ("$contains", "$doesNotContain", "$is", "$isNot", "$isEmpty", "$isNotEmpty")
_NUMBER = (
    "$is",
    "$isNot",
    "$greaterThan",
    "$greaterThanOrEqual",
    "$lessThan",
    "$lessThanOrEqual",
    "$isEmpty",
    "$isNotEmpty",
)
_DATE = ("$is", "$isNot", "$isAfter", "$isBefore", "$isBetween", "$isNotBetween")
_SINGLE = ("$is", "$isNot", "$isAnyOf", "$isNoneOf")
_MULTI = ("$hasAnyOf", "$hasAllOf", "$isExactly", "$hasNoneOf", "$isEmpty", "$isNotEmpty")

# docs/api-notes.md §3 (corrected in §5 from Adobe's current page): which operators
# each Planning field type accepts; date and updated at take $isEmpty too. ``lookup``
# is absent: it accepts those of the linked field, so it is not checked.
FIELD_TYPE_OPS: Final = MappingProxyType(
    {
        "text": _TEXT,
        "long text": _TEXT,
        "formula": _TEXT,
        "url": _TEXT,
        "number": _NUMBER,
        "percentage": _NUMBER,
        "currency": _NUMBER,
        "date": (*_DATE, "$isEmpty", "$isNotEmpty"),
        "updated at": (*_DATE, "$isEmpty", "$isNotEmpty"),
        "created at": _DATE,
        "single select": (*_SINGLE, "$isEmpty", "$isNotEmpty"),
        "multi select": _MULTI,
        "people": _MULTI,
        "user": _MULTI,
        "reference": _MULTI,
        "boolean": ("$is",),
        "created by": _SINGLE,
        "updated by": (*_SINGLE, "$isEmpty", "$isNotEmpty"),
    }
)


def normalise_field_type(name: str) -> str:
    """``"Multi-Select"``, ``"multi_select"`` and ``"multi select"`` are one type."""
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


# Request parameter names Workfront consumes before filtering (authentication,
# method override, projection, paging and action parameters). A filter on one
# of these top-level names is sent inside ``filters=`` JSON instead
# (docs/api-notes.md §1 ``filters=`` JSON). Compared lower-cased, except ``id`` (the
# get-by-ID list, docs/api-notes.md §1): parameter names are case-sensitive, so a
# filter on ``ID`` is an ordinary filter (``ID=...&ID_Mod=in``).
SWALLOWED_EXACT: Final = frozenset({"id"})
SWALLOWED_NAMES: Final = frozenset(
    {
        "username",
        "password",
        "apikey",
        "sessionid",
        "method",
        "fields",
        "filters",
        "map",
        "updates",
        "action",
        "jsonp",
        "callback",
        "force",
        "atomic",
        "options",
    }
)


def is_swallowed(name: str) -> bool:
    """Whether Workfront consumes the top-level parameter ``name`` before filtering."""
    return name in SWALLOWED_EXACT or name.lower() in SWALLOWED_NAMES
