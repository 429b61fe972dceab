"""The classic compiler keeps compiled forms of frozen expressions: a cached
answer must be exactly what a fresh compile gives, whatever Python's ``==``
thinks (``1 == 1.0 == True``)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from workfront_async import Q
from workfront_async.query import _classic, compile_classic


@pytest.mark.parametrize("first", [1, True, 1.0, decimal.Decimal(1)])
def test_equal_values_of_other_types_do_not_share_a_cached_form(first: object) -> None:
    compile_classic(Q.priority == first)  # cached under this value
    for value in (1, True, 1.0, decimal.Decimal(1)):
        assert compile_classic(Q.priority == value) == _classic._compile(Q.priority == value)


def test_a_caller_mutating_the_result_does_not_change_the_cache() -> None:
    expr = (Q.status == "CUR") & ((Q.a == 1) | (Q.b == 2))
    first = compile_classic(expr)
    expected = list(first)
    first.append(("x", "y"))
    assert compile_classic(expr) == expected


def test_the_cache_is_bounded() -> None:
    for i in range(_classic._CACHE_SIZE + 50):
        compile_classic(Q.name == f"n{i}")
    assert len(_classic._compiled) <= _classic._CACHE_SIZE


def test_date_values_compile_the_same_through_the_cache() -> None:
    day = dt.date(2024, 1, 2)
    expr = Q.plannedCompletionDate.between(day, day)
    assert compile_classic(expr) == _classic._compile(expr)
