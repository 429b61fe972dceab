"""The reference evaluator is the oracle of the differential tests: check it
on hand-written cases first."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reference import eval_classic, eval_expr, eval_planning, split_path
from workfront_async import Q
from workfront_async.query import compile_classic

TASK = {
    "ID": "t1",
    "name": "Planning review",
    "status": "CUR",
    "priority": 3,
    "done": False,
    "assignedTo": {"name": "Steve Smith"},
    "portfolio": None,
    "DE:Budget Code": "B-7",
    "entryDate": dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC),
    "tags": ["a", "b"],
}


def test_split_path() -> None:
    assert split_path("project:owner:name") == ["project", "owner", "name"]
    assert split_path("project:DE:Budget: Code") == ["project", "DE:Budget: Code"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], True),
        ([("status", "CUR")], True),
        ([("status", "CUR"), ("status_Mod", "eq")], True),
        ([("status", "cur"), ("status_Mod", "eq")], False),
        ([("status", "cur"), ("status_Mod", "cieq")], True),
        ([("status", "PLN"), ("status", "CUR"), ("status_Mod", "in")], True),
        ([("status", "PLN"), ("status", "CUR"), ("status_Mod", "notin")], False),
        ([("priority", "2"), ("priority_Range", "3"), ("priority_Mod", "between")], True),
        ([("priority", "4"), ("priority_Range", "9"), ("priority_Mod", "between")], False),
        ([("priority", "10"), ("priority_Mod", "lt")], True),  # numbers, not text
        ([("done", "false")], True),
        ([("assignedTo:name", "steve"), ("assignedTo:name_Mod", "cicontains")], True),
        ([("assignedTo:name", "steve"), ("assignedTo:name_Mod", "contains")], False),
        ([("portfolio:name", "X"), ("portfolio:name_Mod", "ne")], True),  # ne matches NULL
        ([("portfolio:name", "X"), ("portfolio:name_Mod", "nee")], False),  # nee does not
        ([("portfolio:name_Mod", "isnull")], True),
        ([("DE:Budget Code", "B-%"), ("DE:Budget Code_Mod", "like")], True),
        ([("name", "plan"), ("name_Mod", "cistartswith")], True),
        ([("tags", "a"), ("tags", "b"), ("tags_Mod", "allof")], True),
        ([("entryDate", "2024-05-01T00:00:00.000Z"), ("entryDate_Mod", "gte")], True),
        ([("status", "PLN"), ("OR:1:priority", "3")], True),
        ([("status", "PLN"), ("OR:1:priority", "4")], False),
        ([("status", "CUR"), ("priority", "4")], False),
        ([("filters", '{"status":"CUR","priority":"3","priority_Mod":"gte"}')], True),
        ([("filters", '{"status":["PLN","CUR"],"status_Mod":"in"}')], True),
    ],
)
def test_eval_classic(params: list[tuple[str, str]], expected: bool) -> None:
    assert eval_classic(params, TASK) is expected


def test_eval_classic_rejects_malformed_levels() -> None:
    with pytest.raises(ValueError, match="given twice"):
        eval_classic([("a_Mod", "eq"), ("a_Mod", "ne")], TASK)
    with pytest.raises(ValueError, match="2 values"):
        eval_classic([("a", "1"), ("a", "2")], TASK)


def test_exists_in_both_evaluators() -> None:
    related = {
        "ASSGN": [
            {"taskID": "t1", "assignedToID": "u1"},
            {"taskID": "t2", "assignedToID": "u2"},
        ]
    }
    wildcards = {"$$USER.ID": "u1"}
    mine = Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "$$USER.ID")
    for expr, expected in [(mine, True), (~mine, False)]:
        assert eval_expr(expr, TASK, related, wildcards) is expected
        assert eval_classic(compile_classic(expr), TASK, related, wildcards) is expected
    other_user = {"$$USER.ID": "u2"}
    assert eval_expr(mine, TASK, related, other_user) is False
    assert eval_classic(compile_classic(mine), TASK, related, other_user) is False
    assert eval_expr(mine, TASK, {}, wildcards) is False


def test_eval_expr_semantics() -> None:
    assert eval_expr(Q.status == "CUR", TASK)
    assert eval_expr(Q.portfolio.name != "X", TASK)  # ne matches NULL
    assert not eval_expr(Q.portfolio.name.op("nee", "X"), TASK)
    assert eval_expr(~Q.portfolio.name.op("nee", "X"), TASK)
    assert not eval_expr(Q.portfolio.name < "X", TASK)
    assert not eval_expr(~(Q.portfolio.name < "X"), TASK)  # NULL is in neither
    assert eval_expr(~Q.priority.after(3), TASK)  # <= 3
    assert not eval_expr(~Q.missing.after(3), TASK)
    assert eval_expr(Q.name.op("like", "Plan%"), TASK)
    assert not eval_expr(~Q.name.op("like", "Plan%"), TASK)
    assert eval_expr(Q.all(), TASK)
    assert not eval_expr(Q.none(), TASK)
    assert eval_expr(Q.tags.has_all(["b", "a"]), TASK)
    assert eval_expr(Q.tags.is_exactly(["b", "a"]), TASK)
    assert not eval_expr(Q.tags.is_exactly(["a"]), TASK)
    assert eval_expr(Q.missing.has_none(["a"]), TASK)


def test_eval_planning() -> None:
    record = {"status": "active", "n": 5, "tags": ["x"], "empty": ""}
    assert eval_planning({"status": "active"}, record)
    assert eval_planning({"status": {"$is": "active"}}, record)
    assert not eval_planning({"status": {"$isNot": "active"}}, record)
    assert eval_planning({"empty": "$isEmpty"}, record)
    assert eval_planning({"missing": {"$isEmpty": None}}, record)
    assert eval_planning({"n": {"$isBetween": [5, 6]}}, record)
    assert eval_planning({"$or": [{"n": {"$lessThan": 5}}, {"tags": {"$hasAnyOf": ["x"]}}]}, record)
    assert not eval_planning({"$and": [{"n": {"$lessThan": 5}}, {"status": "active"}]}, record)
