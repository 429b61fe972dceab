"""The classic compiler: every modifier, every docs/api-notes.md example, DNF levels."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import orjson
import pytest

from workfront_async import Q, QueryError
from workfront_async.query import (
    CLASSIC_MODIFIERS,
    MAX_LEVELS,
    SWALLOWED_NAMES,
    Expr,
    compile_classic,
    explain,
    today,
    today_begin,
    user,
)


class Color(enum.StrEnum):
    RED = "red"


class Status(enum.Enum):
    CURRENT = "CUR"


class Priority(enum.IntEnum):
    HIGH = 3


# --- docs/api-notes.md examples ------------------------------------------------------


def test_api_notes_or_example_exactly() -> None:
    # docs/api-notes.md §1 Search, OR: the documented three-level example.
    expr = (
        Q.name.contains("Planning")
        | (Q.portfolio.name == "FixedAssets") & Q.assignedTo.name.icontains("Steve")
        | (Q.parent.name == "Final Task")
    )
    assert compile_classic(expr) == [
        ("name", "Planning"),
        ("name_Mod", "contains"),
        ("OR:1:portfolio:name", "FixedAssets"),
        ("OR:1:portfolio:name_Mod", "eq"),
        ("OR:1:assignedTo:name", "Steve"),
        ("OR:1:assignedTo:name_Mod", "cicontains"),
        ("OR:2:parent:name", "Final Task"),
        ("OR:2:parent:name_Mod", "eq"),
    ]
    assert explain(expr) == (
        "name=Planning&name_Mod=contains&OR:1:portfolio:name=FixedAssets"
        "&OR:1:portfolio:name_Mod=eq&OR:1:assignedTo:name=Steve"
        "&OR:1:assignedTo:name_Mod=cicontains&OR:2:parent:name=Final Task"
        "&OR:2:parent:name_Mod=eq"
    )


def test_issue_example_with_python_precedence() -> None:
    expr = Q.status == "CUR" | Q.assignedTo.name.contains("Steve")
    assert compile_classic(expr) == [
        ("status", "CUR"),
        ("status_Mod", "eq"),
        ("OR:1:assignedTo:name", "Steve"),
        ("OR:1:assignedTo:name_Mod", "contains"),
    ]


def test_api_notes_in_repeats_the_parameter() -> None:
    # docs/api-notes.md §1 Search: in / notin repeat the parameter.
    assert compile_classic(Q.status.isin(["CUR", "PLN"])) == [
        ("status", "CUR"),
        ("status", "PLN"),
        ("status_Mod", "in"),
    ]


def test_api_notes_between_uses_range() -> None:
    # API notes §1 Search: entryDate=$$TODAY-7d&entryDate_Range=$$TODAY&entryDate_Mod=between
    expr = Q.entryDate.between(today(-7, "d"), today())
    assert explain(expr) == "entryDate=$$TODAY-7d&entryDate_Range=$$TODAY&entryDate_Mod=between"


def test_api_notes_exists_example() -> None:
    # docs/api-notes.md §1 EXISTS / NOTEXISTS.
    expr = Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == user())
    assert compile_classic(expr) == [
        ("EXISTS:1:$$OBJCODE", "ASSGN"),
        ("EXISTS:1:taskID", "FIELD:ID"),
        ("EXISTS:1:assignedToID", "$$USER.ID"),
        ("EXISTS:1:assignedToID_Mod", "eq"),
    ]


def test_notexists() -> None:
    expr = ~Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == user())
    assert compile_classic(expr) == [
        ("EXISTS:1:$$OBJCODE", "ASSGN"),
        ("EXISTS:1:$$EXISTSMOD", "NOTEXISTS"),
        ("EXISTS:1:taskID", "FIELD:ID"),
        ("EXISTS:1:assignedToID", "$$USER.ID"),
        ("EXISTS:1:assignedToID_Mod", "eq"),
    ]


def test_exists_blocks_are_numbered_per_query_and_take_the_level_prefix() -> None:
    mine = Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == user())
    notes = Q.exists("NOTE", on={"taskID": "ID"})
    expr = (Q.status == "CUR") & mine | notes & (Q.priority > 2)
    assert compile_classic(expr) == [
        ("status", "CUR"),
        ("status_Mod", "eq"),
        ("EXISTS:1:$$OBJCODE", "ASSGN"),
        ("EXISTS:1:taskID", "FIELD:ID"),
        ("EXISTS:1:assignedToID", "$$USER.ID"),
        ("EXISTS:1:assignedToID_Mod", "eq"),
        ("OR:1:EXISTS:2:$$OBJCODE", "NOTE"),
        ("OR:1:EXISTS:2:taskID", "FIELD:ID"),
        ("OR:1:priority", "2"),
        ("OR:1:priority_Mod", "gt"),
    ]


def test_exists_where_must_be_a_conjunction() -> None:
    expr = Q.exists("ASSGN", on={"taskID": "ID"}, where=(Q.a == 1) | (Q.b == 2))
    with pytest.raises(QueryError, match="conjunction"):
        compile_classic(expr)
    # a negated conjunction is a disjunction too
    expr = Q.exists("ASSGN", on={"taskID": "ID"}, where=~((Q.a == 1) & (Q.b == 2)))
    with pytest.raises(QueryError, match="conjunction"):
        compile_classic(expr)


def test_exists_inside_exists_is_refused() -> None:
    inner = Q.exists("NOTE", on={"ownerID": "ID"})
    with pytest.raises(QueryError, match="EXISTS inside EXISTS"):
        compile_classic(Q.exists("ASSGN", on={"taskID": "ID"}, where=inner))


def test_api_notes_filters_json() -> None:
    # docs/api-notes.md §1 filters= JSON; the issue's example.
    assert compile_classic(Q.username == "testuser@workfront.com") == [
        ("filters", '{"username":"testuser@workfront.com"}')
    ]


def test_filters_json_with_other_modifiers_and_other_filters() -> None:
    expr = (Q.name == "x") & Q.username.icontains("test") & Q.fields.isin(["a", "b"])
    params = compile_classic(expr)
    assert params[:2] == [("name", "x"), ("name_Mod", "eq")]
    assert params[2][0] == "filters"
    assert orjson.loads(params[2][1]) == {
        "username": "test",
        "username_Mod": "cicontains",
        "fields": ["a", "b"],
        "fields_Mod": "in",
    }
    assert len(params) == 3
    # nested paths are not swallowed by authentication
    assert compile_classic(Q.owner.username == "x") == [
        ("owner:username", "x"),
        ("owner:username_Mod", "eq"),
    ]


def test_swallowed_names_inside_exists_are_plain_parameters() -> None:
    # EXISTS:1:username is not a parameter authentication consumes.
    expr = Q.exists("ASSGN", on={"assignedToID": "ID"}, where=Q.username == "u")
    assert compile_classic(expr)[-2:] == [
        ("EXISTS:1:username", "u"),
        ("EXISTS:1:username_Mod", "eq"),
    ]


def test_filters_json_is_not_allowed_in_an_or_level() -> None:
    with pytest.raises(QueryError, match="unprefixed level only"):
        compile_classic((Q.name == "x") | (Q.username == "u"))


def test_swallowed_names_include_the_documented_ones() -> None:
    for name in ("username", "password", "apikey", "sessionid"):
        assert name in SWALLOWED_NAMES


def test_api_notes_batch_polling_example() -> None:
    # docs/api-notes.md §2 Batch: lastUpdateDate=2020-05-13T18:18:37.255Z&lastUpdateDate_Mod=gte
    since = dt.datetime(2020, 5, 13, 18, 18, 37, 255000, tzinfo=dt.UTC)
    assert compile_classic(Q.lastUpdateDate >= since) == [
        ("lastUpdateDate", "2020-05-13T18:18:37.255Z"),
        ("lastUpdateDate_Mod", "gte"),
    ]


def test_api_notes_journal_entry_example() -> None:
    # docs/api-notes.md §2 Field history: fieldName=name&objObjCode=OPTASK&entryDate=...&_Mod=gte
    since = dt.datetime(2020, 5, 13, 18, 18, 37, 255000, tzinfo=dt.UTC)
    expr = (Q.fieldName == "name") & (Q.objObjCode == "OPTASK") & (Q.entryDate >= since)
    assert compile_classic(expr) == [
        ("fieldName", "name"),
        ("fieldName_Mod", "eq"),
        ("objObjCode", "OPTASK"),
        ("objObjCode_Mod", "eq"),
        ("entryDate", "2020-05-13T18:18:37.255Z"),
        ("entryDate_Mod", "gte"),
    ]


def test_api_notes_nested_and_custom_fields() -> None:
    # docs/api-notes.md §1 Search: nested references and DE: custom fields.
    expr = (Q.project.owner.name == "Ann") & (Q["DE:Field Name"] == "v")
    expr = expr & (Q.project["DE:Budget Code"] == "B1")
    assert compile_classic(expr) == [
        ("project:owner:name", "Ann"),
        ("project:owner:name_Mod", "eq"),
        ("DE:Field Name", "v"),
        ("DE:Field Name_Mod", "eq"),
        ("project:DE:Budget Code", "B1"),
        ("project:DE:Budget Code_Mod", "eq"),
    ]


def test_api_notes_wildcards_pass_through() -> None:
    expr = (Q.entryDate >= today_begin("m")) & (Q.ownerID == "$$USER.ID")
    assert compile_classic(expr) == [
        ("entryDate", "$$TODAYbm"),
        ("entryDate_Mod", "gte"),
        ("ownerID", "$$USER.ID"),
        ("ownerID_Mod", "eq"),
    ]


# --- every modifier -----------------------------------------------------------


def _example(modifier: str) -> tuple[Expr, list[tuple[str, str]]]:
    if modifier in {"isnull", "notnull", "isblank", "notblank"}:
        return Q.x.op(modifier), [("x_Mod", modifier)]
    if modifier in {"between", "notbetween"}:
        return Q.x.op(modifier, 1, 5), [("x", "1"), ("x_Range", "5"), ("x_Mod", modifier)]
    if modifier in {"in", "ciin", "notin", "cinotin", "cicontainsany", "cicontainsall", "allof"}:
        return Q.x.op(modifier, "a", "b"), [("x", "a"), ("x", "b"), ("x_Mod", modifier)]
    return Q.x.op(modifier, "a"), [("x", "a"), ("x_Mod", modifier)]


@pytest.mark.parametrize("modifier", CLASSIC_MODIFIERS)
def test_every_modifier(modifier: str) -> None:
    expr, expected = _example(modifier)
    assert compile_classic(expr) == expected


def test_modifier_list_is_the_api_notes_list() -> None:
    listed = (
        "eq ne nee cieq cine lt lte gt gte contains notcontains cicontains cinotcontains "
        "cicontainsany cicontainsall like cilike startswith cistartswith endswith ciendswith "
        "in ciin notin cinotin between notbetween isnull notnull isblank notblank allof"
    )
    assert tuple(listed.split()) == CLASSIC_MODIFIERS


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (Q.x == 1, [("x", "1"), ("x_Mod", "eq")]),
        (Q.x != 1, [("x", "1"), ("x_Mod", "ne")]),
        (Q.x < 1, [("x", "1"), ("x_Mod", "lt")]),
        (Q.x <= 1, [("x", "1"), ("x_Mod", "lte")]),
        (Q.x > 1, [("x", "1"), ("x_Mod", "gt")]),
        (Q.x >= 1, [("x", "1"), ("x_Mod", "gte")]),
        (Q.x.contains("a"), [("x", "a"), ("x_Mod", "contains")]),
        (Q.x.icontains("a"), [("x", "a"), ("x_Mod", "cicontains")]),
        (Q.x.not_contains("a"), [("x", "a"), ("x_Mod", "notcontains")]),
        (Q.x.notin(["a", "b"]), [("x", "a"), ("x", "b"), ("x_Mod", "notin")]),
        (Q.x.is_null(), [("x_Mod", "isnull")]),
        (Q.x == None, [("x_Mod", "isnull")]),  # noqa: E711
        (Q.x.not_null(), [("x_Mod", "notnull")]),
        (Q.x.after("$$TODAY"), [("x", "$$TODAY"), ("x_Mod", "gt")]),
        (Q.x.before("$$TODAY"), [("x", "$$TODAY"), ("x_Mod", "lt")]),
        (~Q.x.after("$$TODAY"), [("x", "$$TODAY"), ("x_Mod", "lte")]),
        (~Q.x.before("$$TODAY"), [("x", "$$TODAY"), ("x_Mod", "gte")]),
    ],
)
def test_builder_methods(expr: Expr, expected: list[tuple[str, str]]) -> None:
    assert compile_classic(expr) == expected


def test_negated_nee_becomes_two_levels() -> None:
    # not (set and different) == unset, or equal
    assert compile_classic(~Q.x.op("nee", "a")) == [
        ("x_Mod", "isnull"),
        ("OR:1:x", "a"),
        ("OR:1:x_Mod", "eq"),
    ]


@pytest.mark.parametrize("modifier", ["like", "cilike", "startswith", "endswith", "allof"])
def test_negation_without_a_modifier_is_refused(modifier: str) -> None:
    with pytest.raises(QueryError, match="no modifier for the negation"):
        compile_classic(~Q.x.op(modifier, "a"))


@pytest.mark.parametrize(
    "expr",
    [Q.x.has_any(["a"]), Q.x.has_all(["a"]), Q.x.has_none(["a"]), Q.x.is_exactly(["a"])],
)
def test_planning_only_operators_are_refused(expr: Expr) -> None:
    with pytest.raises(QueryError, match="Planning"):
        compile_classic(expr)


# --- values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("$$TODAY-7d", "$$TODAY-7d"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-12, "-12"),
        (1.5, "1.5"),
        (1e20, "100000000000000000000"),
        (Decimal("12.50"), "12.50"),
        (dt.datetime(2020, 5, 13, 18, 18, 37, 255000, tzinfo=dt.UTC), "2020-05-13T18:18:37.255Z"),
        (dt.datetime(2020, 5, 13, 18, 18, 37, tzinfo=dt.UTC), "2020-05-13T18:18:37.000Z"),
        (
            dt.datetime(2020, 5, 13, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6))),
            "2020-05-13T12:00:00.000-06:00",
        ),
        (dt.date(2020, 5, 13), "2020-05-13"),
        (Status.CURRENT, "CUR"),
        (Color.RED, "red"),
        (Priority.HIGH, "3"),
    ],
)
def test_value_text(value: object, text: str) -> None:
    assert compile_classic(Q.x == value) == [("x", text), ("x_Mod", "eq")]


# --- DNF ---------------------------------------------------------------------


def test_and_distributes_over_or_into_levels() -> None:
    expr = ((Q.a == 1) | (Q.b == 2)) & (Q.c == 3)
    assert (
        explain(expr) == "a=1&a_Mod=eq&c=3&c_Mod=eq&OR:1:b=2&OR:1:b_Mod=eq&OR:1:c=3&OR:1:c_Mod=eq"
    )


def test_negation_is_pushed_to_the_leaves() -> None:
    expr = ~(((Q.a == 1) | Q.b.contains("x")) & Q.c.isin([1, 2]))
    assert compile_classic(expr) == [
        ("a", "1"),
        ("a_Mod", "ne"),
        ("b", "x"),
        ("b_Mod", "notcontains"),
        ("OR:1:c", "1"),
        ("OR:1:c", "2"),
        ("OR:1:c_Mod", "notin"),
    ]


def test_duplicate_and_absorbed_levels_are_removed() -> None:
    a, b = Q.a == 1, Q.b == 2
    assert compile_classic(a | (a & b)) == compile_classic(a)
    assert compile_classic((a & b) | (b & a)) == compile_classic(a & b)
    assert compile_classic((a | b) & (a | b)) == compile_classic(a | b)


def test_range_merge() -> None:
    assert compile_classic((Q.x >= 1) & (Q.x <= 5)) == [
        ("x", "1"),
        ("x_Range", "5"),
        ("x_Mod", "between"),
    ]
    assert compile_classic((Q.x <= 5) & (Q.y == 2) & (Q.x >= 1)) == [
        ("x", "1"),
        ("x_Range", "5"),
        ("x_Mod", "between"),
        ("y", "2"),
        ("y_Mod", "eq"),
    ]


@pytest.mark.parametrize(
    "expr",
    [
        (Q.x == 1) & (Q.x == 2),
        (Q.x > 1) & (Q.x <= 5),
        (Q.x >= 1) & (Q.x >= 2),
        ((Q.x == 1) | (Q.y == 1)) & (Q.x != 3),
    ],
)
def test_field_collisions_name_the_field(expr: Expr) -> None:
    with pytest.raises(QueryError, match=r"field 'x' appears twice.*isin.*between"):
        compile_classic(expr)


def test_too_many_levels_names_the_culprit() -> None:
    wide_a = Q.none()
    wide_b = Q.none()
    for i in range(9):
        wide_a = wide_a | (Q.a == i)
        wide_b = wide_b | (Q.b == i)
    culprit = wide_a & wide_b  # 81 levels
    expr = (Q.name == "x") & (culprit | (Q.c == 1))
    with pytest.raises(QueryError, match=r"81 OR levels") as info:
        compile_classic(expr)
    assert repr(culprit)[:100] in str(info.value)
    # exactly the bound is fine
    wide = Q.none()
    for i in range(MAX_LEVELS):
        wide = wide | (Q[f"f{i}"] == i)
    assert len([p for p in compile_classic(wide) if p[0].endswith("_Mod")]) == MAX_LEVELS


def test_exponential_blow_up_is_stopped_early() -> None:
    expr = Q.all()
    for i in range(20):
        expr = expr & ((Q[f"a{i}"] == 1) | (Q[f"b{i}"] == 1))
    with pytest.raises(QueryError, match="OR levels"):
        compile_classic(expr)


def test_none_all_and_never() -> None:
    assert compile_classic(None) == []
    assert compile_classic(Q.all()) == []
    assert compile_classic((Q.a == 1) | Q.all()) == []
    with pytest.raises(QueryError, match="never match"):
        compile_classic(Q.none())


def test_not_an_expression() -> None:
    with pytest.raises(QueryError):
        compile_classic("status=CUR")  # type: ignore[arg-type]


def test_id_filter_is_ordinary_but_lowercase_id_is_swallowed() -> None:
    # docs/api-notes.md §1: parameter names are case-sensitive; `id` is the get-by-ID
    # list, while `ID` is an ordinary filter (`ID=...&ID_Mod=in`).
    assert compile_classic(Q.ID.isin(["a", "b"])) == [
        ("ID", "a"),
        ("ID", "b"),
        ("ID_Mod", "in"),
    ]
    assert compile_classic((Q.ID < "1") | (Q.name == "x"))[:2] == [("ID", "1"), ("ID_Mod", "lt")]
    assert compile_classic(Q["id"] == "x") == [("filters", '{"id":"x"}')]
