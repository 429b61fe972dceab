"""Typed exports to Arrow and Parquet: the columns come from the row class (no
metadata request), and the values read back are the typed rows' values."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from workfront_async import Q
from workfront_async.testing import Emulator

from .conftest import Recording, client

FIELDS = [
    "name",
    "status",
    "priority",
    "percentComplete",
    "plannedStartDate",
    "region",
    "project:name",
]


def typed_value(row: Any, model: type, column: str) -> Any:
    """The value of ``column`` (a wire name, dotted for a reference's field) in
    the typed ``row``, read through the class's attributes."""
    attrs = {wire: attr for attr, wire in model.__wf_names__.items()}
    head, _, rest = column.partition(".")
    attr = attrs.get(head, head)
    if attr.endswith("_raw"):
        attr = attr[: -len("_raw")]  # the parsed timestamp
    value = getattr(row, attr)
    if rest:
        return None if value is None else typed_value(value, type(value), rest)
    return value


async def typed_rows(emu: Emulator, model: type, where: Any, fields: Any = ()) -> dict[str, Any]:
    async with client(emu) as wf:
        return {r.ID: r for r in await wf.search(model, where, fields=fields).all()}


async def test_parquet_round_trips_the_typed_rows(
    tmp_path: Path, emu: Emulator, pkg: ModuleType
) -> None:
    where = pkg.TaskQ.status.isin(["INP", "NEW", "CPL"])
    recording = Recording(emu.transport())
    async with client(emu, recording) as wf:
        path = tmp_path / "tasks.parquet"
        written = await wf.export(pkg.Task, where, page_size=40).write(path)
        typed_metadata = recording.metadata_requests()
        # the same export without the class reads the metadata: the count sees it
        untyped = tmp_path / "untyped.parquet"
        fields = [*FIELDS[:-2], "DE:Region", "project:name"]
        await wf.export("task", Q.status.isin(["INP", "NEW", "CPL"]), fields=fields).write(untyped)
        assert recording.metadata_requests()
    assert typed_metadata == []

    rows = await typed_rows(emu, pkg.Task, where)
    table = pq.read_table(path)
    assert written == table.num_rows == len(rows) > 40
    assert table.schema.metadata[b"workfront.object"] == b"TASK"
    # every plain field and every custom field of the class, typed
    assert table.schema.field("plannedStartDate").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("priority").type == pa.int64()
    assert table.schema.field("percentComplete").type == pa.float64()
    assert table.schema.field("DE:Region").type == pa.string()
    assert {"ID", "name", "status", "DE:Effort Class", "workRequired"} <= set(table.column_names)
    compared = 0
    for record in table.to_pylist():
        row = rows[record["ID"]]
        for column, value in record.items():
            assert value == typed_value(row, pkg.Task, column), column
            compared += value is not None
    assert compared > 5 * len(rows)


async def test_to_arrow_with_fields_and_references(emu: Emulator, pkg: ModuleType) -> None:
    where = pkg.TaskQ.status == "INP"
    recording = Recording(emu.transport())
    async with client(emu, recording) as wf:
        export = wf.export(pkg.Task, where, fields=FIELDS, consistency="keyset", page_size=25)
        table = await export.to_arrow()
        assert recording.metadata_requests() == []
        untyped = await wf.export(
            "task", Q.status == "INP", fields=[*FIELDS[:-2], "DE:Region", "project:name"]
        ).to_arrow()
    assert table.column_names == [
        "ID",
        "name",
        "status",
        "priority",
        "percentComplete",
        "plannedStartDate",
        "DE:Region",
        "project.name",
    ]
    assert table.schema.field("project.name").type == pa.string()
    rows = await typed_rows(emu, pkg.Task, where, FIELDS)
    records = table.to_pylist()
    assert len(records) == len(rows) > 0
    assert len({r["ID"] for r in records}) == len(records)
    for record in records:
        for column, value in record.items():
            assert value == typed_value(rows[record["ID"]], pkg.Task, column), column
    assert all(r["project.name"] for r in records)
    # the class's schema is the tenant's: the same table as the dict path's
    assert table.sort_by("ID").equals(untyped.sort_by("ID"), check_metadata=False)


async def test_lists_and_custom_dates_in_parquet(
    tmp_path: Path, emu: Emulator, pkg: ModuleType
) -> None:
    path = tmp_path / "projects.parquet"
    async with client(emu) as wf:
        await wf.export(pkg.Project).write(path)
    table = pq.read_table(path)
    assert table.schema.field("DE:Tags").type == pa.list_(pa.string())
    assert table.schema.field("DE:Go Live").type == pa.timestamp("ms", tz="UTC")
    rows = await typed_rows(emu, pkg.Project, None)
    assert table.num_rows == len(rows)
    tagged = 0
    for record in table.to_pylist():
        row = rows[record["ID"]]
        assert record["DE:Tags"] == (row.tags or [])
        tagged += bool(row.tags)
        assert record["DE:Go Live"] == row.goLive
        assert record["DE:Risk Score"] == row.riskScore
        assert record["name"] == row.name
    assert tagged > 0
