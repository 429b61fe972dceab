"""Typed search, get and export: row-class instances holding the values the
dict path gives for the same rows."""

from __future__ import annotations

from collections import Counter
from types import ModuleType
from typing import Any

import pytest

from workfront_async import Q, Workfront, parse_date
from workfront_async.export import Export, TypedExport

WHERE_STATUSES = ["INP", "NEW"]
# every plain value a task of the demo tenant holds, compared one by one
PLAIN = ["ID", "name", "status", "priority", "percentComplete", "taskNumber", "wbs", "projectID"]
DATES = ["plannedStartDate", "plannedCompletionDate", "entryDate", "actualStartDate"]


def same_row(typed: Any, row: dict[str, Any]) -> None:
    """``typed`` (a Task) holds what the dict ``row`` holds."""
    for name in PLAIN:
        assert getattr(typed, name) == row.get(name), name
    assert typed.region == row.get("DE:Region")
    assert typed.effortClass == row.get("DE:Effort Class")
    for name in DATES:
        raw = row.get(name)
        assert getattr(typed, f"{name}_raw") == raw, name
        assert getattr(typed, name) == (None if raw is None else parse_date(raw)), name
    # and nothing else: the typed row says on the wire what the dict says
    wire = {k: v for k, v in row.items() if v is not None}
    assert typed.objCode == "TASK"
    assert typed.to_dict() == wire


async def dict_rows(wf: Workfront, pkg: ModuleType, where: Any, **kw: Any) -> list[dict[str, Any]]:
    return await wf.search("task", where, fields=list(pkg.Task.__wf_fields__), **kw).all()


async def test_search_yields_tasks_equal_to_the_dict_rows(wf: Workfront, pkg: ModuleType) -> None:
    typed = await wf.search(pkg.Task, pkg.TaskQ.status.isin(WHERE_STATUSES)).all()
    rows = await dict_rows(wf, pkg, Q.status.isin(WHERE_STATUSES))
    assert len(rows) > 20
    assert all(isinstance(t, pkg.Task) for t in typed)
    assert [t.ID for t in typed] == [r["ID"] for r in rows]
    for t, r in zip(typed, rows, strict=True):
        same_row(t, r)
    # the demo tenant gives the comparison something to compare
    assert {t.status for t in typed} == set(WHERE_STATUSES)
    assert any(t.region for t in typed)
    assert any(t.plannedStartDate is not None for t in typed)
    assert all(t.plannedStartDate.tzinfo is not None for t in typed if t.plannedStartDate)


async def test_search_with_sort_and_limit(wf: Workfront, pkg: ModuleType) -> None:
    typed = await wf.search(pkg.Task, pkg.TaskQ.priority >= 1, limit=7).sort("name").all()
    rows = await wf.search("task", Q.priority >= 1, limit=7).sort("name").all()
    assert len(typed) == 7
    assert [t.ID for t in typed] == [r["ID"] for r in rows]
    assert [t.name for t in typed] == sorted(t.name for t in typed)
    assert all(t.priority >= 1 for t in typed)


async def test_search_filters_on_custom_fields(wf: Workfront, pkg: ModuleType, emu: Any) -> None:
    typed = await wf.search(pkg.Task, pkg.TaskQ.region == "EMEA").all()
    expected = {r["ID"] for r in emu.rows("task") if r.get("DE:Region") == "EMEA"}
    assert expected
    assert {t.ID for t in typed} == expected
    assert {t.region for t in typed} == {"EMEA"}


async def test_get_returns_a_task_equal_to_the_dict_get(wf: Workfront, pkg: ModuleType) -> None:
    rows = await dict_rows(wf, pkg, Q.status == "INP", limit=5)
    for row in rows:
        task = await wf.get(pkg.Task, row["ID"])
        assert isinstance(task, pkg.Task)
        same_row(task, await wf.get("task", row["ID"], list(pkg.Task.__wf_fields__)))


async def test_nested_references_decode_into_their_classes(wf: Workfront, pkg: ModuleType) -> None:
    fields = ["name", "project:name", "project:status", "assignedTo:name", "DE:Region"]
    typed = await wf.search(pkg.Task, pkg.TaskQ.status == "INP", fields=fields).all()
    rows = await wf.search("task", Q.status == "INP", fields=fields).all()
    assert len(typed) == len(rows) > 0
    assigned = 0
    for t, r in zip(typed, rows, strict=True):
        assert t.ID == r["ID"]
        assert t.name == r["name"]
        assert t.region == r.get("DE:Region")
        assert isinstance(t.project, pkg.Project)
        assert t.project.name == r["project"]["name"]
        assert t.project.status == r["project"]["status"]
        assert t.project.ID == r["project"]["ID"]
        if r.get("assignedTo") is None:
            assert t.assignedTo is None
        else:
            assigned += 1
            assert isinstance(t.assignedTo, pkg.User)
            assert t.assignedTo.name == r["assignedTo"]["name"]
        assert t.priority == r.get("priority")  # a default field, sent anyway
        assert t.description is None
        assert r.get("description") is None
    assert assigned > 0


async def test_get_with_fields_by_attribute_and_wire_names(wf: Workfront, pkg: ModuleType) -> None:
    (row,) = await wf.search(
        "task", Q.status == "INP", fields=["project:name", "DE:Region"], limit=1
    ).all()
    by_wire = await wf.get(pkg.Task, row["ID"], ["project:name", "DE:Region"])
    by_attr = await wf.get(pkg.Task, row["ID"], ["project:name", "region"])
    assert by_wire == by_attr
    assert by_wire.region == row.get("DE:Region")
    assert by_wire.project.name == row["project"]["name"]


@pytest.mark.parametrize("consistency", ["offset", "keyset"])
async def test_export_yields_every_row_once(
    wf: Workfront, pkg: ModuleType, consistency: str
) -> None:
    rows = {r["ID"]: r for r in await dict_rows(wf, pkg, Q.status.isin(WHERE_STATUSES))}
    export = wf.export(
        pkg.Task,
        pkg.TaskQ.status.isin(WHERE_STATUSES),
        page_size=17,
        consistency=consistency,  # type: ignore[arg-type]
    )
    assert isinstance(export, TypedExport)
    seen: list[Any] = []
    async with export as tasks:
        async for task in tasks:
            seen.append(task)
    assert all(isinstance(t, pkg.Task) for t in seen)
    counts = Counter(t.ID for t in seen)
    assert max(counts.values()) == 1
    assert set(counts) == set(rows)
    for task in seen:
        same_row(task, rows[task.ID])


async def test_export_pages_of_tasks(wf: Workfront, pkg: ModuleType, emu: Any) -> None:
    pages = []
    async with wf.export(pkg.Task, page_size=50, consistency="keyset") as export:
        async for page in export.pages():
            pages.append(page)
    assert len(pages) > 1
    assert all(len(p) <= 50 and all(isinstance(t, pkg.Task) for t in p) for p in pages)
    ids = [t.ID for p in pages for t in p]
    assert len(ids) == len(set(ids)) == len(emu.rows("task"))


async def test_an_untyped_export_is_not_typed(wf: Workfront) -> None:
    export = wf.export("task", limit=3)
    assert type(export) is Export
    async with export as rows:
        assert all([type(r) is dict async for r in rows])
