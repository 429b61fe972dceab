"""The Planning compiler (docs/api-notes.md §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from workfront_async import Q, QueryError
from workfront_async.query import Expr, compile_planning, explain


def test_documented_and_or_example() -> None:
    # Adobe Experience League, "Adobe Workfront Planning API basics", section
    # "Using 'And' and 'Or' statements" (Planning API version 1): the filter of
    # the documented search body, an $or of an $isBetween and two $ands.
    first = ("2024-03-31T20:00:00.000Z", "2024-04-01T20:00:00.000Z")
    second = ("2024-04-15T00:00:00.000Z", "2024-04-16T00:00:00.000Z")
    expr = (
        Q.launch_date.between(*first)
        | Q.launch_date.between(*first) & (Q.status == "active")
        | Q.launch_date.between(*second) & (Q.status == "planned")
    )
    assert compile_planning(expr) == {
        "$or": [
            {
                "launch_date": {
                    "$isBetween": ["2024-03-31T20:00:00.000Z", "2024-04-01T20:00:00.000Z"]
                }
            },
            {
                "$and": [
                    {
                        "launch_date": {
                            "$isBetween": [
                                "2024-03-31T20:00:00.000Z",
                                "2024-04-01T20:00:00.000Z",
                            ]
                        }
                    },
                    {"status": "active"},
                ]
            },
            {
                "$and": [
                    {
                        "launch_date": {
                            "$isBetween": [
                                "2024-04-15T00:00:00.000Z",
                                "2024-04-16T00:00:00.000Z",
                            ]
                        }
                    },
                    {"status": "planned"},
                ]
            },
        ]
    }


def test_same_with_datetimes() -> None:
    start = dt.datetime(2024, 3, 31, 20, tzinfo=dt.UTC)
    end = dt.datetime(2024, 4, 1, 20, tzinfo=dt.UTC)
    assert compile_planning(Q.launch_date.between(start, end)) == {
        "launch_date": {"$isBetween": ["2024-03-31T20:00:00.000Z", "2024-04-01T20:00:00.000Z"]}
    }


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (Q.f == "x", {"f": "x"}),
        (Q.f == 3, {"f": 3}),
        (Q.f == True, {"f": True}),  # noqa: E712
        (Q.f == "$isEmpty", {"f": {"$is": "$isEmpty"}}),
        (Q.f != "x", {"f": {"$isNot": "x"}}),
        (Q.f.contains("x"), {"f": {"$contains": "x"}}),
        (Q.f.not_contains("x"), {"f": {"$doesNotContain": "x"}}),
        (Q.f.is_null(), {"f": {"$isEmpty": None}}),
        (Q.f.not_null(), {"f": {"$isNotEmpty": None}}),
        (Q.f > 1, {"f": {"$greaterThan": 1}}),
        (Q.f >= 1, {"f": {"$greaterThanOrEqual": 1}}),
        (Q.f < 1.5, {"f": {"$lessThan": 1.5}}),
        (Q.f <= Decimal("2"), {"f": {"$lessThanOrEqual": 2}}),
        (Q.f.after("2024-05-14T20:00:00.000Z"), {"f": {"$isAfter": "2024-05-14T20:00:00.000Z"}}),
        (Q.f.before(dt.date(2024, 5, 14)), {"f": {"$isBefore": "2024-05-14"}}),
        (Q.f.between(1, 2), {"f": {"$isBetween": [1, 2]}}),
        (~Q.f.between(1, 2), {"f": {"$isNotBetween": [1, 2]}}),
        (Q.f.isin(["a", "b"]), {"f": {"$isAnyOf": ["a", "b"]}}),
        (Q.f.notin(["a"]), {"f": {"$isNoneOf": ["a"]}}),
        (Q.f.has_any(["a"]), {"f": {"$hasAnyOf": ["a"]}}),
        (Q.f.has_all(["a", "b"]), {"f": {"$hasAllOf": ["a", "b"]}}),
        (Q.f.has_none(["a"]), {"f": {"$hasNoneOf": ["a"]}}),
        (~Q.f.has_any(["a"]), {"f": {"$hasNoneOf": ["a"]}}),
        (Q.f.is_exactly(["a", "b"]), {"f": {"$isExactly": ["a", "b"]}}),
    ],
)
def test_every_operator(expr: Expr, expected: dict[str, Any]) -> None:
    assert compile_planning(expr) == expected


def test_and_or_keep_their_shape_flattened() -> None:
    a, b, c, d = Q.a == 1, Q.b == 2, Q.c == 3, Q.d == 4
    assert compile_planning((a & b) & (c | d)) == {
        "$and": [{"a": 1}, {"b": 2}, {"$or": [{"c": 3}, {"d": 4}]}]
    }
    # negation is pushed down (Planning has no $not)
    assert compile_planning(~(a | b)) == {"$and": [{"a": {"$isNot": 1}}, {"b": {"$isNot": 2}}]}


@pytest.mark.parametrize(
    "expr",
    [
        Q.f.icontains("x"),
        Q.f.op("cieq", "x"),
        Q.f.op("like", "x%"),
        Q.f.op("startswith", "x"),
        Q.f.op("isblank"),
        Q.f.op("nee", "x"),
        Q.f.op("allof", "x"),
        ~Q.f.has_all(["x"]),
        ~Q.f.after("2024-01-01"),
        Q.exists("ASSGN", on={"taskID": "ID"}),
        Q.project.name == "x",
        Q.f > dt.date(2024, 1, 1),
    ],
)
def test_operators_planning_lacks_are_refused(expr: Expr) -> None:
    with pytest.raises(QueryError):
        compile_planning(expr)


def test_none_all_never() -> None:
    assert compile_planning(None) is None
    assert compile_planning(Q.all()) is None
    with pytest.raises(QueryError, match="never match"):
        compile_planning(Q.none())


def test_field_types_validate_operators() -> None:
    types = {"name": "text", "budget": "Number", "launch": "date", "tags": "multi-select"}
    ok = (
        (Q.name.contains("x") & (Q.budget > 3)) | Q.launch.between("a", "b") | Q.tags.has_any(["t"])
    )
    assert compile_planning(ok, field_types=types) is not None
    with pytest.raises(QueryError) as info:
        compile_planning(Q.budget.contains("3"), field_types=types)
    message = str(info.value)
    assert "number field does not accept $contains" in message
    assert "$greaterThanOrEqual" in message  # names the allowed operators
    with pytest.raises(QueryError, match="multi select"):
        compile_planning(Q.tags == "t", field_types=types)
    # docs/api-notes.md §3 table (Adobe's current page): date takes $isEmpty and $isNotEmpty
    assert compile_planning(Q.launch.not_null(), field_types=types) is not None
    assert compile_planning(Q.launch.is_null(), field_types=types) == {"launch": {"$isEmpty": None}}
    assert compile_planning(Q.seen.is_null(), field_types={"seen": "updated-at"}) is not None
    # created at still refuses it
    with pytest.raises(QueryError, match="created at field does not accept"):
        compile_planning(Q.made.is_null(), field_types={"made": "created at"})
    # boolean fields accept only $is
    with pytest.raises(QueryError, match=r"accepts \$is"):
        compile_planning(Q.flag != True, field_types={"flag": "boolean"})  # noqa: E712
    # undeclared fields and lookups are not checked
    assert compile_planning(Q.other.contains("x"), field_types=types) is not None
    assert compile_planning(Q.l.contains("x"), field_types={"l": "lookup"}) is not None
    with pytest.raises(QueryError, match="unknown Planning field type"):
        compile_planning(Q.z == 1, field_types={"z": "hologram"})


def test_explain_planning() -> None:
    assert explain(Q.status == "active", planning=True) == '{\n  "status": "active"\n}'
