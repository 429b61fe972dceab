"""``spark.read.format("workfront")`` in a local Spark session against the served
emulator: the same rows, IDs and typed values as one export in this process;
Spark types from the tenant's metadata; the key from the executors'
environment or an option; Planning record types; a narrower user schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pyarrow as pa
import pytest

from workfront_async import BearerAuth, PlanningV2, Workfront
from workfront_async.export import planning_export
from workfront_async.query import parse_query
from workfront_async.testing import Emulator, Served

from .conftest import spark_session

pytestmark = [
    pytest.mark.engines,
    # PySpark 4 warns about pandas 3 when it loads its pandas helpers; these
    # tests use Arrow, not pandas
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

FIELDS = ",".join(
    [
        "name",
        "status",
        "plannedCompletionDate",
        "percentComplete",
        "assignedTo:name",
        "assignments:assignedToID",
    ]
)
WHERE = 'status != "CPL"'


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02, latency=0.005)  # 400 tasks


@pytest.fixture(scope="module")
def spark(emu: Emulator, engine_env: None) -> Iterator[Any]:
    # the credentials reach the executors (and the planning workers) through
    # their environment, as the docs recommend: no key in the query plan
    session = spark_session(
        2,
        **{
            "spark.executorEnv.WORKFRONT_API_KEY": emu.api_key(),
            "spark.executorEnv.WORKFRONT_PLANNING_TOKEN": emu.issue_token(),
        },
    )
    from workfront_async.spark import WorkfrontDataSource

    session.dataSource.register(WorkfrontDataSource)
    try:
        yield session
    finally:
        session.stop()


def _reference(emu: Emulator, fields: list[str], where: str | None) -> pa.Table:
    async def run() -> pa.Table:
        async with (
            Workfront(
                "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
            ) as wf,
            wf.export("task", parse_query(where) if where else None, fields=fields) as rows,
        ):
            return await rows.to_arrow()

    return anyio.run(run)


def _tasks(spark: Any, served: Served, **options: Any) -> Any:
    reader = spark.read.format("workfront").option("url", served.base_url)
    reader = reader.option("object", "task")
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.load()


def test_spark_reads_what_one_export_reads(spark: Any, served: Served, emu: Emulator) -> None:
    from pyspark.sql.types import ArrayType, DoubleType, StringType, TimestampType

    df = _tasks(spark, served, fields=FIELDS, where=WHERE, partitions=3)
    reference = _reference(emu, FIELDS.split(","), WHERE)
    types = {f.name: f.dataType for f in df.schema.fields}
    assert list(types) == reference.column_names
    assert types["plannedCompletionDate"] == TimestampType()
    assert types["percentComplete"] == DoubleType()
    assert types["assignedTo.name"] == StringType()
    assert types["assignments.assignedToID"] == ArrayType(StringType(), True)
    assert df.schema["plannedCompletionDate"].metadata["workfront.fieldType"] == "dateTime"

    got = df.toArrow()
    assert got.num_rows == reference.num_rows > 0
    ids = got.column("ID").to_pylist()
    assert len(set(ids)) == len(ids)
    assert set(ids) == set(reference.column("ID").to_pylist())
    # the same typed values (Spark's Arrow form: microseconds, list items "element")
    key = [("ID", "ascending")]
    assert got.sort_by(key).equals(reference.cast(got.schema).sort_by(key))


def test_an_action_run_twice_reads_the_same_rows(spark: Any, served: Served) -> None:
    df = _tasks(spark, served, fields="name,status", partitions=4)
    first = sorted(map(tuple, df.collect()))
    second = sorted(map(tuple, df.collect()))
    assert first == second
    assert len(first) == 400


def test_an_api_key_option_is_used_before_the_environment(
    spark: Any, served: Served, emu: Emulator
) -> None:
    df = _tasks(spark, served, fields="name", api_key=emu.api_key(), partitions=2)
    assert df.count() == 400
    with pytest.raises(Exception, match=r"(?i)authenticat|401|api key"):
        _tasks(spark, served, fields="name", api_key="not-the-key").count()


def test_a_narrower_user_schema_reads_those_columns(spark: Any, served: Served) -> None:
    df = (
        spark.read.format("workfront")
        .schema("ID string, `assignedTo.name` string")
        .option("url", served.base_url)
        .option("object", "task")
        .option("fields", FIELDS)
        .load()
    )
    rows = df.collect()
    assert len(rows) == 400
    assert df.columns == ["ID", "assignedTo.name"]


def test_planning_records_read_as_their_export(spark: Any, served: Served, emu: Emulator) -> None:
    df = (
        spark.read.format("workfront")
        .option("url", served.base_url)
        .option("planning_record_type", "rt000002")
        .load()
    )

    async def export() -> pa.Table:
        auth = BearerAuth(emu.issue_token())
        async with PlanningV2(
            "https://acme.my.workfront.com", auth=auth, transport=emu.transport()
        ) as pl:
            return await planning_export(pl, "rt000002").to_arrow()

    reference = anyio.run(export)
    got = df.toArrow()
    key = [("id", "ascending")]
    assert got.num_rows == reference.num_rows > 0
    assert got.sort_by(key).equals(reference.cast(got.schema).sort_by(key))


def test_unknown_options_are_named(spark: Any, served: Served) -> None:
    with pytest.raises(Exception, match=r"unknown option.*'obj'"):
        spark.read.format("workfront").option("url", served.base_url).option("obj", "task").load()
