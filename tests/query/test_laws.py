"""Algebraic laws of the combinators, structural and through the compilers."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.query import strategies as s
from tests.reference import eval_expr
from workfront_async import Q
from workfront_async.query import And, Expr, Or, compile_classic

EXPRS = s.trees(s.classic_leaves() | s.exists_leaves(), max_leaves=4)


@given(EXPRS)
def test_double_negation(a: Expr) -> None:
    assert ~~a == a


@given(EXPRS, EXPRS)
def test_de_morgan(a: Expr, b: Expr) -> None:
    assert ~(a & b) == ~a | ~b
    assert ~(a | b) == ~a & ~b


@given(EXPRS)
def test_idempotence_and_absorption_of_duplicates(a: Expr) -> None:
    assert a & a == a
    assert a | a == a
    if not isinstance(a, Or):
        assert (a | (Q.zz == 1)) | a == a | (Q.zz == 1)
    if not isinstance(a, And):
        assert (a & (Q.zz == 1)) & a == a & (Q.zz == 1)


@given(EXPRS, EXPRS, EXPRS)
def test_associativity_of_flattening(a: Expr, b: Expr, c: Expr) -> None:
    assert (a & b) & c == a & (b & c)
    assert (a | b) | c == a | (b | c)


@given(EXPRS)
def test_identity_elements(a: Expr) -> None:
    assert a & Q.all() == a
    assert Q.all() & a == a
    assert a | Q.none() == a
    assert a | Q.all() == Q.all()
    assert a & Q.none() == Q.none()


@given(EXPRS, EXPRS, st.lists(s.records(), min_size=1, max_size=4), s.related())
def test_commutativity_means_the_same(
    a: Expr, b: Expr, records: list[dict[str, Any]], related: dict[str, Any]
) -> None:
    for record in records:
        assert eval_expr(a & b, record, related) == eval_expr(b & a, record, related)
        assert eval_expr(a | b, record, related) == eval_expr(b | a, record, related)


def test_duplicates_compile_once() -> None:
    a, b = Q.a == 1, Q.b.contains("x")
    assert compile_classic((a | b) | (b | a)) == compile_classic(a | b)
    assert compile_classic((a & b) & (b & a)) == compile_classic(a & b)
    assert compile_classic(~~(a & b)) == compile_classic(a & b)
