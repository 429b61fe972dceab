"""Partitioned exports without an engine (these run in the default suite): the
partitions of a plan together read exactly what one export reads, typed by the
same schema; a partition read twice reads the same rows; a row present for the
whole read appears exactly once while others are created and deleted;
partitions pickle without credentials; the blocking reader takes its key from
the environment."""

from __future__ import annotations

import contextlib
import pickle
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pyarrow as pa
import pytest

from workfront_async import (
    BearerAuth,
    NotFoundError,
    PlanningV2,
    Q,
    QueryError,
    Retry,
    Workfront,
)
from workfront_async.export import (
    Partition,
    plan_partitions,
    plan_partitions_blocking,
    plan_planning_partitions,
    planning_export,
    read_partition,
    read_partition_blocking,
)
from workfront_async.query import parse_query
from workfront_async.testing import Emulator

from ._served import serve_in_thread

BASE = "https://acme.my.workfront.com"
FIELDS = [
    "name",
    "status",
    "plannedCompletionDate",
    "percentComplete",
    "assignedTo:name",
    "assignments:assignedToID",
    "DE:Region",
]


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02)  # 400 tasks


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    async with Workfront(
        BASE, api_key=emu.api_key(), transport=emu.transport(), retry=Retry().without_backoff()
    ) as client:
        yield client


async def _read(partition: Partition, client: Any) -> pa.Table:
    batches = [b async for b in read_partition(partition, client)]
    return pa.Table.from_batches(batches, schema=partition.schema.arrow())


async def _export(wf: Workfront, where: Any, fields: list[str]) -> pa.Table:
    async with wf.export("task", where, fields=fields) as rows:
        table: pa.Table = await rows.to_arrow()
    return table


@pytest.mark.parametrize("partitions", [1, 3, 8])
@pytest.mark.parametrize("where", [None, 'status != "CPL"', Q.percentComplete < 50])
async def test_partitions_together_read_what_one_export_reads(
    wf: Workfront, partitions: int, where: Any
) -> None:
    planned = await plan_partitions(
        wf, "task", where, fields=FIELDS, partitions=partitions, page_size=40
    )
    assert len(planned) == partitions
    reference = await _export(wf, parse_query(where) if isinstance(where, str) else where, FIELDS)
    tables = [await _read(p, wf) for p in planned]
    ids = [i for t in tables for i in t.column("ID").to_pylist()]
    assert len(ids) == len(set(ids)), "a row appears in two partitions"
    combined = pa.concat_tables(tables)
    assert combined.schema == reference.schema
    assert combined.num_rows == reference.num_rows > 0
    key = [("ID", "ascending")]
    assert combined.sort_by(key).equals(reference.sort_by(key))
    # the ranges follow each other, open at both ends
    assert planned[0].lo is None
    assert planned[-1].hi is None
    assert [p.hi for p in planned[:-1]] == [p.lo for p in planned[1:]]


async def test_partitions_hold_about_the_same_number_of_rows(wf: Workfront) -> None:
    planned = await plan_partitions(wf, "task", fields=["name"], partitions=4)
    sizes = [(await _read(p, wf)).num_rows for p in planned]
    total = sum(sizes)
    assert all(abs(s - total / 4) <= 2 for s in sizes), sizes


async def test_a_partition_read_twice_reads_the_same_rows(wf: Workfront) -> None:
    planned = await plan_partitions(wf, "task", fields=FIELDS, partitions=3, page_size=25)
    for partition in planned:
        first, second = await _read(partition, wf), await _read(partition, wf)
        assert first.num_rows > 0
        key = [("ID", "ascending")]
        assert first.sort_by(key).equals(second.sort_by(key))


async def test_rows_present_for_the_whole_read_appear_exactly_once_under_writes() -> None:
    # Pages of 5 and a little latency: the writes land between the pages of
    # every range, before and after each range's cursor.
    emu = Emulator.with_demo_data(scale=0.02, latency=0.002)
    async with Workfront(BASE, api_key=emu.api_key(), transport=emu.transport()) as wf:
        planned = await plan_partitions(wf, "task", fields=["name"], partitions=4, page_size=5)
        before = {r["ID"] for r in emu.rows("task")}
        project = emu.rows("project")[0]["ID"]
        # the boundaries' own rows go too: a boundary needs no row behind it
        bounds = {p.lo for p in planned if p.lo} | {s for p in planned for s in p.splits}
        doomed = sorted(set(sorted(before)[::7]) | bounds)
        created: set[str] = set()
        seen: list[str] = []

        async def write() -> None:
            for i, victim in enumerate(doomed):
                # a parent's deletion takes its subtasks along
                with contextlib.suppress(NotFoundError):
                    await wf.delete("task", victim, force=True)
                made = await wf.create("task", {"name": f"new {i}", "projectID": project})
                created.add(made["ID"])
                await anyio.sleep(0.001)

        async def read(partition: Partition) -> None:
            async for batch in read_partition(partition, wf, concurrency=3):
                seen.extend(batch.column("ID").to_pylist())

        async with anyio.create_task_group() as tg:
            tg.start_soon(write)
            for partition in planned:
                tg.start_soon(read, partition)
    after = {r["ID"] for r in emu.rows("task")}
    counts = Counter(seen)
    assert [i for i, n in counts.items() if n > 1] == []
    kept = before & after  # present for the whole read
    assert kept <= set(seen), f"{len(kept - set(seen))} rows present throughout were missed"
    assert set(seen) <= before | created
    # the writes landed during the read: some deleted rows and some new ones were not read
    assert before - after - set(seen)
    assert created - set(seen)


async def test_an_export_matching_nothing_is_one_empty_partition(wf: Workfront) -> None:
    planned = await plan_partitions(wf, "task", Q.name == "no such task", fields=["name"])
    assert [(p.lo, p.hi, p.splits) for p in planned] == [(None, None, ())]
    table = await _read(planned[0], wf)
    assert table.num_rows == 0
    assert table.column_names == ["ID", "name"]


async def test_more_partitions_than_rows_still_read_every_row_once(wf: Workfront) -> None:
    where = Q.percentComplete < 3
    planned = await plan_partitions(wf, "task", where, fields=["name"], partitions=50)
    reference = await _export(wf, where, ["name"])
    ids = [i for p in planned for i in (await _read(p, wf)).column("ID").to_pylist()]
    assert 0 < len(planned) <= 50
    assert sorted(ids) == sorted(reference.column("ID").to_pylist())


async def test_a_projected_partition_asks_for_its_columns_only(wf: Workfront) -> None:
    [partition] = await plan_partitions(wf, "task", fields=FIELDS, partitions=1)
    narrow = partition.project(["assignedTo.name", "status"])
    assert narrow.schema.fields == ("ID", "assignedTo:name", "status")
    table = await _read(narrow, wf)
    full = await _read(partition, wf)
    assert table.column_names == ["assignedTo.name", "status"]
    assert sorted(table.to_pylist(), key=str) == sorted(
        full.select(["assignedTo.name", "status"]).to_pylist(), key=str
    )
    with pytest.raises(QueryError, match="'nope' not among the columns"):
        partition.project(["nope"])


async def test_partitions_pickle_without_credentials(emu: Emulator, wf: Workfront) -> None:
    planned = await plan_partitions(wf, "task", 'status == "INP"', fields=FIELDS, partitions=3)
    data = pickle.dumps(planned)
    assert emu.api_key().encode() not in data
    assert pickle.loads(data) == planned
    assert emu.api_key() not in repr(planned)
    assert "status == " in repr(planned[0])


async def test_bad_arguments_are_refused_before_any_request(wf: Workfront) -> None:
    with pytest.raises(QueryError, match="partitions must be a positive int"):
        await plan_partitions(wf, "task", partitions=0)
    with pytest.raises(QueryError):
        await plan_partitions(wf, "task", "status ==")  # not a query
    with pytest.raises(QueryError, match="give one of obj="):
        plan_partitions_blocking("http://127.0.0.1:9", api_key="k")


async def test_planning_record_types_are_one_partition_read_as_the_export_reads() -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    auth = BearerAuth(emu.issue_token())
    async with PlanningV2(BASE, auth=auth, transport=emu.transport()) as pl:
        [whole] = await plan_planning_partitions(pl, "rt000002")
        reference = await planning_export(pl, "rt000002").to_arrow()
        table = await _read(whole, pl)
        key = [("id", "ascending")]
        assert table.num_rows == reference.num_rows > 0
        assert table.sort_by(key).equals(reference.sort_by(key))

        [approved] = await plan_planning_partitions(pl, "rt000002", Q.approved == True)  # noqa: E712
        some = await _read(approved, pl)
    assert 0 < some.num_rows < table.num_rows
    assert set(some.column("Approved").to_pylist()) == {True}


def test_blocking_plan_and_read_take_the_key_from_the_environment(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKFRONT_REDIS_URL", raising=False)
    with serve_in_thread(emu) as served:
        monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)
        with pytest.raises(QueryError, match="WORKFRONT_API_KEY"):
            plan_partitions_blocking(served.base_url, "task")
        monkeypatch.setenv("WORKFRONT_API_KEY", emu.api_key())
        planned = plan_partitions_blocking(served.base_url, "task", fields=["name"], partitions=2)
        ids = [
            i
            for p in planned
            for batch in read_partition_blocking(p)
            for i in batch.column("ID").to_pylist()
        ]
    assert sorted(ids) == sorted(r["ID"] for r in emu.rows("task"))
