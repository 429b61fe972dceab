"""Typed rows are projections of their class: they hold the fields a call
asked for (and the default field set Workfront always sends), read ``None``
for the others, and behave as instances of the generated class."""

from __future__ import annotations

import pickle
from types import ModuleType

import msgspec
import pytest

from workfront_async import Workfront


async def test_a_row_holds_what_was_asked_and_reads_none_for_the_rest(
    wf: Workfront, pkg: ModuleType
) -> None:
    task = await wf.search(pkg.Task, fields=["name", "project:name"]).first()
    assert task is not None
    assert isinstance(task, pkg.Task)
    held = set(type(task).__struct_fields__)
    # the default field set (status, priority, ... : Workfront sends them) and the request
    assert {"ID", "name", "status", "priority", "project"} <= held
    assert "description" not in held
    assert task.description is None  # not asked for: None, as a null would be
    assert task.effortClass is None
    # a nested reference holds only what was asked of it
    assert set(type(task.project).__struct_fields__) == {"objCode", "ID", "name"}
    assert isinstance(task.project, pkg.Project)
    assert task.project.status is None
    with pytest.raises(AttributeError, match="nmae"):
        task.nmae  # noqa: B018


async def test_one_projection_per_field_set(wf: Workfront, pkg: ModuleType) -> None:
    a = await wf.search(pkg.Task, fields=["name"]).first()
    b = await wf.search(pkg.Task, fields=["name"]).first()
    c = await wf.search(pkg.Task, fields=["name", "DE:Region"]).first()
    assert type(a) is type(b)
    assert type(a) is not type(c)
    assert type(a).__name__ == type(c).__name__ == "Task"
    assert a == b


async def test_rows_pickle_and_compare(wf: Workfront, pkg: ModuleType) -> None:
    rows = await wf.search(pkg.Task, fields=["name", "project:name", "DE:Region"], limit=5).all()
    again = pickle.loads(pickle.dumps(rows))
    assert again == rows
    assert [type(r) for r in again] == [type(r) for r in rows]
    assert [r.project for r in again] == [r.project for r in rows]


def test_rows_built_by_hand(pkg: ModuleType) -> None:
    task = pkg.Task.of(name="Write docs", status="NEW", priority=2)
    assert isinstance(task, pkg.Task)
    assert (task.name, task.status, task.priority, task.description) == (
        "Write docs",
        "NEW",
        2,
        None,
    )
    assert task.to_dict() == {"name": "Write docs", "status": "NEW", "priority": 2}
    with pytest.raises(TypeError, match="nmae"):
        pkg.Task.of(nmae="x")
    decoded = pkg.Task.decode(b'{"ID": "t1", "name": "N", "DE:Region": "EMEA"}')
    assert (decoded.ID, decoded.name, decoded.region) == ("t1", "N", "EMEA")
    # the class itself declares its fields for type checkers only
    assert msgspec.json.decode(b'{"name": "N"}', type=pkg.Task).name is None
