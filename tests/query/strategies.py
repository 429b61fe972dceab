"""Hypothesis strategies: random expression trees and random records.

Each field keeps one value type so Workfront's semantics are well defined:
strings over a small alphabet (no ``%``/``_``/``:``), small numbers, booleans,
NULL, and nested references that may themselves be NULL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from workfront_async import Q
from workfront_async.query import Condition, Expr

TEXT = st.text(alphabet="abAB ", max_size=3)
PATTERN = st.text(alphabet="abAB%_", max_size=3)
NUMBER = st.integers(-3, 3) | st.sampled_from([0.5, -1.5, 2.25])

STRING_FIELDS = ("name", "status", "assignedTo:name", "project:owner:name", "DE:Code")
NUMBER_FIELDS = ("num", "project:DE:Budget")
BOOL_FIELDS = ("flag",)

# Classic operators with a negated form the classic compiler can send.
NEGATABLE_TEXT_OPS = [
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
]
NEGATABLE_NUMBER_OPS = [
    "eq",
    "ne",
    "nee",
    "lt",
    "lte",
    "gt",
    "gte",
    "in",
    "notin",
    "between",
    "notbetween",
    "isnull",
    "notnull",
]
NEGATABLE_NUMBER_OPS += ["after", "before"]
# Operators with no negated modifier: only used where no ~ can reach them.
PLAIN_TEXT_OPS = [
    "like",
    "cilike",
    "startswith",
    "cistartswith",
    "endswith",
    "ciendswith",
    "cicontainsany",
    "cicontainsall",
]


def _values(op: str, value: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    if op in {"isnull", "notnull", "isblank", "notblank"}:
        return st.just(())
    if op in {"between", "notbetween"}:
        return st.tuples(value, value)
    if op in {"in", "ciin", "notin", "cinotin", "cicontainsany", "cicontainsall"}:
        return st.lists(value, min_size=1, max_size=3).map(tuple)
    if op in {"like", "cilike"}:
        return st.tuples(PATTERN)
    return st.tuples(value)


def _leaf(fields: Sequence[str], ops: Sequence[str], value: st.SearchStrategy[Any]) -> Any:
    return st.tuples(st.sampled_from(fields), st.sampled_from(ops)).flatmap(
        lambda fo: _values(fo[1], value).map(lambda vs: _cond(fo, vs))
    )


def _cond(field_op: tuple[str, str], values: tuple[Any, ...]) -> Expr:
    field, op = field_op
    if op == "after":
        return Q[field].after(*values)
    if op == "before":
        return Q[field].before(*values)
    if op == "hasany":
        return Q[field].has_any(values)
    if op == "hasnone":
        return Q[field].has_none(values)
    return Q[field].op(op, *values)


def classic_leaves(negatable: bool = True) -> st.SearchStrategy[Expr]:
    text_ops = NEGATABLE_TEXT_OPS + ([] if negatable else PLAIN_TEXT_OPS)
    return st.one_of(
        _leaf(STRING_FIELDS, text_ops, TEXT),
        _leaf(NUMBER_FIELDS, NEGATABLE_NUMBER_OPS, NUMBER),
        _leaf(BOOL_FIELDS, ["eq", "ne", "isnull", "notnull"], st.booleans()),
        _leaf(("username",), ["eq", "cicontains"], TEXT),
    )


def _assignment_where() -> st.SearchStrategy[Expr | None]:
    role = _leaf(("role",), ["eq", "ne", "contains", "isnull"], TEXT)
    hours = _leaf(("hours",), ["gt", "lte", "between"], st.integers(0, 4))
    return st.one_of(
        st.none(),
        role,
        hours,
        st.tuples(role, hours).map(lambda rh: rh[0] & rh[1]),
    )


def exists_leaves() -> st.SearchStrategy[Expr]:
    return st.tuples(_assignment_where(), st.sampled_from(["ASSGN", "NOTE"])).map(
        lambda wo: Q.exists(wo[1], on={"taskID": "ID"}, where=wo[0])
    )


def _key(expr: Expr) -> str:
    if isinstance(expr, Condition):
        return ":".join(expr.path)
    return repr(expr)


@st.composite
def trees(
    draw: Callable[..., Any],
    leaves: st.SearchStrategy[Expr],
    max_leaves: int = 6,
    negate: bool = True,
) -> Expr:
    """A random and/or/not tree over leaves on distinct fields (so no level
    ever names a field twice)."""
    items: list[Expr] = draw(st.lists(leaves, min_size=1, max_size=max_leaves, unique_by=_key))

    def build(part: list[Expr]) -> Expr:
        if len(part) == 1:
            expr = part[0]
        else:
            cut = draw(st.integers(1, len(part) - 1))
            left, right = build(part[:cut]), build(part[cut:])
            expr = left & right if draw(st.booleans()) else left | right
        if negate and draw(st.integers(0, 3)) == 0:
            expr = ~expr
        return expr

    return build(items)


def _nullable(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def records() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "ID": st.sampled_from(["t1", "t2"]),
            "name": _nullable(TEXT),
            "status": _nullable(TEXT),
            "username": _nullable(TEXT),
            "num": _nullable(NUMBER),
            "flag": _nullable(st.booleans()),
            "DE:Code": _nullable(TEXT),
            "assignedTo": _nullable(st.fixed_dictionaries({"name": _nullable(TEXT)})),
            "project": _nullable(
                st.fixed_dictionaries(
                    {
                        "owner": _nullable(st.fixed_dictionaries({"name": _nullable(TEXT)})),
                        "DE:Budget": _nullable(NUMBER),
                    }
                )
            ),
        }
    )


def related() -> st.SearchStrategy[dict[str, list[dict[str, Any]]]]:
    row = st.fixed_dictionaries(
        {
            "taskID": st.sampled_from(["t1", "t2"]),
            "role": _nullable(TEXT),
            "hours": _nullable(st.integers(0, 4)),
        }
    )
    return st.fixed_dictionaries(
        {"ASSGN": st.lists(row, max_size=3), "NOTE": st.lists(row, max_size=2)}
    )


# --- Planning ------------------------------------------------------------------

PLANNING_TEXT = st.text(alphabet="abAB", min_size=1, max_size=3)


def planning_leaves() -> st.SearchStrategy[Expr]:
    """Operators the Planning API has, closed under ~ (no ``Not`` nodes)."""
    return st.one_of(
        _leaf(
            ("name", "status"),
            ["eq", "ne", "contains", "notcontains", "isnull", "notnull", "in", "notin"],
            PLANNING_TEXT,
        ),
        _leaf(
            ("num",),
            [
                "eq",
                "ne",
                "gt",
                "gte",
                "lt",
                "lte",
                "between",
                "notbetween",
                "isnull",
                "notnull",
                "in",
                "notin",
            ],
            st.integers(-3, 3),
        ),
        _leaf(("flag",), ["eq", "ne"], st.booleans()),
        _leaf(("tags",), ["hasany", "hasnone", "isnull", "notnull"], PLANNING_TEXT),
    )


def planning_records() -> st.SearchStrategy[dict[str, Any]]:
    # Planning $isEmpty also matches "" and []; keep those out so it agrees
    # with is_null().
    return st.fixed_dictionaries(
        {
            "name": _nullable(PLANNING_TEXT),
            "status": _nullable(PLANNING_TEXT),
            "num": _nullable(st.integers(-3, 3)),
            "flag": _nullable(st.booleans()),
            "tags": _nullable(st.lists(PLANNING_TEXT, min_size=1, max_size=3)),
        }
    )
