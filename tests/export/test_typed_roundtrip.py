"""Typed exports read back by pyarrow, pandas, polars and DuckDB with no glue.

Each format is written once from the embedded Workfront with every column
kind (custom fields of each Workfront type included) and read back by every
reader; the values must equal the emulator's store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workfront_async.export import ExportSchema, schema_for
from workfront_async.testing import Emulator

from ._typed_helpers import (
    EXPECTED_KINDS,
    PROJ_FIELDS,
    PROJ_TYPES,
    client,
    expected_rows,
    normalise,
)


@pytest.fixture
def emu() -> Emulator:
    emulator = Emulator.with_demo_data(scale=0.02)
    # a project with no owner, no custom values and no tasks: nulls everywhere
    emulator.add("PROJ", {"name": "Bare project"}, validate=False)
    return emulator


async def _write(emu: Emulator, path: Path) -> ExportSchema:
    async with client(emu) as wf:
        schema = await schema_for(wf, "PROJ", PROJ_FIELDS, types=PROJ_TYPES)
        async with wf.export("PROJ", fields=PROJ_FIELDS, page_size=3) as export:
            n = await export.write(path, schema=schema)
    assert n == len(emu.rows("PROJ"))
    return schema


async def test_schema_types_every_kind(emu: Emulator) -> None:
    async with client(emu) as wf:
        schema = await schema_for(wf, "PROJ", PROJ_FIELDS, types=PROJ_TYPES)
    assert {c.name: c.type_name for c in schema.columns} == EXPECTED_KINDS
    assert schema.column("plannedCompletionDate").source == "override"
    text = str(schema)
    assert "DE:Risk Score" in text
    assert "float64" in text


async def test_parquet_round_trips_through_every_reader(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "projects.parquet"
    await _write(emu, path)
    expected = expected_rows(emu)

    table = pq.read_table(path)
    types = {f.name: f.type for f in table.schema}
    assert types["plannedStartDate"] == pa.timestamp("ms", tz="UTC")
    assert types["plannedCompletionDate"] == pa.date32()
    assert types["priority"] == pa.int64()
    assert types["DE:Risk Score"] == pa.float64()
    assert types["owner.isActive"] == pa.bool_()
    assert types["DE:Tags"] == pa.list_(pa.string())
    assert normalise(table.to_pylist()) == expected

    df = pd.read_parquet(path)
    assert str(df["plannedStartDate"].dtype) == "datetime64[ms, UTC]"
    assert str(df["DE:Go Live"].dtype) == "datetime64[ms, UTC]"
    assert df["DE:Risk Score"].dtype.kind == "f"
    rows = [
        {
            k: (list(v) if hasattr(v, "tolist") and k in ("tasks.ID", "DE:Tags") else v)
            for k, v in r.items()
        }
        for r in df.to_dict("records")
    ]
    assert normalise(rows) == expected

    frame = pl.read_parquet(path)
    assert frame.schema["plannedStartDate"] == pl.Datetime("ms", "UTC")
    assert frame.schema["plannedCompletionDate"] == pl.Date
    assert frame.schema["priority"] == pl.Int64
    assert frame.schema["owner.isActive"] == pl.Boolean
    assert frame.schema["tasks.ID"] == pl.List(pl.String)
    assert normalise(frame.to_dicts()) == expected

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
    duck_types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    assert duck_types["plannedStartDate"] == "TIMESTAMP WITH TIME ZONE"
    assert duck_types["plannedCompletionDate"] == "DATE"
    assert duck_types["priority"] == "BIGINT"
    assert duck_types["DE:Risk Score"] == "DOUBLE"
    assert duck_types["owner.isActive"] == "BOOLEAN"
    assert duck_types["DE:Tags"] == "VARCHAR[]"
    assert normalise([dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]) == expected


def _from_text(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CSV/JSON text cells back to values: lists were written as JSON text."""
    out = []
    for row in rows:
        fixed = dict(row)
        for key in ("tasks.ID", "DE:Tags"):
            if isinstance(fixed[key], str):
                fixed[key] = json.loads(fixed[key])
        out.append(fixed)
    return out


async def test_csv_round_trips_through_every_reader(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "projects.csv"
    schema = await _write(emu, path)
    expected = expected_rows(emu)
    # dates are compared as instants; the date-only column as a day
    header = path.read_text().splitlines()[0]
    assert header.split(",") == [
        f'"{n}"' if " " in n else n for n in schema.names
    ] or header == ",".join(schema.names)

    df = pd.read_csv(path, parse_dates=schema.timestamp_columns())
    assert str(df["plannedStartDate"].dtype).startswith("datetime64[")
    assert str(df["plannedStartDate"].dtype).endswith("UTC]")
    assert df["priority"].dtype.kind in "if"  # a null makes pandas read ints as floats
    assert df["owner.isActive"].dropna().map(type).eq(bool).all()
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    for r in rows:
        day = r["plannedCompletionDate"]
        r["plannedCompletionDate"] = day.date() if day is not None else None
    assert normalise(_from_text(rows)) == expected

    frame = pl.read_csv(path, try_parse_dates=True)
    assert frame.schema["plannedStartDate"] in (pl.Datetime("ms", "UTC"), pl.Datetime("us", "UTC"))
    assert frame.schema["plannedCompletionDate"] == pl.Date
    assert normalise(_from_text(frame.to_dicts())) == expected

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.sql(f"SELECT * FROM read_csv('{path}')")
    duck_types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    assert duck_types["plannedStartDate"] in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP")
    assert duck_types["plannedCompletionDate"] == "DATE"
    assert duck_types["owner.isActive"] == "BOOLEAN"
    got = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    for r in got:
        for key in ("plannedStartDate", "DE:Go Live"):
            if r[key] is not None and r[key].tzinfo is None:
                r[key] = r[key].replace(tzinfo=pd.Timestamp(0, tz="UTC").tzinfo)
    assert normalise(_from_text(got)) == expected


async def test_jsonl_round_trips_through_every_reader(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "projects.jsonl"
    schema = await _write(emu, path)
    expected = expected_rows(emu)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    # every line has every column, in the schema's order
    assert all(list(line) == schema.names for line in lines)

    df = pd.read_json(path, lines=True, dtype=False)
    for key in ("plannedStartDate", "DE:Go Live"):
        df[key] = pd.to_datetime(df[key], utc=True)
    df["plannedCompletionDate"] = pd.to_datetime(df["plannedCompletionDate"]).dt.date
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    assert normalise(rows) == expected

    frame = pl.read_ndjson(path).with_columns(
        pl.col("plannedStartDate", "DE:Go Live").str.to_datetime(time_zone="UTC"),
        pl.col("plannedCompletionDate").str.to_date(),
    )
    assert normalise(frame.to_dicts()) == expected

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.sql(f"SELECT * FROM read_json('{path}')")
    duck_types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    assert duck_types["plannedCompletionDate"] == "DATE"
    assert duck_types["priority"] == "BIGINT"
    got = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    for r in got:
        for key in ("plannedStartDate", "DE:Go Live"):
            if isinstance(r[key], str):
                r[key] = pd.Timestamp(r[key]).to_pydatetime()
            elif r[key] is not None and r[key].tzinfo is None:
                r[key] = r[key].replace(tzinfo=pd.Timestamp(0, tz="UTC").tzinfo)
    assert normalise(got) == expected


async def test_jsonl_keeps_workfront_dates_on_request(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "projects.jsonl"
    async with client(emu) as wf, wf.export("PROJ", fields=["plannedStartDate"]) as export:
        await export.write(path, dates="workfront")
    raw = {p["ID"]: p["plannedStartDate"] for p in emu.rows("PROJ")}
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert {r["ID"]: r["plannedStartDate"] for r in lines} == raw
    assert any(v and v.endswith("+0000") for v in raw.values())
