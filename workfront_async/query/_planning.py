"""The Planning compiler: an expression becomes one Planning filter object
(docs/api-notes.md §3): ``{"fieldId": {"$op": value}}``, ``{"$and": [...]}``,
``{"$or": [...]}``.

``&`` and ``|`` keep their (flattened) tree shape. ``==`` uses the documented
short form ``{"fieldId": value}`` (which means ``$is``) unless the value is a
string starting with ``$`` (``"$isEmpty"`` would be read as an operator), where
``{"fieldId": {"$is": value}}`` is sent instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .._core.exceptions import QueryError
from ._expr import ALL, NONE, And, Condition, Exists, Expr, Not, Or, find_hole
from ._modifiers import (
    FIELD_TYPE_OPS,
    MULTI_VALUED,
    NO_VALUE,
    PLANNING_OP,
    RANGE,
    normalise_field_type,
)
from ._values import planning_json

__all__ = ["PlanningCondition", "compile_planning", "planning_condition", "planning_field_type"]

_ORDERING = frozenset({"gt", "gte", "lt", "lte"})

# docs/api-notes.md §5: field types are spelled ``long-text``, ``single-select``,
# ``user``, ``created-by``... on the v1 pages and ``PARAGRAPH``,
# ``SINGLE_SELECT``, ``CHECKBOX``, ``USER``... in the v2 spec. After dropping
# case, ``-`` and ``_`` they are the docs/api-notes.md names, except these.
_SPELLINGS = {
    "paragraph": "long text",
    "longtext": "long text",
    "checkbox": "boolean",
    "people": "people",
    "users": "user",
    "singleselect": "single select",
    "multiselect": "multi select",
    "createdat": "created at",
    "createdby": "created by",
    "updatedat": "updated at",
    "updatedby": "updated by",
}


def planning_field_type(name: str) -> str:
    """The docs/api-notes.md name of a Planning field type written any way Adobe
    writes it: ``"long-text"`` (v1), ``"PARAGRAPH"`` (v2), ``"Single Select"``
    and ``"singleSelect"`` all map to the table's names."""
    spaced = "".join(
        f" {c}" if c.isupper() and i and name[i - 1].islower() else c for i, c in enumerate(name)
    )
    kind = normalise_field_type(spaced)
    return _SPELLINGS.get(kind.replace(" ", ""), kind)


def _check_type(cond: Condition, op: str, field_types: Mapping[str, str]) -> None:
    declared = field_types.get(cond.path[0])
    if declared is None:
        return
    kind = planning_field_type(declared)
    if kind == "lookup":
        return
    allowed = FIELD_TYPE_OPS.get(kind)
    if allowed is None:
        raise QueryError(
            f"unknown Planning field type {declared!r} for {cond.path[0]!r}; known types: "
            f"{', '.join([*FIELD_TYPE_OPS, 'lookup'])}"
        )
    if op not in allowed:
        raise QueryError(
            f"{cond!r}: a {kind} field does not accept {op}; it accepts {', '.join(allowed)}"
        )


PlanningCondition = tuple[str, str, Any]
"""``(fieldId, "$operator", operand)``: the operand is ``None`` for the unary
operators, a list for ranges and sets, a JSON scalar otherwise."""


def planning_condition(cond: Condition, field_types: Mapping[str, str]) -> PlanningCondition:
    """One condition as Planning sees it, checked: the field, the v1
    operator and the operand. Both Planning compilers build on this, so they
    accept and refuse the same conditions with the same messages."""
    if len(cond.path) != 1:
        raise QueryError(
            f"{cond!r}: Planning filters name one field by its ID; nested paths "
            f"({':'.join(cond.path)!r}) exist only in the classic API"
        )
    op = PLANNING_OP.get(cond.op)
    if op is None:
        raise QueryError(
            f"{cond!r}: the Planning API has no {cond.op!r} operator; it has "
            f"{', '.join(sorted(set(PLANNING_OP.values())))}"
        )
    if cond.op in _ORDERING and any(isinstance(v, dt.date) for v in cond.values):
        raise QueryError(
            f"{cond!r}: Planning compares dates with .after(), .before() and .between(), "
            "not with <, <=, >, >="
        )
    _check_type(cond, op, field_types)
    field = cond.path[0]
    values = [planning_json(v) for v in cond.values]
    if cond.op in NO_VALUE:
        return field, op, None
    if cond.op in RANGE | MULTI_VALUED:
        return field, op, values
    return field, op, values[0]


def _condition(cond: Condition, field_types: Mapping[str, str]) -> dict[str, Any]:
    field, op, value = planning_condition(cond, field_types)
    if op == "$is" and not (isinstance(value, str) and value.startswith("$")):
        return {field: value}
    return {field: {op: value}}


def check_connective(expr: Expr) -> None:
    """Raise the ``QueryError`` for what no Planning filter can express."""
    if isinstance(expr, Not):
        raise QueryError(
            f"{expr!r}: the Planning API has no negation of {expr.child.op!r}; "
            "rewrite the condition without ~"
        )
    if isinstance(expr, Exists):
        raise QueryError(f"{expr!r}: EXISTS blocks exist only in the classic API")
    raise QueryError(f"{expr!r} is not a complete condition")


def check_root(expr: object, name: str) -> Expr | None:
    """The expression to compile (``None``: no filter) or the ``QueryError``
    shared by the Planning compilers."""
    if expr is None or expr == ALL:
        return None
    if not isinstance(expr, Expr):
        raise QueryError(f"{name}() takes a query expression, got {expr!r}")
    if expr == NONE:
        raise QueryError("Q.none() can never match; skip the search instead of sending it")
    hole = find_hole(expr)
    if hole is not None:
        raise QueryError(
            f"incomplete expression {expr!r}: the value {hole.value!r} has no field; "
            "compare a field with it"
        )
    return expr


def _compile(expr: Expr, field_types: Mapping[str, str]) -> dict[str, Any]:
    if isinstance(expr, Condition):
        return _condition(expr, field_types)
    if isinstance(expr, And | Or):
        key = "$and" if isinstance(expr, And) else "$or"
        return {key: [_compile(child, field_types) for child in expr.children]}
    check_connective(expr)
    raise AssertionError("unreachable")  # pragma: no cover


def compile_planning(
    expr: Expr | None, *, field_types: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """One Planning filter object for ``expr``; ``None`` for no filter
    (``None`` or ``Q.all()``). Send it as ``"filters": {"$and": [obj]}``.

    ``field_types`` maps field IDs to their Planning field type (``"text"``,
    ``"number"``, ``"date"``, ``"multi select"``, ...); each operator is then
    checked against the table in docs/api-notes.md §3 (v1 and v2 spellings of the
    type names are both understood).
    """
    root = check_root(expr, "compile_planning")
    if root is None:
        return None
    return _compile(root, field_types or {})
