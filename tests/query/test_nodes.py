"""The expression nodes as values: frozen, equal and hashed by structure
however they were built, pickled and copied without their caches, and a
chain drops duplicates the same way whether it is short or long."""

from __future__ import annotations

import copy
import functools
import operator
import pickle
import subprocess
import sys
import weakref
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.query import strategies as s
from workfront_async import Q, QueryError
from workfront_async.query import (
    MAX_NESTING,
    And,
    Condition,
    Exists,
    Expr,
    Field,
    Hole,
    Not,
    Or,
    compile_classic,
    parse_query,
)

LEAVES = s.classic_leaves() | s.exists_leaves()


def _every_kind() -> list[object]:
    cond = Q.a == 1
    return [
        cond,
        cond & (Q.b == 2),
        cond | (Q.b == 2),
        ~Q.x.op("like", "a%"),
        Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "u"),
        ("x" | cond).children[0],  # type: ignore[attr-defined]
        Q.project.name,
    ]


@pytest.mark.parametrize("node", _every_kind(), ids=lambda n: type(n).__name__)
def test_every_node_refuses_assignment_and_deletion(node: object) -> None:
    names = [*getattr(type(node), "__match_args__", ()), "depth", "_hash", "anything"]
    for name in names:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(node, name, None)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(node, name)
    with pytest.raises(AttributeError):
        Q.status = Q.name


@pytest.mark.parametrize("node", _every_kind(), ids=lambda n: type(n).__name__)
def test_every_node_pickles_copies_and_takes_weak_references(node: object) -> None:
    for twin in (pickle.loads(pickle.dumps(node)), copy.copy(node), copy.deepcopy(node)):
        assert type(twin) is type(node)
        if isinstance(node, Field):
            assert twin.path == node.path  # type: ignore[attr-defined]
            continue
        assert twin == node
        assert hash(twin) == hash(node)
        assert repr(twin) == repr(node)
    assert weakref.ref(node)() is node


def test_the_root_pickles_and_copies_to_itself() -> None:
    assert pickle.loads(pickle.dumps(Q)) is Q
    assert copy.deepcopy(Q) is Q


def test_equal_trees_built_different_ways_hash_alike() -> None:
    a, b, c, d = Q.a == 1, Q.b.contains("x"), Q.c.isin([1, 2]), Q.d.is_null()
    ways = [
        (a & b) & (c | d),
        a & (b & (c | d)),
        And((a, b, Or((c, d)))),
        functools.reduce(operator.and_, [a, b, c | d]),
        parse_query("(a == 1) & b.contains('x') & (c.isin([1, 2]) | d.is_null())"),
        (a & b & (c | d) & a & b),  # duplicates dropped
        ~~((a & b) & (c | d)),
        pickle.loads(pickle.dumps(a & b & (c | d))),
    ]
    first = ways[0]
    for way in ways:
        assert way == first
        assert hash(way) == hash(first)
    # hashing one tree first must not change what the others hash to
    assert len(set(ways)) == 1


def test_a_condition_equal_to_one_in_the_chain_is_dropped_though_not_the_same_object() -> None:
    chain = (Q.a == 1) & (Q.b == 2) & (Q.c == 3)
    again = Q.b == 2
    assert chain & again is chain
    assert (chain | again) is not chain
    assert ((Q.a == 1) & (Q.a == 1)) == (Q.a == 1)
    assert ((Q.a == 1) | (Q.a == 1)) == (Q.a == 1)


def test_depth_and_cached_members_are_not_part_of_equality() -> None:
    conditions = [Q[f"f{i}"] == i for i in range(40)]
    folded = functools.reduce(operator.and_, conditions)  # grows its own member set
    at_once = And(tuple(conditions))
    assert folded == at_once
    assert hash(folded) == hash(at_once)
    assert folded.depth == at_once.depth == 1
    nested = And((Q.x == 1, Or((Q.a == 1, Q.b == 2))))
    assert nested.depth == 2
    assert And((Q.x == 1, Or((Q.a == 1, Q.b == 2))), depth=7) == nested


@given(st.lists(LEAVES, max_size=40), st.sampled_from([operator.and_, operator.or_]))
def test_a_fold_drops_duplicates_like_building_at_once(
    leaves: list[Expr], combine: Callable[[Expr, Expr], Expr]
) -> None:
    # past a few children a chain switches from scanning to a member set;
    # both must drop the same duplicates and keep the first order
    kind = And if combine is operator.and_ else Or
    expr: Expr = Q.all() if kind is And else Q.none()
    for leaf in leaves:
        expr = combine(expr, leaf)
    unique = tuple(dict.fromkeys(leaves))
    if not unique:
        assert expr == kind(())
    elif len(unique) == 1:
        assert expr == unique[0]
    else:
        assert isinstance(expr, kind)
        assert expr.children == unique
        assert expr == kind(unique)
        assert hash(expr) == hash(kind(unique))
        for leaf in leaves:  # adding any of them again changes nothing
            assert combine(expr, leaf) is expr


def test_a_long_fold_stays_flat_and_compiles() -> None:
    conditions = [Q[f"f{i}"] == i for i in range(3000)]
    folded = functools.reduce(operator.and_, conditions + conditions[::7])
    assert isinstance(folded, And)
    assert folded.children == tuple(conditions)
    assert folded.depth == 1
    assert len(compile_classic(folded)) == 2 * 3000
    either = functools.reduce(operator.or_, [Q.status == f"s{i}" for i in range(3000)])
    assert isinstance(either, Or)
    assert len(either.children) == 3000


def _nested(kind: type[And | Or], depth: int) -> Expr:
    """A ``kind`` node holding ``depth`` levels of alternating & and |."""
    node: Expr = Q.a == 0
    for level in range(depth):
        outer = kind if (depth - level) % 2 == 1 else ({And, Or} - {kind}).pop()
        node = outer((node, Q[f"c{level}"] == level))
    return node


@pytest.mark.parametrize("kind", [And, Or])
def test_nesting_is_checked_when_a_chain_grows(kind: type[And | Or]) -> None:
    other = Or if kind is And else And
    chain = kind((Q.x == 1, Q.y == 2))
    combine = operator.and_ if kind is And else operator.or_
    assert _nested(other, MAX_NESTING).depth == MAX_NESTING
    grown = combine(chain, _nested(other, MAX_NESTING - 1))
    assert grown.depth == MAX_NESTING
    with pytest.raises(QueryError, match="more than 100 levels"):
        combine(chain, _nested(other, MAX_NESTING))
    with pytest.raises(QueryError, match="more than 100 levels"):
        combine(Q.x == 1, _nested(other, MAX_NESTING))


def test_the_public_constructors_still_work() -> None:
    cond = Condition(("a",), "isnull")
    assert cond.values == ()
    assert cond == Q.a.is_null()
    assert Condition(path=("a",), op="eq", values=(1,)) == (Q.a == 1)
    assert And(children=(cond, Q.b == 1)) == cond & (Q.b == 1)
    assert Or(()) == Q.none()
    assert Not(child=Q.x.op("like", "a%")) == ~Q.x.op("like", "a%")
    assert Hole(value=1) == Hole(1) != Hole(2)
    exists = Exists("ASSGN", (("taskID", "ID"),))
    assert exists == Q.exists("ASSGN", on={"taskID": "ID"})
    assert ~exists == Exists("ASSGN", (("taskID", "ID"),), None, True)
    assert (~exists).negated
    assert not exists.negated
    assert Field(("a", "b")).path == ("a", "b")
    with pytest.raises(QueryError, match="levels deep"):
        Field(("a", "b", "c", "d", "e"))


def test_nodes_of_different_kinds_are_never_equal() -> None:
    cond = Q.a == 1
    assert cond != And((cond,))
    assert And((cond, Q.b == 1)) != Or((cond, Q.b == 1))
    assert cond != Not(cond)
    assert cond != "Q.a == 1"
    assert Hole(1) != 1


def test_subclasses_of_the_nodes_are_built_and_frozen_too() -> None:
    class Tagged(Condition):
        __slots__ = ()

    class Chain(And):
        pass

    tagged = Tagged(("a",), "eq", (1,))
    assert type(tagged) is Tagged
    assert (tagged.path, tagged.op, tagged.values) == (("a",), "eq", (1,))
    chain = Chain((tagged, Q.b == 1))
    assert type(chain) is Chain
    assert chain.depth == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        tagged.op = "ne"


def test_fields_named_as_attributes_are_the_same_objects_and_leave_methods_alone() -> None:
    assert Q.status is Q.status
    assert Q.project.owner is Q.project.owner
    assert Q["contains"].path == ("contains",)
    assert Q.project["contains"].path == ("project", "contains")
    # naming a field like a method through [...] must not hide the method
    assert Q.project.contains("x") == Condition(("project",), "contains", ("x",))
    assert Q.all() == And(())
    with pytest.raises(AttributeError):
        Q._private  # noqa: B018


_MANY_NAMES = """
from workfront_async import Q
paths = [getattr(getattr(Q, f"p{i % 50}"), f"n{i}").path for i in range(20_000)]
assert paths == [(f"p{i % 50}", f"n{i}") for i in range(20_000)], "wrong paths"
kept = len(vars(Q)) + sum(len(vars(getattr(Q, f"p{j}"))) for j in range(50))
assert kept <= 8192, kept
assert getattr(Q.p1, "n19951").path == ("p1", "n19951")
print("ok")
"""


def test_fields_named_as_attributes_are_kept_up_to_a_bound_and_stay_correct_past_it() -> None:
    # its own process: the bound is for the whole process
    done = subprocess.run(
        [sys.executable, "-c", _MANY_NAMES], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_compiled_form_kept_on_an_expression_is_its_own() -> None:
    one, true = Q.priority == 1, Q.priority == True  # noqa: E712
    assert one == true  # Python's ==, but they compile differently
    assert compile_classic(one) == [("priority", "1"), ("priority_Mod", "eq")]
    assert compile_classic(true) == [("priority", "true"), ("priority_Mod", "eq")]
    assert compile_classic(one) == [("priority", "1"), ("priority_Mod", "eq")]
    kept = compile_classic(one)
    kept.clear()
    assert compile_classic(one) == [("priority", "1"), ("priority_Mod", "eq")]
    # a pickled copy compiles afresh to the same answer
    assert compile_classic(pickle.loads(pickle.dumps(one))) == compile_classic(one)


def test_an_expression_that_cannot_compile_fails_every_time() -> None:
    bad = (Q.a == 1) & (Q.a == 2)
    for _ in range(2):
        with pytest.raises(QueryError, match="appears twice"):
            compile_classic(bad)
    with pytest.raises(QueryError):
        compile_classic(Q.none())
    assert compile_classic(Q.all()) == []
