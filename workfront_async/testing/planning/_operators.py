"""The Planning API's filter operators, as the server reads them.

The emulator's own tables, written from Adobe's pages (never taken from a
client's query language):

* v1 operators and which field type takes which: Adobe, "Adobe Workfront
  Planning API basics" (``help/quicksilver/planning/general/planning-api-basics.md``,
  sections "Using search modifiers" and "Field types"), corrected by
  docs/api-notes.md §5 where the service answers otherwise (none here: the
  table below is the page's).
* v2 conditions: ``FilterCondition`` in Adobe's ``static/v2.json``
  (Workfront-Planning-API), the enum of ``FilterConditionDto.condition``; each
  is the v1 operator of the same name (``IS_ANY_OF`` is ``$isAnyOf``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALL_OPERATORS",
    "NEGATION",
    "OPERATORS_BY_FIELD_TYPE",
    "UNARY_CONDITIONS",
    "V2_CONDITIONS",
    "V2_TO_V1",
]

# "Using search modifiers": every v1 operator, in the page's order.
ALL_OPERATORS: Final = (
    "$contains",
    "$doesNotContain",
    "$is",
    "$isNot",
    "$isEmpty",
    "$isNotEmpty",
    "$greaterThan",
    "$greaterThanOrEqual",
    "$lessThan",
    "$lessThanOrEqual",
    "$isAfter",
    "$isBefore",
    "$isBetween",
    "$isNotBetween",
    "$isAnyOf",
    "$isNoneOf",
    "$hasAnyOf",
    "$hasAllOf",
    "$hasNoneOf",
    "$isExactly",
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
_CHOICE = ("$is", "$isNot", "$isAnyOf", "$isNoneOf")
_SET = ("$hasAnyOf", "$hasAllOf", "$isExactly", "$hasNoneOf", "$isEmpty", "$isNotEmpty")

# "Field types": the operators each field type takes, keyed by the emulator's
# type names (the page's spelling in the comment). A lookup takes the
# operators of its linked field's type, so it has no row.
OPERATORS_BY_FIELD_TYPE: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "text": _TEXT,  # text
        "long text": _TEXT,  # long-text
        "formula": _TEXT,  # formula
        "url": _TEXT,  # url
        "number": _NUMBER,  # number
        "percentage": _NUMBER,  # percentage
        "currency": _NUMBER,  # currency
        "date": (*_DATE, "$isEmpty", "$isNotEmpty"),  # date
        "updated at": (*_DATE, "$isEmpty", "$isNotEmpty"),  # updated-at
        "created at": _DATE,  # created-at
        "single select": (*_CHOICE, "$isEmpty", "$isNotEmpty"),  # single-select
        "multi select": _SET,  # multi-select
        "people": _SET,  # user
        "reference": _SET,  # reference
        "boolean": ("$is",),  # boolean
        "created by": _CHOICE,  # created-by
        "updated by": (*_CHOICE, "$isEmpty", "$isNotEmpty"),  # updated-by
    }
)

# Each negative operator and the positive one it is the exact complement of
# (the page's descriptions: "does not contain", "is not", "is not between",
# "is none of", "has none of", "is not empty").
NEGATION: Final[Mapping[str, str]] = MappingProxyType(
    {
        "$isNot": "$is",
        "$doesNotContain": "$contains",
        "$isNotBetween": "$isBetween",
        "$isNoneOf": "$isAnyOf",
        "$hasNoneOf": "$hasAnyOf",
        "$isNotEmpty": "$isEmpty",
    }
)

# static/v2.json ``FilterCondition``, in the spec's order.
V2_CONDITIONS: Final = (
    "CONTAINS",
    "DOES_NOT_CONTAIN",
    "IS",
    "IS_NOT",
    "IS_EMPTY",
    "IS_NOT_EMPTY",
    "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL",
    "LESS_THAN",
    "LESS_THAN_OR_EQUAL",
    "IS_AFTER",
    "IS_BEFORE",
    "IS_BETWEEN",
    "IS_NOT_BETWEEN",
    "IS_ANY_OF",
    "IS_NONE_OF",
    "HAS_ANY_OF",
    "HAS_ALL_OF",
    "HAS_NONE_OF",
    "IS_EXACTLY",
)
# static/v2.json ``FilterConditionDto.value``: "Omit for unary conditions
# (IS_EMPTY, IS_NOT_EMPTY)".
UNARY_CONDITIONS: Final = frozenset({"IS_EMPTY", "IS_NOT_EMPTY"})


def _v1_name(condition: str) -> str:
    words = condition.lower().split("_")
    return "$" + words[0] + "".join(w.title() for w in words[1:])


# Each v2 condition and the v1 operator of the same meaning.
V2_TO_V1: Final[Mapping[str, str]] = MappingProxyType({c: _v1_name(c) for c in V2_CONDITIONS})
