"""Hostile and surprising query text: deep nesting, huge chains and values
joined by ``|``/``&`` give a QueryError that says what to write, never a
RecursionError, a MemoryError or a silently different query."""

from __future__ import annotations

import contextlib
import functools
import operator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workfront_async import Q, QueryError
from workfront_async.query import MAX_NESTING, compile_classic, parse_query


def chain(n: int, sep: str = " & ") -> str:
    return sep.join(f"(field{i} == {i})" for i in range(n))


def test_five_hundred_conditions_joined_by_and_parse_flat() -> None:
    text = chain(500)
    assert len(text) > 8000
    expr = parse_query(text)
    assert expr == functools.reduce(operator.and_, [Q[f"field{i}"] == i for i in range(500)])
    assert len(compile_classic(expr)) == 2 * 500  # value and modifier


def test_thousands_of_conditions_joined_by_the_word_and_parse() -> None:
    text = " and ".join(f"f{i} == {i}" for i in range(5000))
    expr = parse_query(text)
    assert len(compile_classic(expr)) == 2 * 5000


@pytest.mark.parametrize(
    "text",
    [
        "~" * 1000 + "(a == 1)",
        "not " * 5000 + "a == 1",
        "~" * 20000 + "(a == 1)",
        chain(5000)[:99_000],
    ],
    ids=["tilde-1000", "not-5000", "tilde-20000", "and-chain-5000"],
)
def test_deep_or_huge_text_raises_query_error(text: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    message = str(info.value)
    assert "nest" in message or "deep" in message
    # It says what to write instead.
    assert "and" in message


@pytest.mark.parametrize(
    "text", ["(" * 250 + "a == 1" + ")" * 250, "a.isin([" * 300 + "1" + "])" * 300]
)
def test_nesting_beyond_the_parser_is_a_query_error(text: str) -> None:
    with pytest.raises(QueryError, match="nested"):
        parse_query(text)


def test_nesting_up_to_the_bound_is_accepted() -> None:
    # Alternating & and | nest one level each; stay a little under the bound
    # (each comparison adds its own levels to the syntax tree).
    text = "a == 0"
    for i in range(MAX_NESTING // 4):
        text = f"(b{i} == {i}) {'&|'[i % 2]} ({text})"
    assert parse_query(text) is not None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("priority == 1 | 2", "priority in [1, 2]"),
        ("flag == True | False", "flag in [True, False]"),
        ("a == 6 & 3", "(a == 6) & (a == 3)"),
        ('status == "CUR" | "PLN" | (x == 1)', "status in ['CUR', 'PLN']"),
        ("priority == (1 | 2)", "priority in [1, 2]"),
        ("(1 | 2) == priority", "priority in [1, 2]"),
    ],
)
def test_two_values_joined_by_an_operator_are_refused(text: str, shown: str) -> None:
    with pytest.raises(QueryError, match="joins two values") as info:
        parse_query(text)
    assert shown in str(info.value)


def test_a_value_then_a_condition_still_fills_the_hole() -> None:
    # The documented Python shape keeps working in text.
    assert parse_query('status == "CUR" | (priority > 2)') == (Q.status == "CUR") | (Q.priority > 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Q.status == "CUR"', Q.status == "CUR"),
        ('Q.project.name.contains("x")', Q.project.name.contains("x")),
        ('(Q.status == "CUR") | (Q.priority > 2)', (Q.status == "CUR") | (Q.priority > 2)),
        ('Q["DE:Budget"] == 3', Q["DE:Budget"] == 3),
        (
            'Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "u1")',
            Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "u1"),
        ),
    ],
)
def test_the_python_q_prefix_names_the_same_field(text: str, expected: object) -> None:
    expr = parse_query(text)
    assert expr == expected
    assert all(not name.startswith("Q:") for name, _ in compile_classic(expr))


# -- the same shapes built with the Python API ---------------------------


def test_tilde_applied_ten_thousand_times_works() -> None:
    expr = (Q.a == 1) & (Q.b.contains("x"))
    for _ in range(10_000):
        expr = ~expr
    assert expr == (Q.a == 1) & Q.b.contains("x")
    assert compile_classic(expr) == [
        ("a", "1"),
        ("a_Mod", "eq"),
        ("b", "x"),
        ("b_Mod", "contains"),
    ]


def test_five_thousand_and_folded_stay_flat() -> None:
    expr = Q.all()
    for i in range(5000):
        expr = expr & (Q[f"f{i}"] == i)
    expr = expr & (Q.f0 == 0)  # a duplicate is dropped
    assert len(compile_classic(expr)) == 2 * 5000
    assert expr == Q.all() & functools.reduce(operator.and_, [Q[f"f{i}"] == i for i in range(5000)])


def test_deeply_alternating_python_trees_raise_query_error() -> None:
    def build(levels: int) -> object:
        expr = Q.a == 0
        for i in range(levels):
            expr = (Q[f"b{i}"] == i) & (expr | (Q[f"c{i}"] == i))
        return expr

    build(MAX_NESTING // 2 - 1)
    with pytest.raises(QueryError, match="nests"):
        build(5000)


def test_deeply_nested_exists_raise_query_error() -> None:
    def build(levels: int) -> object:
        where = Q.a == 0
        for _ in range(levels):
            where = Q.exists("TASK", on={"parentID": "ID"}, where=where)
        return where

    build(MAX_NESTING - 1)
    with pytest.raises(QueryError, match="nests"):
        build(5000)


TOKENS = st.sampled_from(
    ["~", "not ", "(", ")", "a == 1", "b", " & ", " | ", " and ", " or ", "1", "'x'", "Q.", "."]
)


@settings(max_examples=300, deadline=None)
@example(parts=["(a == 1)"], repeat=3000, head="~")
@example(parts=["a == 1"], repeat=3000, head="not ")
@example(parts=["(a == 1)"], repeat=3000, head="(a == 1) & ")
@given(
    parts=st.lists(TOKENS, max_size=60),
    repeat=st.integers(min_value=1, max_value=3000),
    head=TOKENS,
)
def test_any_token_soup_parses_or_is_a_query_error(
    parts: list[str], repeat: int, head: str
) -> None:
    # A run of one token (deep nesting) followed by random tokens: never a
    # RecursionError, MemoryError or other exception escapes.
    text = head * repeat + "".join(parts)
    try:
        expr = parse_query(text)
    except QueryError:
        return
    with contextlib.suppress(QueryError):
        compile_classic(expr)
