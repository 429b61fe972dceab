"""``TaskQ.<field> <op> value`` builds the condition ``Q.<field> <op> value``
does, and refuses what the tenant's metadata rules out."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest

from workfront_async import QueryError
from workfront_async.query import Q, compile_classic

MOMENT = datetime(2024, 7, 2, 3, 49, 38, 711000, tzinfo=UTC)

# (typed, untyped): each pair must compile to the same parameters
PAIRS: list[tuple[str, Callable[[Any], Any], Callable[[], Any]]] = [
    ("eq", lambda p: p.TaskQ.status == "INP", lambda: Q.status == "INP"),
    ("ne", lambda p: p.TaskQ.status != "CPL", lambda: Q.status != "CPL"),
    ("lt int", lambda p: p.TaskQ.priority < 3, lambda: Q.priority < 3),
    ("ge float", lambda p: p.TaskQ.percentComplete >= 50.5, lambda: Q.percentComplete >= 50.5),
    ("float takes int", lambda p: p.TaskQ.workRequired > 8, lambda: Q.workRequired > 8),
    ("eq text", lambda p: p.TaskQ.name == "Ship it", lambda: Q.name == "Ship it"),
    ("le text", lambda p: p.TaskQ.wbs <= "2", lambda: Q.wbs <= "2"),
    (
        "isin",
        lambda p: p.TaskQ.status.isin(["INP", "NEW"]),
        lambda: Q.status.isin(["INP", "NEW"]),
    ),
    ("notin", lambda p: p.TaskQ.priority.notin([0, 1]), lambda: Q.priority.notin([0, 1])),
    ("contains", lambda p: p.TaskQ.name.contains("dash"), lambda: Q.name.contains("dash")),
    ("icontains", lambda p: p.TaskQ.name.icontains("DASH"), lambda: Q.name.icontains("DASH")),
    ("is_null", lambda p: p.TaskQ.assignedToID.is_null(), lambda: Q.assignedToID.is_null()),
    ("== None", lambda p: p.TaskQ.assignedToID == None, lambda: Q.assignedToID.is_null()),  # noqa: E711
    ("not_null", lambda p: p.TaskQ.roleID.not_null(), lambda: Q.roleID.not_null()),
    ("!= None", lambda p: p.TaskQ.roleID != None, lambda: Q.roleID.not_null()),  # noqa: E711
    ("between", lambda p: p.TaskQ.priority.between(1, 3), lambda: Q.priority.between(1, 3)),
    (
        "datetime",
        lambda p: p.TaskQ.plannedStartDate >= MOMENT,
        lambda: Q.plannedStartDate >= MOMENT,
    ),
    (
        "date",
        lambda p: p.TaskQ.entryDate < date(2024, 1, 1),
        lambda: Q.entryDate < date(2024, 1, 1),
    ),
    (
        "wildcard",
        lambda p: p.TaskQ.plannedStartDate.after("$$TODAY-1w"),
        lambda: Q.plannedStartDate.after("$$TODAY-1w"),
    ),
    (
        "reference",
        lambda p: p.TaskQ.project.name == "Apollo",
        lambda: Q.project.name == "Apollo",
    ),
    (
        "reference enum",
        lambda p: p.TaskQ.project.status.isin(["CUR", "PLN"]),
        lambda: Q.project.status.isin(["CUR", "PLN"]),
    ),
    (
        "two levels",
        lambda p: p.TaskQ.project.owner.name.contains("a"),
        lambda: Q.project.owner.name.contains("a"),
    ),
    (
        "reference without a class",
        lambda p: p.TaskQ.portfolio.name == "Core",
        lambda: Q.portfolio.name == "Core",
    ),
    (
        "untyped field of a reference",
        lambda p: p.TaskQ.portfolio["ownerID"] == "u1",
        lambda: Q.portfolio.ownerID == "u1",
    ),
    ("custom", lambda p: p.TaskQ.region == "EMEA", lambda: Q["DE:Region"] == "EMEA"),
    (
        "custom isin",
        lambda p: p.TaskQ.effortClass.isin(["L", "XL"]),
        lambda: Q["DE:Effort Class"].isin(["L", "XL"]),
    ),
    ("custom number", lambda p: p.ProjectQ.riskScore > 2, lambda: Q["DE:Risk Score"] > 2),
    ("custom text", lambda p: p.ProjectQ.budgetCode == "B-1", lambda: Q["DE:Budget Code"] == "B-1"),
    ("check-box", lambda p: p.ProjectQ.tags.contains("q1"), lambda: Q["DE:Tags"].contains("q1")),
    (
        "issue status",
        lambda p: p.IssueQ.status == "CLS",
        lambda: Q.status == "CLS",
    ),
    (
        "and / or",
        lambda p: (
            ((p.TaskQ.status == "INP") & (p.TaskQ.priority >= 2)) | (p.TaskQ.region == "APAC")
        ),
        lambda: ((Q.status == "INP") & (Q.priority >= 2)) | (Q["DE:Region"] == "APAC"),
    ),
    ("not", lambda p: ~(p.TaskQ.status == "INP"), lambda: ~(Q.status == "INP")),
]


@pytest.mark.parametrize(("typed", "untyped"), [p[1:] for p in PAIRS], ids=[p[0] for p in PAIRS])
def test_typed_fields_compile_like_q(
    pkg: ModuleType, typed: Callable[[Any], Any], untyped: Callable[[], Any]
) -> None:
    expected = compile_classic(untyped())
    assert expected  # the pair says something
    assert compile_classic(typed(pkg)) == expected


def test_the_compiled_form_names_wire_fields(pkg: ModuleType) -> None:
    assert compile_classic(pkg.TaskQ.region == "EMEA") == [
        ("DE:Region", "EMEA"),
        ("DE:Region_Mod", "eq"),
    ]
    assert compile_classic(pkg.TaskQ.project.name.contains("x")) == [
        ("project:name", "x"),
        ("project:name_Mod", "contains"),
    ]


def test_an_enum_member_is_its_value(pkg: ModuleType) -> None:
    class Status(enum.Enum):
        INP = "INP"

    assert compile_classic(pkg.TaskQ.status == Status.INP) == compile_classic(Q.status == "INP")


REFUSED: list[tuple[str, Callable[[Any], Any], str]] = [
    ("text for a number", lambda p: p.TaskQ.priority == "high", "priority"),
    ("bool for a number", lambda p: p.TaskQ.priority == True, "priority"),  # noqa: E712
    ("float for an int", lambda p: p.TaskQ.priority > 1.5, "priority"),
    ("number for text", lambda p: p.TaskQ.name == 3, "name"),
    ("number for a date", lambda p: p.TaskQ.plannedStartDate >= 20240101, "plannedStartDate"),
    ("text for a float", lambda p: p.TaskQ.percentComplete < "50", "percentComplete"),
    ("unknown status", lambda p: p.TaskQ.status == "XYZ", "INP"),
    ("unknown status in a list", lambda p: p.TaskQ.status.isin(["INP", "XYZ"]), "XYZ"),
    ("unknown region", lambda p: p.TaskQ.region == "MARS", "EMEA"),
    ("task status for a project", lambda p: p.TaskQ.project.status == "INP", "CUR"),
    ("unknown tag", lambda p: p.ProjectQ.tags.contains("q9"), "q9"),
    ("one string for isin", lambda p: p.TaskQ.name.isin("abc"), "list"),
    ("number between", lambda p: p.TaskQ.priority.between(1, "3"), "priority"),
]


@pytest.mark.parametrize(("build", "said"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_wrong_values_are_query_errors(
    pkg: ModuleType, build: Callable[[Any], Any], said: str
) -> None:
    with pytest.raises(QueryError) as caught:
        build(pkg)
    assert said in str(caught.value)


def test_an_unknown_value_says_to_generate_again(pkg: ModuleType) -> None:
    with pytest.raises(QueryError, match="codegen --check"):
        pkg.TaskQ.status == "XYZ"  # noqa: B015


@pytest.mark.parametrize(
    "build",
    [
        lambda p: p.TaskQ.stauts,
        lambda p: p.TaskQ.project.nmae,
        lambda p: p.TaskQ.Region,  # custom fields go by their attribute name
        lambda p: p.ProjectQ.tasks,  # collections are not query fields
    ],
    ids=["misspelled", "misspelled on a reference", "wire-cased custom", "collection"],
)
def test_misspelled_fields_are_attribute_errors(pkg: ModuleType, build: Any) -> None:
    with pytest.raises(AttributeError):
        build(pkg)


def test_a_field_is_not_a_condition(pkg: ModuleType) -> None:
    with pytest.raises(TypeError, match="combine conditions"):
        bool(pkg.TaskQ.status)
