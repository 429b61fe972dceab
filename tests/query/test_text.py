"""The query language written as text (used by the CLI's --where): parsed
safely, same meaning as the Python DSL, errors pointing at the column."""

from __future__ import annotations

import pytest

from workfront_async import Q, QueryError
from workfront_async.query import compile_classic, parse_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'status == "CUR" | assignedTo.name.contains("Steve")',
            (Q.status == "CUR") | Q.assignedTo.name.contains("Steve"),
        ),
        (
            '(plannedHours >= 8) & ~project.name.icontains("test")',
            (Q.plannedHours >= 8) & ~Q.project.name.icontains("test"),
        ),
        (
            'status in ["CUR", "PLN"] and not assignedTo.name is None',
            Q.status.isin(["CUR", "PLN"]) & ~Q.assignedTo.name.is_null(),
        ),
        (
            'status not in ["CPL"] or priority is not None',
            Q.status.notin(["CPL"]) | Q.priority.not_null(),
        ),
        ('Q["DE:Budget Code"] > -5', Q["DE:Budget Code"] > -5),
        ('project["DE:X"] == "y"', Q.project["DE:X"] == "y"),
        ('"CUR" == status', Q.status == "CUR"),
        ("3 < plannedHours", Q.plannedHours > 3),
        ("percentComplete.between(10, 20.5)", Q.percentComplete.between(10, 20.5)),
        ('name.op("cistartswith", "plan")', Q.name.op("cistartswith", "plan")),
        ("done == True", Q.done == True),  # noqa: E712 - the DSL's equality
        (
            'exists("ASSGN", on={"taskID": "ID"}, where=assignedToID == "$$USER.ID")',
            Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "$$USER.ID"),
        ),
    ],
)
def test_text_means_the_same_as_python(text: str, expected: object) -> None:
    assert compile_classic(parse_query(text)) == compile_classic(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("status ==", "ends too early", 10),
        ("a === 1", "syntax error", 5),
        ("a == 1 | b == 2", "parentheses", 1),
        ('__import__("os").system("true")', "only these methods", 1),
        ("name.upper()", "only these methods", 1),
        ("status == open", "expected a value", 11),
        ("lambda: 1", "expected a condition", 1),
        ("status == f'x{1}'", "expected a value", 11),
        ("status in x", "expected a value", 11),
        ("status is 3", "only compares with None", 11),
    ],
)
def test_errors_point_at_the_column(text: str, fragment: str, column: int) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    message = str(info.value)
    assert fragment in message
    assert f"column {column}" in message
    # the caret's line (a suggestion, when there is one, follows it)
    caret_line = next(line for line in message.splitlines() if line.strip() == "^")
    assert caret_line.index("^") - 2 == column - 1


def test_text_never_evaluates_code(tmp_path: object) -> None:
    # Attribute chains are field paths, never Python attribute access.
    expr = parse_query('__class__.__bases__ == "x"')
    assert compile_classic(expr) == [
        ("__class__:__bases__", "x"),
        ("__class__:__bases___Mod", "eq"),
    ]


def test_empty_and_huge_text_are_refused() -> None:
    with pytest.raises(QueryError, match="empty"):
        parse_query("   ")
    with pytest.raises(QueryError, match="at most"):
        parse_query("a == 1 and " * 20_000 + "a == 1")
