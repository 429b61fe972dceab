"""The field types, operators, expressions and records of the Planning
differential tests (v1 and v2 draw the same trees and records)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from workfront_async import Q
from workfront_async.query import Expr

TYPES = {
    "name": "text",
    "status": "single select",
    "num": "number",
    "flag": "boolean",
    "tags": "multi select",
}
FIELDS = [{"id": f, "name": f.title(), "type": t} for f, t in TYPES.items()]
TEXT = st.text(alphabet="ab", min_size=1, max_size=3)
NUMBER = st.integers(-3, 3)
# Operators each field type accepts (docs/api-notes.md §3), as Q methods / classic names.
OPS: dict[str, list[str]] = {
    "name": ["eq", "ne", "contains", "notcontains", "isnull", "notnull"],
    "status": ["eq", "ne", "in", "notin", "isnull", "notnull"],
    "num": ["eq", "ne", "gt", "gte", "lt", "lte", "isnull", "notnull"],
    "flag": ["eq"],
    "tags": ["hasany", "hasnone", "hasall", "isexactly", "isnull", "notnull"],
}


def condition(field: str, op: str, values: list[Any]) -> Expr:
    q = Q[field]
    if op in ("isnull", "notnull"):
        return q.op(op)
    if op in ("in", "notin"):
        return q.op(op, *values)
    if op == "hasany":
        return q.has_any(values)
    if op == "hasnone":
        return q.has_none(values)
    if op == "hasall":
        return q.has_all(values)
    if op == "isexactly":
        return q.is_exactly(values)
    return q.op(op, values[0])


@st.composite
def leaves(draw: Any) -> Expr:
    field = draw(st.sampled_from(sorted(TYPES)))
    op = draw(st.sampled_from(OPS[field]))
    value = {"num": NUMBER, "flag": st.booleans()}.get(field, TEXT)
    values = draw(st.lists(value, min_size=1, max_size=3, unique=True))
    return condition(field, op, values)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


RECORDS = st.lists(
    st.fixed_dictionaries(
        {
            "name": optional(TEXT),
            "status": optional(TEXT),
            "num": optional(NUMBER),
            "flag": st.booleans(),
            "tags": optional(st.lists(TEXT, min_size=1, max_size=3, unique=True)),
        }
    ),
    max_size=8,
)
