"""Building expressions: fields, conditions, Python's traps, immutability, repr."""

from __future__ import annotations

import copy
import datetime as dt
import enum
import pickle

import attrs
import pytest

from workfront_async import Q, QueryError
from workfront_async.query import And, Condition, Exists, Expr, Field, Hole, Not, Or


class Status(enum.Enum):
    CURRENT = "CUR"


# --- fields ------------------------------------------------------------------


def test_attribute_access_nests() -> None:
    assert Q.assignedTo.name.path == ("assignedTo", "name")
    assert Q.project.owner.name.path == ("project", "owner", "name")


def test_item_access_reaches_custom_fields() -> None:
    assert Q["DE:Custom Text"].path == ("DE:Custom Text",)
    assert Q.project["DE:Budget Code"].path == ("project", "DE:Budget Code")
    # a colon path given as one string is split; DE: runs to the end
    assert Q["project:DE:Ratio: A"].path == ("project", "DE:Ratio: A")
    assert Q["portfolio:name"].path == ("portfolio", "name")


def test_names_that_clash_with_methods_use_items() -> None:
    assert Q["contains"].path == ("contains",)
    assert repr(Q["contains"]) == "Q['contains']"
    assert Q["all"].path == ("all",)


@pytest.mark.parametrize("bad", ["", "a::b", "a:", "$$TODAY", "a=b", "a&b"])
def test_bad_field_names(bad: str) -> None:
    with pytest.raises(QueryError):
        Q[bad]


def test_field_names_are_strings() -> None:
    with pytest.raises(TypeError):
        Q[0]  # type: ignore[index]


def test_depth_limit_at_build_time() -> None:
    # docs/api-notes.md §1 Limits: field depth 4 levels from the queried object.
    assert Q.a.b.c.d.path == ("a", "b", "c", "d")
    with pytest.raises(QueryError, match="5 levels deep"):
        Q.a.b.c.d.e  # noqa: B018
    with pytest.raises(QueryError, match="levels deep"):
        Q["a:b:c:d:e"]


def test_private_names_are_not_fields() -> None:
    with pytest.raises(AttributeError):
        Q._private  # noqa: B018
    with pytest.raises(AttributeError):
        Q.a._private  # noqa: B018


def test_field_is_not_callable_iterable_or_boolean() -> None:
    with pytest.raises(TypeError, match="not a method"):
        Q.name.contain("x")
    with pytest.raises(TypeError):
        list(Q.name)
    with pytest.raises(TypeError, match=r"\.contains"):
        "x" in Q.name  # noqa: B015
    with pytest.raises(TypeError):
        bool(Q.name)


def test_fields_copy_and_pickle() -> None:
    field = Q.project["DE:Budget Code"]
    assert pickle.loads(pickle.dumps(field)).path == field.path
    assert copy.deepcopy(field).path == field.path


def test_fields_hash_by_path() -> None:
    assert hash(Q.a.b) == hash(Q["a:b"])
    assert Q.a.b.path == Q["a"]["b"].path


# --- conditions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "op", "values"),
    [
        (Q.x == 1, "eq", (1,)),
        (Q.x != 1, "ne", (1,)),
        (Q.x < 1, "lt", (1,)),
        (Q.x <= 1, "lte", (1,)),
        (Q.x > 1, "gt", (1,)),
        (Q.x >= 1, "gte", (1,)),
        (1 < Q.x, "gt", (1,)),
        (Q.x.contains("a"), "contains", ("a",)),
        (Q.x.icontains("a"), "cicontains", ("a",)),
        (Q.x.not_contains("a"), "notcontains", ("a",)),
        (Q.x.isin(["a", "b"]), "in", ("a", "b")),
        (Q.x.notin(("a",)), "notin", ("a",)),
        (Q.x.between(1, 5), "between", (1, 5)),
        (Q.x.is_null(), "isnull", ()),
        (Q.x.not_null(), "notnull", ()),
        (Q.x == None, "isnull", ()),  # noqa: E711
        (Q.x != None, "notnull", ()),  # noqa: E711
        (Q.x.after("2024-01-01"), "after", ("2024-01-01",)),
        (Q.x.before("2024-01-01"), "before", ("2024-01-01",)),
        (Q.x.op("cistartswith", "Plan"), "cistartswith", ("Plan",)),
        (Q.x.op("isblank"), "isblank", ()),
        (Q.x.op("in", "a", "b"), "in", ("a", "b")),
        (Q.x.has_any(["a"]), "hasany", ("a",)),
        (Q.x.has_all(["a"]), "hasall", ("a",)),
        (Q.x.has_none(["a"]), "hasnone", ("a",)),
        (Q.x.is_exactly(["a", "b"]), "isexactly", ("a", "b")),
    ],
)
def test_condition_builders(expr: Expr, op: str, values: tuple[object, ...]) -> None:
    assert expr == Condition(("x",), op, values)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Q.x.op("nosuchmod", 1),
        lambda: Q.x.op("eq"),
        lambda: Q.x.op("eq", 1, 2),
        lambda: Q.x.op("isnull", 1),
        lambda: Q.x.op("between", 1),
        lambda: Q.x.isin([]),
        lambda: Q.x.isin("CUR"),
        lambda: Q.x.isin([None]),
        lambda: Q.x < None,
        lambda: Q.x.contains(None),
        lambda: Q.x == ["a", "b"],
        lambda: Q.x == object(),
        lambda: Q.x == dt.datetime(2024, 1, 1),  # naive: no time zone
        lambda: Q.x == float("nan"),
    ],
)
def test_bad_conditions_fail_at_build_time(build: object) -> None:
    with pytest.raises(QueryError):
        build()  # type: ignore[operator]


def test_error_messages_say_what_to_do() -> None:
    with pytest.raises(QueryError, match="tzinfo"):
        Q.x == dt.datetime(2024, 1, 1)  # noqa: B015
    with pytest.raises(QueryError, match="isin"):
        Q.x == ["a"]  # noqa: B015
    with pytest.raises(QueryError, match="cistartswith"):
        Q.x.op("startwith", "a")


def test_enum_values_are_accepted() -> None:
    assert (Q.status == Status.CURRENT).values == (Status.CURRENT,)


# --- Python's traps ----------------------------------------------------------


def test_bool_of_an_expression_raises() -> None:
    expr = Q.a == 1
    with pytest.raises(TypeError, match="&"):
        bool(expr)
    with pytest.raises(TypeError):
        (Q.a == 1) and (Q.b == 2)  # noqa: B018
    with pytest.raises(TypeError, match="between"):
        1 < Q.a < 5  # noqa: B015


def test_bare_value_on_the_left_becomes_a_hole_the_comparison_fills() -> None:
    # Python reads this as Q.status == ("CUR" | <cond>).
    expr = Q.status == "CUR" | Q.assignedTo.name.contains("Steve")
    assert expr == (Q.status == "CUR") | Q.assignedTo.name.contains("Steve")
    expr = Q.status == "CUR" & Q.assignedTo.name.contains("Steve")
    assert expr == (Q.status == "CUR") & Q.assignedTo.name.contains("Steve")
    expr = Q.size >= 3 | Q.a.is_null() & Q.b.is_null()
    assert expr == (Q.size >= 3) | (Q.a.is_null() & Q.b.is_null())
    expr = Q.a == 1 & Q.b.is_null() | Q.c.is_null()
    assert expr == ((Q.a == 1) & Q.b.is_null()) | Q.c.is_null()
    expr = Q.a != None | Q.b.is_null()
    assert expr == Q.a.not_null() | Q.b.is_null()


@pytest.mark.parametrize(
    "build",
    [
        lambda: Q.a == 1 | Q.b == 2,
        lambda: Q.a == 1 & Q.b == 2,
        lambda: Q.a.is_null() | Q.b == 2,  # type: ignore[comparison-overlap]
        lambda: Q.a.is_null() & Q.b == 2,  # type: ignore[comparison-overlap]
        lambda: Q.a == Q.b,
        lambda: ~Q.a == 1,
        lambda: Q.a == (Q.b == 1),
    ],
)
def test_forms_python_cannot_keep_apart_raise_type_error(build: object) -> None:
    with pytest.raises(TypeError, match="parenthes"):
        build()  # type: ignore[operator]


def test_an_unfilled_hole_is_not_compilable() -> None:
    from workfront_async.query import compile_classic, compile_planning

    expr = "CUR" | Q.a.is_null()
    assert isinstance(expr, Or)
    assert expr.children[0] == Hole("CUR")
    with pytest.raises(QueryError, match="'CUR' has no field"):
        compile_classic(expr)
    with pytest.raises(QueryError, match="no field"):
        compile_planning(expr)
    with pytest.raises(TypeError):
        ~expr  # noqa: B018


def test_combining_with_non_expressions_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Q.a.is_null() | 5
    with pytest.raises(TypeError):
        Q.a.is_null() & "x"


# --- structure ---------------------------------------------------------------


def test_and_or_flatten_and_drop_duplicates() -> None:
    a, b, c = Q.a == 1, Q.b == 2, Q.c == 3
    assert (a & b) & c == And((a, b, c))
    assert a & (b & c) == And((a, b, c))
    assert (a | b) | (c | a) == Or((a, b, c))
    assert a & a == a


def test_identities() -> None:
    a = Q.a == 1
    assert a & Q.all() == a
    assert a | Q.none() == a
    assert a | Q.all() == Q.all()
    assert a & Q.none() == Q.none()
    assert ~Q.all() == Q.none()
    assert ~Q.none() == Q.all()


def test_negation_uses_the_negated_modifiers() -> None:
    pairs = [
        (Q.x == 1, Q.x != 1),
        (Q.x < 1, Q.x >= 1),
        (Q.x > 1, Q.x <= 1),
        (Q.x.contains("a"), Q.x.not_contains("a")),
        (Q.x.icontains("a"), Q.x.op("cinotcontains", "a")),
        (Q.x.isin([1]), Q.x.notin([1])),
        (Q.x.between(1, 2), Q.x.op("notbetween", 1, 2)),
        (Q.x.is_null(), Q.x.not_null()),
        (Q.x.op("cieq", "a"), Q.x.op("cine", "a")),
        (Q.x.op("ciin", "a"), Q.x.op("cinotin", "a")),
        (Q.x.op("isblank"), Q.x.op("notblank")),
        (Q.x.has_any(["a"]), Q.x.has_none(["a"])),
    ]
    for positive, negative in pairs:
        assert ~positive == negative
        assert ~negative == positive


def test_negation_without_a_twin_is_a_not_node() -> None:
    cond = Q.x.op("like", "a%")
    assert ~cond == Not(cond)
    assert ~~cond == cond
    assert ~Q.x.after(1) == Not(Q.x.after(1))


def test_exists_and_notexists() -> None:
    expr = Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "$$USER.ID")
    assert isinstance(expr, Exists)
    assert expr.on == (("taskID", "ID"),)
    assert not expr.negated
    assert (~expr).negated
    assert ~~expr == expr


@pytest.mark.parametrize(
    "build",
    [
        lambda: Q.exists("ASSGN", on={}),
        lambda: Q.exists("AS SGN", on={"taskID": "ID"}),
        lambda: Q.exists("ASSGN", on={"taskID": ""}),
        lambda: Q.exists("ASSGN", on={"taskID": "ID"}, where="x"),  # type: ignore[arg-type]
        lambda: Q.exists("ASSGN", on={"taskID": "ID"}, where="x" | Q.a.is_null()),
    ],
)
def test_bad_exists(build: object) -> None:
    with pytest.raises(QueryError):
        build()  # type: ignore[operator]


# --- values: frozen, hashable, comparable ------------------------------------


def test_expressions_are_frozen_hashable_values() -> None:
    expr = (Q.a == 1) | Q.b.contains("x") & ~Q.exists("ASSGN", on={"taskID": "ID"})
    same = (Q.a == 1) | Q.b.contains("x") & ~Q.exists("ASSGN", on={"taskID": "ID"})
    assert expr == same
    assert hash(expr) == hash(same)
    assert len({expr, same}) == 1
    assert pickle.loads(pickle.dumps(expr)) == expr
    assert copy.deepcopy(expr) == expr
    assert isinstance(expr, Or)
    assert isinstance(expr.children, tuple)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        expr.children = ()  # type: ignore[misc]
    cond = Q.a == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cond.op = "ne"  # type: ignore[misc]


def test_every_builder_returns_a_new_object_and_leaves_the_old_one() -> None:
    base_field = Q.project
    field_snapshot = base_field.path
    child = base_field.owner
    assert child is not base_field
    assert base_field.path == field_snapshot == ("project",)

    a = Q.a == 1
    b = Q.b.contains("x")
    a_copy, b_copy = copy.deepcopy(a), copy.deepcopy(b)
    both = a & b
    either = a | b
    negated = ~both
    for built in (both, either, negated):
        assert built is not a
        assert built is not b
    assert a == a_copy
    assert b == b_copy
    assert both == And((a, b))
    assert either == Or((a, b))

    grown = both & (Q.c == 3)
    assert both == And((a, b))
    assert grown == And((a, b, Q.c == 3))


def test_values_are_stored_as_tuples() -> None:
    values = ["a", "b"]
    cond = Q.x.isin(values)
    values.append("c")
    assert cond.values == ("a", "b")


# --- repr --------------------------------------------------------------------


def test_repr_shows_the_tree() -> None:
    expr = (Q.status == "CUR") | Q.assignedTo.name.icontains("Steve") & Q["DE:Code"].isin([1])
    assert repr(expr) == (
        "(Q.status == 'CUR') | (Q.assignedTo.name.icontains('Steve') & Q['DE:Code'].isin([1]))"
    )
    assert repr(~Q.x.op("like", "a%")) == "~(Q.x.op('like', 'a%'))"
    assert repr(Q.all()) == "Q.all()"
    assert repr(Q.none()) == "Q.none()"
    exists = ~Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == "u")
    assert repr(exists) == "~Q.exists('ASSGN', on={'taskID': 'ID'}, where=Q.assignedToID == 'u')"
    assert repr(Q.x.between(1, 2)) == "Q.x.between(1, 2)"


def test_repr_and_errors_never_show_credentials() -> None:
    expr = (Q.password == "hunter2-secret") | (Q.apiKey == "abcd-key-1234")
    assert "hunter2" not in repr(expr)
    assert "abcd-key" not in repr(expr)
    assert "[REDACTED]" in repr(expr)
    from workfront_async.query import compile_classic

    with pytest.raises(QueryError) as info:
        compile_classic((Q.name == "x") | (Q.sessionID == "s3cr3t-session"))
    assert "s3cr3t" not in str(info.value)
    with pytest.raises(QueryError) as info:
        Q.password == ["hunter2-secret"]  # noqa: B015
    assert "hunter2" not in str(info.value)


def test_field_is_not_an_expression() -> None:
    assert not isinstance(Q.a, Expr)
    assert isinstance(Q.a, Field)
