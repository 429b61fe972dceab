"""The Planning v2 compiler: an expression becomes v2's typed filter group
(docs/api-notes.md §5; ``FilterGroupDto`` in Adobe's ``static/v2.json``)::

    {"operator": "AND" | "OR",
     "conditions": [{"fieldId", "condition": "IS_ANY_OF", "value": [...]}, <group>, ...]}

It reads the same tree as ``compile_planning`` and checks each condition with
the same code (``planning_condition``), so both dialects accept, refuse and
explain the same expressions. The root is always a group (the spec's
``filter`` is a ``FilterGroupDto``): a single condition is wrapped in an
``AND`` group of one. Unary conditions (``IS_EMPTY``, ``IS_NOT_EMPTY``) carry
no ``value``; ranges and sets carry a list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._expr import And, Condition, Expr, Or
from ._planning import check_connective, check_root, planning_condition

__all__ = ["V2_CONDITIONS", "compile_planning_v2", "v2_condition_name"]

# ``FilterCondition`` in static/v2.json, in the spec's order.
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


def v2_condition_name(operator: str) -> str:
    """``"$isAnyOf"`` -> ``"IS_ANY_OF"``: a v1 operator's v2 enum name."""
    out = []
    for c in operator.lstrip("$"):
        out.append(f"_{c}" if c.isupper() else c.upper())
    return "".join(out)


def _condition(cond: Condition, field_types: Mapping[str, str]) -> dict[str, Any]:
    field, op, value = planning_condition(cond, field_types)
    out: dict[str, Any] = {"fieldId": field, "condition": v2_condition_name(op)}
    if value is not None:
        out["value"] = value
    return out


def _node(expr: Expr, field_types: Mapping[str, str]) -> dict[str, Any]:
    if isinstance(expr, Condition):
        return _condition(expr, field_types)
    if isinstance(expr, And | Or):
        return {
            "operator": "AND" if isinstance(expr, And) else "OR",
            "conditions": [_node(child, field_types) for child in expr.children],
        }
    check_connective(expr)
    raise AssertionError("unreachable")  # pragma: no cover


def compile_planning_v2(
    expr: Expr | None, *, field_types: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """v2's filter group for ``expr``; ``None`` for no filter (``None`` or
    ``Q.all()``). Send it as the search body's ``"filter"``.

    ``field_types`` (field ID -> type, v1 or v2 spelling) checks each
    operator against the docs/api-notes.md §3 table, as ``compile_planning`` does.
    """
    root = check_root(expr, "compile_planning_v2")
    if root is None:
        return None
    node = _node(root, field_types or {})
    if "operator" in node:
        return node
    return {"operator": "AND", "conditions": [node]}
