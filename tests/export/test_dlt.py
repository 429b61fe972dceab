"""The dlt source loading the embedded Workfront into DuckDB, incrementally."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import anyio
import dlt
import duckdb
import pytest

from workfront_async import Retry, Workfront
from workfront_async.testing import Emulator


def test_incremental_runs_load_only_changes_and_deletes(tmp_path: Path) -> None:
    emu = Emulator.with_demo_data(scale=0.01)

    def connect() -> Workfront:
        return Workfront(
            "https://acme.my.workfront.com",
            api_key=emu.api_key(),
            transport=emu.transport(),
            retry=Retry().without_backoff(),
        )

    from workfront_async.dlt import workfront_source

    fields = {"task": ["name", "percentComplete", "plannedStartDate", "assignedTo:name"]}
    database = tmp_path / "wf.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="wf_test",
        destination=dlt.destinations.duckdb(str(database)),
        dataset_name="workfront",
        pipelines_dir=str(tmp_path / "pipelines"),
    )

    def load() -> dict[str, int]:
        info = pipeline.run(workfront_source(connect, fields, page_size=50))
        assert not info.has_failed_jobs
        counts = pipeline.last_trace.last_normalize_info.row_counts
        return {k: v for k, v in counts.items() if not k.startswith("_dlt")}

    def table() -> dict[str, tuple[Any, ...]]:
        with duckdb.connect(str(database)) as con:
            con.execute("SET TimeZone = 'UTC'")
            rows = con.execute(
                "SELECT id, name, percent_complete, planned_start_date, assigned_to_name "
                "FROM workfront.task"
            ).fetchall()
        return {r[0]: r[1:] for r in rows}

    tasks = emu.rows("TASK", native=True)
    assert load() == {"task": len(tasks)}
    loaded = table()
    assert set(loaded) == {t["ID"] for t in tasks}
    first = tasks[0]
    assert loaded[first["ID"]][1] == first["percentComplete"]
    assert loaded[first["ID"]][2] == first["plannedStartDate"].astimezone(UTC)

    # Nothing changed: the second run loads nothing.
    assert load() == {}

    # One edit and one deletion in the embedded Workfront (docs/api-notes.md §2
    # "Field history": the deletion is journaled).
    edited, gone = tasks[1]["ID"], tasks[2]["ID"]

    async def change() -> None:
        emu.advance(5)
        async with connect() as wf:
            await wf.update("task", edited, {"name": "Renamed", "percentComplete": 99.5})
            await wf.delete("task", gone, force=True)

    anyio.run(change)
    counts = load()
    assert counts == {"task": 2}  # the edited row, and the deletion
    after = table()
    assert after[edited][:2] == ("Renamed", 99.5)
    assert gone not in after
    assert len(after) == len(tasks) - 1
    assert load() == {}


def test_source_needs_objects() -> None:
    from workfront_async import QueryError
    from workfront_async.dlt import workfront_source

    with pytest.raises(QueryError, match="object type"):
        workfront_source(lambda: Workfront("https://a.my.workfront.com"), [])
