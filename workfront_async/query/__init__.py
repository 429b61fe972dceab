"""The query language: the immutable ``Q`` DSL and its three compilers
(classic query string, Planning v1 filter object, Planning v2 filter group).

>>> from workfront_async.query import Q, compile_classic
>>> compile_classic(Q.status.isin(["CUR", "PLN"]))
[('status', 'CUR'), ('status', 'PLN'), ('status_Mod', 'in')]
"""

from __future__ import annotations

import orjson

from .._core.exceptions import QueryError
from ._classic import MAX_LEVELS, compile_classic, to_query_string
from ._expr import MAX_DEPTH, MAX_NESTING, And, Condition, Exists, Expr, Field, Hole, Not, Or, Q
from ._modifiers import CLASSIC_MODIFIERS, SWALLOWED_NAMES
from ._planning import compile_planning
from ._planning_v2 import compile_planning_v2
from ._text import parse_query
from ._values import customer, now, today, today_begin, today_end, user

__all__ = [
    "And",
    "CLASSIC_MODIFIERS",
    "Condition",
    "Exists",
    "Expr",
    "Field",
    "Hole",
    "MAX_DEPTH",
    "MAX_LEVELS",
    "MAX_NESTING",
    "Not",
    "Or",
    "Q",
    "QueryError",
    "SWALLOWED_NAMES",
    "compile_classic",
    "compile_planning",
    "compile_planning_v2",
    "customer",
    "explain",
    "now",
    "parse_query",
    "today",
    "today_begin",
    "today_end",
    "user",
]


def explain(expr: Expr | None, *, planning: bool = False) -> str:
    """The compiled query as text: the classic query string
    (``name=Planning&name_Mod=contains&OR:1:...``, not URL-encoded) or, with
    ``planning=True``, the Planning filter object as indented JSON."""
    if planning:
        return orjson.dumps(compile_planning(expr), option=orjson.OPT_INDENT_2).decode()
    return to_query_string(compile_classic(expr))
