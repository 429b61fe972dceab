"""Planning records through the typed writers, from the embedded Workfront."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workfront_async import BearerAuth, Planning, Retry
from workfront_async.export import planning_export, planning_schema
from workfront_async.testing import Emulator

CAMPAIGNS = "rt000002"


def connect(emu: Emulator) -> Planning:
    return Planning(
        "https://acme.my.workfront.com",
        auth=BearerAuth(emu.issue_token()),
        transport=emu.transport(),
        retry=Retry().without_backoff(),
    )


async def test_records_export_typed_from_the_record_type(tmp_path: Path) -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    path = tmp_path / "campaigns.parquet"
    async with connect(emu) as pl:
        record_type = await pl.record_types.get(CAMPAIGNS)
        expected = await pl.records.search(CAMPAIGNS).all()
        n = await planning_export(pl, CAMPAIGNS, page_size=40).write(path)
    assert n == len(expected) > 40
    schema = planning_schema(record_type)
    kinds = {c.name: c.type_name for c in schema.columns}
    # docs/api-notes.md §3 field types
    assert kinds["Budget"] == "float64"
    assert kinds["Start date"] == "timestamp"
    assert kinds["Channels"] == "list<string>"
    assert kinds["Approved"] == "bool"
    assert kinds["Status"] == "string"
    assert kinds["Tactic cost"] == "list<float64>"  # a lookup: one value per linked record

    table = pq.read_table(path)
    assert table.schema.field("Start date").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("Budget").type == pa.float64()
    by_id = {r["id"]: r for r in table.to_pylist()}
    for record in expected:
        row, data = by_id[record["id"]], record["data"]
        assert row["Name"] == data.get("name")
        assert row["Budget"] == data.get("budget")
        assert row["Channels"] == data.get("channels")
        assert row["Approved"] == data.get("approved")
        start = data.get("startDate")
        assert row["Start date"] == (
            datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(UTC) if start else None
        )

    df = pd.read_parquet(path)
    assert str(df["Start date"].dtype) == "datetime64[ms, UTC]"


async def test_records_to_csv_and_pandas() -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    async with connect(emu) as pl:
        frame = await planning_export(pl, CAMPAIGNS).to_pandas()
        count = await pl.records.search(CAMPAIGNS).count()
    assert len(frame) == count
    assert str(frame["Last modified"].dtype) == "datetime64[ms, UTC]"  # an "updated at" field
    assert isinstance(frame["Approved"].dtype, pd.BooleanDtype)
