"""Differential property: random ``Q`` expressions, compiled by the classic compiler
and answered by the emulator over HTTP, select exactly the rows a plain-Python
evaluation of the expression selects (docs/api-notes.md §1 Search; ``tests/reference.py``).

Records are random too, with NULLs anywhere (nested references included).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.query import strategies as s
from tests.reference import eval_expr
from workfront_async import Q, QueryError
from workfront_async.query import Expr, compile_classic
from workfront_async.testing import Emulator

TEXT = s.TEXT
NUMBER = s.NUMBER
TEXT_FIELDS = ("name", "status", "assignedTo:name", "project:owner:name", "DE:Code")
NUMBER_FIELDS = ("percentComplete", "project:DE:Budget")
BOOL_FIELDS = ("assignedTo:isActive",)
FIELDS = (
    "name,status,percentComplete,DE:Code,assignedTo:name,assignedTo:isActive,"
    "project:owner:name,project:DE:Budget"
)


def _values(op: str, value: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    if op in {"isnull", "notnull", "isblank", "notblank"}:
        return st.just(())
    if op in {"between", "notbetween"}:
        return st.tuples(value, value)
    if op in {"in", "ciin", "notin", "cinotin", "cicontainsany", "cicontainsall"}:
        return st.lists(value, min_size=1, max_size=3).map(tuple)
    if op in {"like", "cilike"}:
        return st.tuples(s.PATTERN)
    return st.tuples(value)


def _condition(field: str, op: str, values: tuple[Any, ...]) -> Expr:
    if op == "after":
        return Q[field].after(*values)
    if op == "before":
        return Q[field].before(*values)
    return Q[field].op(op, *values)


def _leaf(
    fields: Sequence[str], ops: Sequence[str], value: st.SearchStrategy[Any]
) -> st.SearchStrategy[Expr]:
    return st.tuples(st.sampled_from(fields), st.sampled_from(ops)).flatmap(
        lambda fo: _values(fo[1], value).map(lambda vs: _condition(fo[0], fo[1], vs))
    )


def leaves(negatable: bool) -> st.SearchStrategy[Expr]:
    text_ops = s.NEGATABLE_TEXT_OPS + ([] if negatable else s.PLAIN_TEXT_OPS)
    where = st.one_of(
        st.none(),
        _leaf(("status",), ["eq", "ne", "contains", "isnull"], TEXT),
        _leaf(("workRequired",), ["gt", "lte", "between"], st.integers(0, 4)),
    )
    exists = st.tuples(where, st.booleans()).map(
        lambda wn: (
            Q.exists("ASSGN", on={"taskID": "ID"}, where=wn[0])
            if not wn[1]
            else ~Q.exists("ASSGN", on={"taskID": "ID"}, where=wn[0])
        )
    )
    return st.one_of(
        _leaf(TEXT_FIELDS, text_ops, TEXT),
        _leaf(NUMBER_FIELDS, s.NEGATABLE_NUMBER_OPS, NUMBER),
        _leaf(BOOL_FIELDS, ["eq", "ne", "isnull", "notnull"], st.booleans()),
        exists,
    )


def _nullable(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


USERS = st.lists(
    st.fixed_dictionaries({"name": _nullable(TEXT), "isActive": _nullable(st.booleans())}),
    min_size=1,
    max_size=3,
)
PROJECTS = st.lists(
    st.fixed_dictionaries({"owner": _nullable(st.integers(0, 2)), "DE:Budget": _nullable(NUMBER)}),
    min_size=1,
    max_size=2,
)
TASKS = st.lists(
    st.fixed_dictionaries(
        {
            "name": _nullable(TEXT),
            "status": _nullable(TEXT),
            "percentComplete": _nullable(NUMBER),
            "DE:Code": _nullable(TEXT),
            "assignedTo": _nullable(st.integers(0, 2)),
            "project": _nullable(st.integers(0, 1)),
        }
    ),
    min_size=1,
    max_size=6,
)
ASSIGNMENTS = st.lists(
    st.fixed_dictionaries(
        {
            "task": st.integers(0, 5),
            "status": _nullable(TEXT),
            "workRequired": _nullable(st.integers(0, 4)),
        }
    ),
    max_size=4,
)


def build(
    users: list[dict[str, Any]],
    projects: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    assignments: list[dict[str, Any]],
) -> Emulator:
    emu = Emulator(max_uri_bytes=None)
    emu.define_custom_field("DE:Code", "str")
    emu.define_custom_field("DE:Budget", "float")
    user_ids = [
        emu.add("USER", {"ID": f"u{i}", **u}, validate=False)["ID"] for i, u in enumerate(users)
    ]

    def pick(ids: list[str], index: int | None) -> str | None:
        return None if index is None or index >= len(ids) else ids[index]

    project_ids = [
        emu.add(
            "PROJ",
            {
                "ID": f"p{i}",
                "name": f"P{i}",
                "ownerID": pick(user_ids, p["owner"]),
                "DE:Budget": p["DE:Budget"],
            },
            validate=False,
        )["ID"]
        for i, p in enumerate(projects)
    ]
    task_ids = []
    for i, t in enumerate(tasks):
        data = {k: v for k, v in t.items() if k not in ("assignedTo", "project")}
        data["assignedToID"] = pick(user_ids, t["assignedTo"])
        data["projectID"] = pick(project_ids, t["project"])
        task_ids.append(emu.add("TASK", {"ID": f"t{i}", **data}, validate=False)["ID"])
    for i, a in enumerate(assignments):
        emu.add(
            "ASSGN",
            {
                "ID": f"a{i}",
                "taskID": pick(task_ids, a["task"]),
                "status": a["status"],
                "workRequired": a["workRequired"],
            },
            validate=False,
        )
    return emu


async def _ask(emu: Emulator, params: list[tuple[str, str]]) -> list[str]:
    async with httpx.AsyncClient(transport=emu.transport(), base_url="https://x") as client:
        query = [*params, ("fields", "ID"), ("$$LIMIT", "2000"), ("apiKey", emu.api_key())]
        response = await client.get("/attask/api/v21.0/task/search", params=query)
    assert response.status_code == 200, (params, response.text)
    return [row["ID"] for row in response.json()["data"]]


def _check(expr: Expr, emu: Emulator) -> None:
    try:
        params = compile_classic(expr)
    except QueryError as exc:
        assume("never match" not in str(exc))
        raise
    records = emu.rows_nested("TASK", FIELDS, native=True)
    related = {"ASSGN": emu.rows("ASSGN", native=True)}
    want = [r["ID"] for r in records if eval_expr(expr, r, related)]
    got = asyncio.run(_ask(emu, params))
    assert got == want, (expr, params, records, related)


@given(
    expr=s.trees(leaves(negatable=True)),
    users=USERS,
    projects=PROJECTS,
    tasks=TASKS,
    assignments=ASSIGNMENTS,
)
def test_emulator_agrees_with_plain_python(
    expr: Expr,
    users: list[dict[str, Any]],
    projects: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    assignments: list[dict[str, Any]],
) -> None:
    _check(expr, build(users, projects, tasks, assignments))


@given(
    expr=s.trees(leaves(negatable=False), negate=False),
    users=USERS,
    projects=PROJECTS,
    tasks=TASKS,
    assignments=ASSIGNMENTS,
)
def test_emulator_agrees_for_every_modifier_without_negation(
    expr: Expr,
    users: list[dict[str, Any]],
    projects: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    assignments: list[dict[str, Any]],
) -> None:
    _check(expr, build(users, projects, tasks, assignments))
