"""Export schemas from metadata: Workfront's shape, the emulator's, caching,
stability when early pages lack a field, and Arrow-native exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from workfront_async import QueryError, ResponseError
from workfront_async.export import build_schema, schema_for
from workfront_async.testing import Emulator

from ._typed_helpers import RealShapeCustomFields, client


def _field(field_type: str, **extra: Any) -> dict[str, Any]:
    # the keys of a field in Workfront's recorded metadata (docs/api-notes.md §4 "Metadata")
    return {
        "label": "x",
        "typeObjCode": None,
        "targetTypeObjCode": None,
        "fieldType": field_type,
        "enumTargetObjCode": None,
        "enumType": extra.get("enumType"),
        "url": None,
    }


# Workfront's own shape: fixtures/metadata.json of Workfront/workfront-api
# (GET /role/metadata), plus a date, a boolean, a map, a string[] and custom fields.
ROLE = {
    "name": "Role",
    "objCode": "ROLE",
    "fields": {
        "ID": _field("string"),
        "billingPerHour": _field("double"),
        "defaultInterface": _field("int", enumType="com.attask.common.constants.UserInterfaceEnum"),
        "entryDate": _field("dateTime"),
        "maxUsers": _field("int"),
        "name": _field("string"),
        "startDay": _field("date"),
        "isActive": _field("boolean"),
        "extra": _field("map"),
        "tags": _field("string[]"),
        "DE:Cost Centre": _field("string"),
        "DE:Head Count": _field("double"),
        "DE:Review": _field("dateTime"),
    },
    "references": {
        "enteredBy": {"label": "Entered By", "typeObjCode": "USER", "fieldType": "User"},
    },
    "collections": {
        "userRoles": {"label": "userRoles", "typeObjCode": "USRROL", "fieldType": "UserRole"},
    },
}
USER = {"objCode": "USER", "fields": {"ID": _field("string"), "name": _field("string")}}
USRROL = {"objCode": "USRROL", "fields": {"ID": _field("string"), "userID": _field("string")}}
META = {"ROLE": ROLE, "USER": USER, "USRROL": USRROL}


def test_workfront_field_types_map_to_columns() -> None:
    fields = [
        "billingPerHour",
        "defaultInterface",
        "entryDate",
        "startDay",
        "isActive",
        "extra",
        "tags",
        "enteredBy:name",
        "userRoles:userID",
        "DE:Cost Centre",
        "DE:Head Count",
        "DE:Review",
        "DE:Not In Metadata",
    ]
    schema = build_schema("role", fields, META)
    assert {c.name: c.type_name for c in schema.columns} == {
        "ID": "string",
        "billingPerHour": "float64",
        "defaultInterface": "int64",
        "entryDate": "timestamp",
        "startDay": "date",
        "isActive": "bool",
        "extra": "json",
        "tags": "list<string>",
        "enteredBy.name": "string",
        "userRoles.userID": "list<string>",
        "DE:Cost Centre": "string",
        "DE:Head Count": "float64",
        "DE:Review": "timestamp",
        "DE:Not In Metadata": "string",
    }
    assert schema.column("DE:Not In Metadata").source == "default"
    assert schema.fields[0] == "ID"
    arrow = schema.arrow()
    assert arrow.field("entryDate").type == pa.timestamp("ms", tz="UTC")
    assert arrow.field("userRoles.userID").type == pa.list_(pa.string())


def test_bare_reference_becomes_id_and_name() -> None:
    schema = build_schema("ROLE", ["enteredBy", "userRoles"], META)
    assert schema.names == ["ID", "enteredBy.ID", "enteredBy.name", "userRoles.ID"]
    assert schema.column("userRoles.ID").is_list


def test_no_fields_means_every_plain_field() -> None:
    schema = build_schema("ROLE", [], META)
    assert schema.names == list(ROLE["fields"])  # type: ignore[call-overload]


def test_unknown_field_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match=r"ROLE has no field.*'nmae'.*metadata"):
        build_schema("ROLE", ["nmae"], META)
    with pytest.raises(QueryError, match="plain field"):
        build_schema("ROLE", ["name:ID"], META)


def test_types_override_and_reject_unknown_columns() -> None:
    schema = build_schema("ROLE", ["maxUsers"], META, types={"maxUsers": "string"})
    assert schema.column("maxUsers").kind == "string"
    with pytest.raises(QueryError, match="does not have"):
        build_schema("ROLE", ["maxUsers"], META, types={"maxUser": "string"})
    with pytest.raises(QueryError, match="unknown column type"):
        build_schema("ROLE", ["maxUsers"], META, types={"maxUsers": "decimal"})


def test_a_value_that_does_not_fit_names_the_row_and_column() -> None:
    schema = build_schema("ROLE", ["maxUsers"], META)
    with pytest.raises(ResponseError, match=r"'maxUsers' of R1: 'many' is not a int64"):
        schema.typed_row({"ID": "R1", "maxUsers": "many"})


async def test_metadata_is_fetched_once_per_client(emu: Emulator) -> None:
    transport = RealShapeCustomFields(emu.transport())
    async with client(emu, transport) as wf:
        await schema_for(wf, "TASK", ["name", "assignedTo:name", "project:name"])
        await schema_for(wf, "TASK", ["name", "project:DE:Region"])
        async with wf.export("TASK", fields=["name"], limit=1) as export:
            await export.to_arrow()
    assert sorted(transport.metadata_calls) == ["proj", "task", "user"]


async def test_schema_is_fixed_when_early_pages_lack_a_field(tmp_path: Path) -> None:
    emu = Emulator()
    admin = emu.rows("USER")[0]["ID"]
    project = emu.add("PROJ", {"name": "P"})["ID"]
    # IDs sort the unassigned tasks first: the first pages have no assignee at all
    for i in range(7):
        emu.add("TASK", {"name": f"t{i}", "projectID": project})
    tasks = sorted(t["ID"] for t in emu.rows("TASK"))
    async with client(emu) as wf:
        for task_id in tasks[4:]:
            await wf.update("TASK", task_id, {"assignedToID": admin})
        fields = ["name", "assignedTo:name", "percentComplete"]
        outputs = {}
        for fmt in ("csv", "jsonl", "parquet"):
            path = tmp_path / f"t.{fmt}"
            async with wf.export(
                "TASK", fields=fields, page_size=2, consistency="keyset", ordered=True
            ) as export:
                await export.write(path)
            outputs[fmt] = path
        async with wf.export(
            "TASK", fields=fields, page_size=2, consistency="keyset", ordered=True
        ) as export:
            batches = [b async for b in export.arrow_batches()]
    names = ["ID", "name", "assignedTo.name", "percentComplete"]
    assert outputs["csv"].read_text().splitlines()[0] == ",".join(names)
    assert all(b.schema.names == names for b in batches)
    assert batches[0].column("assignedTo.name").null_count == batches[0].num_rows
    assert batches[0].schema.field("percentComplete").type == pa.float64()
    import pyarrow.parquet as pq

    table = pq.read_table(outputs["parquet"])
    assert table.schema.names == names
    assert table.column("assignedTo.name").to_pylist() == [None] * 4 + ["Admin User"] * 3


async def test_to_pandas_and_polars_keep_types(emu: Emulator) -> None:
    import pandas as pd
    import polars as pl

    fields = ["name", "priority", "plannedStartDate", "owner:name", "DE:Region"]
    async with client(emu) as wf:
        async with wf.export("PROJ", fields=fields) as export:
            df = await export.to_pandas()
        async with wf.export("PROJ", fields=fields) as export:
            frame = await export.to_polars()
        async with wf.export("PROJ", fields=fields, page_size=3) as export:
            batches = [b async for b in export.arrow_batches()]
    assert str(df["plannedStartDate"].dtype) == "datetime64[ms, UTC]"
    assert isinstance(df["priority"].dtype, pd.Int64Dtype)
    assert frame.schema["plannedStartDate"] == pl.Datetime("ms", "UTC")
    assert frame.height == len(emu.rows("PROJ")) == sum(b.num_rows for b in batches)
    assert max(b.num_rows for b in batches) == 3
    stored = {p["ID"]: p["DE:Region"] for p in emu.rows("PROJ")}
    assert dict(zip(frame["ID"].to_list(), frame["DE:Region"].to_list(), strict=True)) == stored


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-07-02T03:49:38:711+0000", "2024-07-02T03:49:38.711Z"),
        ("2024-07-02T03:49:38:711-0600", "2024-07-02T09:49:38.711Z"),
        ("2024-07-02T03:49:38.711Z", "2024-07-02T03:49:38.711Z"),
        ("2024-07-02T03:49:38:7+0000", "2024-07-02T03:49:38.700Z"),
        (None, None),
    ],
)
def test_text_dates_are_iso_in_utc_whatever_the_offset(raw: str | None, iso: str | None) -> None:
    import io
    import json

    from workfront_async.export import open_writer

    schema = build_schema("ROLE", ["entryDate"], META)
    stream = io.BytesIO()
    with open_writer(stream, "jsonl", schema=schema) as w:  # type: ignore[arg-type]
        w.write([{"ID": "R1", "entryDate": raw}])
    assert json.loads(stream.getvalue()) == {"ID": "R1", "entryDate": iso}
    stream = io.BytesIO()
    with open_writer(stream, "jsonl", schema=schema, dates="workfront") as w:  # type: ignore[arg-type]
        w.write([{"ID": "R1", "entryDate": raw}])
    assert json.loads(stream.getvalue())["entryDate"] == raw


def test_a_bad_date_stops_the_text_writers_with_the_row() -> None:
    import io

    from workfront_async.export import open_writer

    schema = build_schema("ROLE", ["entryDate"], META)
    with (
        pytest.raises(ResponseError, match=r"'entryDate' of R9: 'soon' is not a timestamp"),
        open_writer(io.BytesIO(), "csv", schema=schema) as w,  # type: ignore[arg-type]
    ):
        w.write([{"ID": "R9", "entryDate": "soon"}])
