"""The Planning v2 compiler: one ``Q`` tree, v2's typed filter group
(docs/api-notes.md §5; ``FilterGroupDto``/``FilterConditionDto`` in Adobe's
``static/v2.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given

from workfront_async import Q, QueryError
from workfront_async.query import Expr, compile_planning, compile_planning_v2
from workfront_async.query._planning_v2 import V2_CONDITIONS, v2_condition_name

from .strategies import classic_leaves, planning_leaves, trees


def test_the_guide_example() -> None:
    # the "V1 vs V2" guide, step 6 "Update search filter syntax": the v2 body
    expr = (Q.status == "Active") & Q.name.contains("marketing")
    assert compile_planning_v2(expr) == {
        "operator": "AND",
        "conditions": [
            {"fieldId": "status", "condition": "IS", "value": "Active"},
            {"fieldId": "name", "condition": "CONTAINS", "value": "marketing"},
        ],
    }


def test_a_single_condition_is_wrapped_in_a_group() -> None:
    # static/v2.json: RecordSearchRequestDto.filter is a FilterGroupDto
    assert compile_planning_v2(Q.budget > 3) == {
        "operator": "AND",
        "conditions": [{"fieldId": "budget", "condition": "GREATER_THAN", "value": 3}],
    }


def test_nested_groups_keep_their_shape() -> None:
    expr = (Q.a == 1) | ((Q.b == 2) & ((Q.c == 3) | (Q.d == 4)))
    assert compile_planning_v2(expr) == {
        "operator": "OR",
        "conditions": [
            {"fieldId": "a", "condition": "IS", "value": 1},
            {
                "operator": "AND",
                "conditions": [
                    {"fieldId": "b", "condition": "IS", "value": 2},
                    {
                        "operator": "OR",
                        "conditions": [
                            {"fieldId": "c", "condition": "IS", "value": 3},
                            {"fieldId": "d", "condition": "IS", "value": 4},
                        ],
                    },
                ],
            },
        ],
    }


@pytest.mark.parametrize(
    ("expr", "condition"),
    [
        (Q.f.is_null(), {"fieldId": "f", "condition": "IS_EMPTY"}),
        (Q.f.not_null(), {"fieldId": "f", "condition": "IS_NOT_EMPTY"}),
        (Q.f.between(1, 5), {"fieldId": "f", "condition": "IS_BETWEEN", "value": [1, 5]}),
        (Q.f.isin(["a", "b"]), {"fieldId": "f", "condition": "IS_ANY_OF", "value": ["a", "b"]}),
        (Q.f.notin(["a"]), {"fieldId": "f", "condition": "IS_NONE_OF", "value": ["a"]}),
        (Q.f.has_all(["x"]), {"fieldId": "f", "condition": "HAS_ALL_OF", "value": ["x"]}),
        (Q.f.is_exactly(["x"]), {"fieldId": "f", "condition": "IS_EXACTLY", "value": ["x"]}),
        (
            Q.f.after(dt.date(2024, 3, 31)),
            {"fieldId": "f", "condition": "IS_AFTER", "value": "2024-03-31"},
        ),
        (Q.f != "x", {"fieldId": "f", "condition": "IS_NOT", "value": "x"}),
        (Q.f <= 2, {"fieldId": "f", "condition": "LESS_THAN_OR_EQUAL", "value": 2}),
    ],
)
def test_conditions(expr: Expr, condition: dict[str, Any]) -> None:
    # FilterConditionDto: no value for unary conditions, a list for ranges and sets
    assert compile_planning_v2(expr) == {"operator": "AND", "conditions": [condition]}


def test_every_v1_operator_has_its_v2_name() -> None:
    from workfront_async.query._modifiers import PLANNING_OP

    assert sorted(v2_condition_name(op) for op in set(PLANNING_OP.values())) == sorted(
        V2_CONDITIONS
    )


def test_field_types_are_checked_in_either_spelling() -> None:
    # docs/api-notes.md §5: v1 pages write "multi-select", the v2 spec "MULTI_SELECT"
    for spelling in ("multi-select", "MULTI_SELECT", "multi select", "multiSelect"):
        with pytest.raises(QueryError, match="multi select field does not accept"):
            compile_planning_v2(Q.tags == "t", field_types={"tags": spelling})
    assert compile_planning_v2(Q.on == True, field_types={"on": "CHECKBOX"})  # noqa: E712
    with pytest.raises(QueryError, match="boolean field"):
        compile_planning_v2(Q.on != True, field_types={"on": "CHECKBOX"})  # noqa: E712
    with pytest.raises(QueryError, match="long text field"):
        compile_planning_v2(Q.notes > 1, field_types={"notes": "PARAGRAPH"})
    # docs/api-notes.md §3 table (current page): dates take IS_EMPTY
    assert compile_planning_v2(Q.due.is_null(), field_types={"due": "DATE"}) == {
        "operator": "AND",
        "conditions": [{"fieldId": "due", "condition": "IS_EMPTY"}],
    }


@pytest.mark.parametrize(
    "expr",
    [
        ~Q.name.is_exactly(["x"]),
        Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.status == "x"),
        Q.owner.name == "x",
        Q.name.icontains("x"),
        Q.due > dt.date(2024, 1, 1),
    ],
)
def test_what_v2_cannot_express_fails_as_in_v1(expr: Expr) -> None:
    with pytest.raises(QueryError) as v1:
        compile_planning(expr)
    with pytest.raises(QueryError) as v2:
        compile_planning_v2(expr)
    assert str(v1.value) == str(v2.value)


def test_no_filter_and_never_matching() -> None:
    assert compile_planning_v2(None) is None
    assert compile_planning_v2(Q.all()) is None
    with pytest.raises(QueryError, match="can never match"):
        compile_planning_v2(Q.none())
    with pytest.raises(QueryError, match="takes a query expression"):
        compile_planning_v2("status=CUR")  # type: ignore[arg-type]


def _v1_of(node: dict[str, Any]) -> dict[str, Any]:
    """v2 group -> v1 object, by the spec's names (CONTAINS -> $contains)."""
    if "operator" in node:
        key = "$and" if node["operator"] == "AND" else "$or"
        return {key: [_v1_of(c) for c in node["conditions"]]}
    words = node["condition"].lower().split("_")
    op = "$" + words[0] + "".join(w.title() for w in words[1:])
    return {node["fieldId"]: {op: node.get("value")}}


def _v1_long(obj: Any) -> Any:
    """A v1 object with the short forms written out ({"f": v} -> {"f": {"$is": v}})."""
    if isinstance(obj, dict) and len(obj) == 1:
        ((key, value),) = obj.items()
        if key in ("$and", "$or"):
            return {key: [_v1_long(c) for c in value]}
        if isinstance(value, dict):
            return {key: value}
        return {key: {"$is": value}}
    return obj


@given(trees(planning_leaves() | classic_leaves()))
def test_one_tree_two_dialects_same_conditions(expr: Expr) -> None:
    # whatever v1 accepts, v2 accepts too, with the same structure
    v1_error = v2_error = ""
    v1: dict[str, Any] | None = None
    v2: dict[str, Any] | None = None
    try:
        v1 = compile_planning(expr)
    except QueryError as exc:
        v1_error = str(exc)
    try:
        v2 = compile_planning_v2(expr)
    except QueryError as exc:
        v2_error = str(exc)
    assert v1_error == v2_error
    if v1_error:
        return
    if v1 is None:
        assert v2 is None
        return
    assert v2 is not None
    back = _v1_of(v2)
    if "$and" in back and "$and" not in v1 and len(back["$and"]) == 1:
        back = back["$and"][0]  # the wrapping group of a single condition
    assert back == _v1_long(v1)
