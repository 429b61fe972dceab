"""Exports against the embedded Workfront: the rows equal a plain search's,
in every format, under the concurrency cap; keyset exports stay exact while
another task writes."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import anyio
import pyarrow.parquet as pq
import pytest

from workfront_async import Q, Workfront
from workfront_async.export import flatten_row, open_writer
from workfront_async.testing import Emulator

FIELDS = ["name", "status", "assignedTo:name", "DE:Region"]
WHERE = (Q.status == "CUR") | Q.assignedTo.name.contains("a")


async def plain_search(wf: Workfront) -> dict[str, dict[str, Any]]:
    rows = await wf.search("task", WHERE, fields=FIELDS).all()
    return {r["ID"]: r for r in rows}


@pytest.mark.parametrize("consistency", ["offset", "keyset"])
@pytest.mark.parametrize("ordered", [False, True])
async def test_export_equals_plain_search(
    wf: Workfront, emu: Emulator, consistency: str, ordered: bool
) -> None:
    expected = await plain_search(wf)
    assert len(expected) > 100  # the filter keeps a real share of the demo tasks
    emu.stats.reset()
    emu.latency = 0.002  # real overlap between page requests
    async with wf.export(
        "task",
        WHERE,
        fields=FIELDS,
        page_size=37,
        ordered=ordered,
        consistency=consistency,  # type: ignore[arg-type]
    ) as rows:
        got = [row async for row in rows]
    assert len(got) == len(expected)
    assert {r["ID"]: r for r in got} == expected
    if ordered:
        ids = [r["ID"] for r in got]
        assert ids == sorted(ids)
    assert 1 < emu.stats.max_in_flight <= 10
    assert emu.stats.rejected_concurrency == 0


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
async def test_export_to_every_format(wf: Workfront, tmp_path: Path, fmt: str) -> None:
    expected = await plain_search(wf)
    out = tmp_path / f"tasks.{fmt}"
    with open_writer(out, columns=["ID", *FIELDS]) as writer:
        async with wf.export("task", WHERE, fields=FIELDS, page_size=50) as rows:
            batch = [row async for row in rows]
        writer.write(batch)
    if fmt == "jsonl":
        got = [json.loads(line) for line in out.read_text().splitlines()]
        assert {r["ID"]: r for r in got} == expected
        return
    if fmt == "csv":
        with out.open(newline="") as fh:
            table = list(csv.DictReader(fh))
    else:
        table = pq.read_table(out).to_pylist()
    assert {r["ID"] for r in table} == set(expected)
    for row in table:
        flat = flatten_row(expected[row["ID"]])
        assert row["name"] == flat["name"]
        assert (row["assignedTo:name"] or None) == flat.get("assignedTo:name")
        assert (row["DE:Region"] or None) == flat.get("DE:Region")


async def test_limit_and_progress(wf: Workfront) -> None:
    seen: list[Any] = []
    async with wf.export("task", limit=123, page_size=50, progress=seen.append) as rows:
        got = [row async for row in rows]
    assert len(got) == 123
    assert seen[-1].rows_done == 123
    assert seen[-1].rows_total == 123


async def test_breaking_out_early_stops_cleanly(wf: Workfront, emu: Emulator) -> None:
    async with wf.export("task", page_size=20) as rows:
        async for _ in rows:
            break
    # The client still works and no slot is left taken.
    assert wf.limiter.borrowed_tokens == 0
    assert await wf.count("task") == len(emu.rows("task"))


async def test_keyset_export_exact_while_another_task_writes(wf: Workfront, emu: Emulator) -> None:
    emu.latency = (0.0, 0.003)
    project_id = emu.rows("project")[0]["ID"]
    before = {r["ID"] for r in emu.rows("task")}
    rng = random.Random(5)
    created: list[str] = []
    deleted: set[str] = set()
    touched = sorted(before)[::7]  # rows edited during the export (they stay)
    doomed = [i for i in sorted(before)[3::11] if i not in touched]
    done = anyio.Event()

    async def writer() -> None:
        for i in range(60):
            if done.is_set():
                break
            row = await wf.create("task", {"name": f"inserted {i}", "projectID": project_id})
            created.append(row["ID"])
            await wf.update("task", rng.choice(touched), {"name": f"edited {i}"})
            victim = doomed.pop()
            await wf.delete("task", victim, force=True)
            deleted.add(victim)

    async with anyio.create_task_group() as tg:
        tg.start_soon(writer)
        async with wf.export("task", page_size=25, consistency="keyset") as rows:
            got = [r["ID"] async for r in rows]
        done.set()
    assert deleted, "the writer ran during the export"
    assert len(got) == len(set(got)), "no row twice"
    existed_throughout = before - deleted
    assert existed_throughout <= set(got), "no row that existed throughout is lost"
    assert set(got) <= before | set(created)


async def test_pages_iteration_yields_lists(wf: Workfront, emu: Emulator) -> None:
    async with wf.export("task", page_size=64) as export:
        pages = [page async for page in export.pages()]
    assert all(0 < len(p) <= 64 for p in pages)
    assert sorted(r["ID"] for p in pages for r in p) == sorted(r["ID"] for r in emu.rows("task"))
    with pytest.raises(RuntimeError, match="once"):
        export.pages()


@pytest.mark.parametrize("consistency", ["offset", "keyset"])
async def test_raw_where_and_page_size_one(wf: Workfront, emu: Emulator, consistency: str) -> None:
    # A raw parameter mapping is ANDed with the export's own ID ranges, and a
    # keyset page of one row still makes progress.
    project = emu.rows("project")[0]["ID"]
    expected = sorted(r["ID"] for r in emu.rows("task") if r["projectID"] == project)
    async with wf.export(
        "task",
        {"projectID": project},
        page_size=1 if consistency == "keyset" else 7,
        consistency=consistency,  # type: ignore[arg-type]
    ) as rows:
        got = [r["ID"] async for r in rows]
    assert sorted(got) == expected


async def test_export_on_a_client_that_parses_dates(emu: Emulator) -> None:
    from datetime import datetime

    async with (
        Workfront(
            "https://acme.my.workfront.com",
            api_key=emu.api_key(),
            transport=emu.transport(),
            parse_dates=True,
        ) as wf,
        wf.export("task", fields=["entryDate"], consistency="keyset") as rows,
    ):
        got = [r async for r in rows]
    assert len(got) == len(emu.rows("task"))
    assert all(isinstance(r["entryDate"], datetime) for r in got)


@pytest.mark.parametrize("limit", [1.5, "10", True, -1])
async def test_bad_limit_is_a_query_error(wf: Workfront, limit: object) -> None:
    from workfront_async import QueryError

    with pytest.raises(QueryError, match="limit"):
        async with wf.export("task", limit=limit) as rows:  # type: ignore[arg-type]
            [r async for r in rows]
