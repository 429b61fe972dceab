"""Errors of typed calls: the same classes as untyped calls, a clear
``ResponseError`` when the tenant holds a value the class does not allow
(sent once: asking again brings the same answer), and fields checked
before anything is sent."""

from __future__ import annotations

from types import ModuleType

import pytest

from workfront_async import NotFoundError, Q, QueryError, ResponseError, Workfront
from workfront_async.export import Export
from workfront_async.testing import Emulator

from .conftest import client, demo

MISSING = "0" * 32


async def test_get_of_an_unknown_id_raises_what_the_untyped_get_raises(
    wf: Workfront, pkg: ModuleType
) -> None:
    with pytest.raises(NotFoundError) as untyped:
        await wf.get("task", MISSING)
    with pytest.raises(NotFoundError) as typed:
        await wf.get(pkg.Task, MISSING)
    assert type(typed.value) is type(untyped.value)
    assert typed.value.status == untyped.value.status == 404
    assert typed.value.error_class == untyped.value.error_class
    assert MISSING in str(typed.value)


async def drain(export: Export) -> None:
    async with export as rows:
        async for _ in rows:
            pass


async def first_inp(wf: Workfront) -> str:
    (row,) = await wf.search("task", Q.status == "INP", limit=1).sort("ID").all()
    return str(row["ID"])


async def test_a_custom_value_the_class_does_not_allow(pkg: ModuleType) -> None:
    emu = demo()
    async with client(emu) as wf:
        task_id = await first_inp(wf)
        await wf.update("task", task_id, {"DE:Region": "MARS"})
        # the untyped path reads it
        assert (await wf.get("task", task_id, ["DE:Region"]))["DE:Region"] == "MARS"
        emu.stats.reset()
        with pytest.raises(ResponseError) as caught:
            await wf.get(pkg.Task, task_id)
        # not retried: the same request would bring the same answer
        assert emu.stats.requests == 1
        message = str(caught.value)
        assert "codegen --check" in message
        assert "Task" in message
        assert "MARS" in message
        assert "DE:Region" in message
        assert caught.value.status == 200
        assert not getattr(caught.value, "__notes__", None)
        # a search page holding the row fails the same way; the others still decode
        with pytest.raises(ResponseError, match="codegen --check"):
            await wf.search(pkg.Task, pkg.TaskQ.status == "INP").all()
        rows = await wf.search(pkg.Task, pkg.TaskQ.region == "EMEA").all()
        assert rows
        assert task_id not in {r.ID for r in rows}
        with pytest.raises(ResponseError, match="codegen --check"):
            await drain(wf.export(pkg.Task, page_size=30))


async def test_a_status_the_class_does_not_allow(pkg: ModuleType) -> None:
    emu = demo()
    async with client(emu) as wf:
        task_id = await first_inp(wf)
        await wf.create(
            "cstem",
            {"enumClass": "STATUS_TASK", "value": "XYZ", "label": "Xyz", "equatesWith": "INP"},
        )
        await wf.update("task", task_id, {"status": "XYZ"})
        assert (await wf.get("task", task_id))["status"] == "XYZ"
        with pytest.raises(ResponseError, match="codegen --check") as caught:
            await wf.get(pkg.Task, task_id, ["name", "status"])
        assert "XYZ" in str(caught.value)
        # nor can a query ask for it until the package is generated again
        with pytest.raises(QueryError, match="codegen --check"):
            pkg.TaskQ.status == "XYZ"  # noqa: B015


async def test_a_misspelled_field_is_refused_before_sending(
    emu: Emulator, wf: Workfront, pkg: ModuleType
) -> None:
    emu.stats.reset()
    with pytest.raises(QueryError, match="did you mean status") as caught:
        await wf.search(pkg.Task, fields=["stauts"]).all()
    assert "'stauts'" in str(caught.value)
    with pytest.raises(QueryError, match="did you mean project"):
        await wf.get(pkg.Task, MISSING, ["projcet:name"])
    with pytest.raises(QueryError, match="has no field"):
        wf.export(pkg.Task, fields=["name", "nmae"])
    with pytest.raises(QueryError, match="region"):
        await wf.search(pkg.Task, fields=["regoin"]).all()
    assert emu.stats.requests == 0


async def test_only_generated_classes_are_row_classes(wf: Workfront, pkg: ModuleType) -> None:
    from workfront_async.models import Model

    for wrong in (dict, Model, pkg.TaskFields, pkg.TaskQ):
        with pytest.raises(TypeError, match="codegen"):
            wf.search(wrong)  # type: ignore[call-overload]
