"""End-to-end: wf.batch() and wf.metadata() against the embedded Workfront
(docs/api-notes.md §4 "Batch", "Metadata")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from workfront_async import (
    ApiMetadata,
    BulkError,
    NotFoundError,
    ObjectMetadata,
    Q,
    Retry,
    Workfront,
)
from workfront_async.testing import Emulator

BASE = "https://acme.my.workfront.com"


@pytest.fixture
async def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02)


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    kw: dict[str, Any] = {"api_key": emu.api_key(), "retry": Retry().without_backoff()}
    async with Workfront(BASE, transport=emu.transport(), **kw) as client:
        yield client


async def test_reads_in_one_batch_equal_the_single_calls(wf: Workfront) -> None:
    project = (await wf.search("proj", fields="name", limit=1).all())[0]
    b = wf.batch()
    b.count("task", Q.projectID == project["ID"])
    b.search("task", Q.projectID == project["ID"], fields=["name"], limit=2000)
    b.get("proj", project["ID"], fields="name")
    count, rows, got = await b.send()
    assert count == await wf.count("task", Q.projectID == project["ID"])
    single = await wf.search("task", Q.projectID == project["ID"], fields=["name"]).all()
    assert rows == single
    assert got["name"] == project["name"]


async def test_writes_in_a_batch_take_effect_in_order(wf: Workfront) -> None:
    project = (await wf.search("proj", limit=1).all())[0]
    created, count = await _send_create_then_count(wf, project["ID"])
    assert created["name"] == "batch-made"
    assert count == await wf.count("task", Q.name == "batch-made")
    b = wf.batch()
    b.update("task", created["ID"], {"name": "batch-renamed"}, fields="name")
    b.delete("task", created["ID"])
    renamed, deleted = await b.send()
    assert renamed["name"] == "batch-renamed"
    assert deleted is None
    with pytest.raises(NotFoundError):
        await wf.get("task", created["ID"])


async def _send_create_then_count(wf: Workfront, project_id: str) -> tuple[Any, Any]:
    b = wf.batch()
    b.create("task", {"name": "batch-made", "projectID": project_id}, fields="name")
    b.count("task", Q.name == "batch-made")
    created, count = await b.send()
    return created, count


async def test_a_failed_item_is_reported_by_position(wf: Workfront) -> None:
    b = wf.batch()
    b.count("task")
    b.get("task", "0" * 32)
    with pytest.raises(BulkError) as info:
        await b.send()
    assert set(info.value.succeeded) == {0}
    assert isinstance(info.value.failed[1], NotFoundError)


async def test_an_atomic_batch_is_all_or_nothing(wf: Workfront) -> None:
    project = (await wf.search("proj", limit=1).all())[0]
    before = await wf.count("task", Q.name == "atomic-one")
    b = wf.batch(atomic=True)
    b.create("task", {"name": "atomic-one", "projectID": project["ID"]})
    b.update("task", "0" * 32, {"name": "no such task"})
    with pytest.raises(NotFoundError):
        await b.send()
    assert await wf.count("task", Q.name == "atomic-one") == before
    ok = wf.batch(atomic=True)
    ok.create("task", {"name": "atomic-one", "projectID": project["ID"]})
    assert await ok.send() == []
    assert await wf.count("task", Q.name == "atomic-one") == before + 1


async def test_metadata_has_the_full_workfront_shape(wf: Workfront) -> None:
    api = await wf.metadata()
    assert isinstance(api, ApiMetadata)
    assert "PROJ" in api.objects
    meta = await wf.metadata("proj")
    assert isinstance(meta, ObjectMetadata)
    assert meta.obj_code == "PROJ"
    for key in ("name", "label", "objCode", "flags", "fields", "references", "collections"):
        assert key in meta.raw, key
    for key in ("search", "actions", "queries", "operations"):
        assert key in meta.raw, key
    assert meta.fields["name"].field_type == "string"
    assert meta.references["owner"].obj_code == "USER"
