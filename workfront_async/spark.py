"""Workfront as a Spark data source (the ``spark`` extra: Spark 4's Python Data Source API).

Register the source once per session, then read with ``format("workfront")``::

    from workfront_async.spark import WorkfrontDataSource

    spark.dataSource.register(WorkfrontDataSource)
    tasks = (
        spark.read.format("workfront")
        .option("url", "https://acme.my.workfront.com")
        .option("object", "task")
        .option("fields", "name,status,plannedCompletionDate,assignedTo:name")
        .option("where", 'status == "INP"')
        .option("redis_url", "redis://redis.internal:6379/0")
        .load()
    )

The columns and their types come from the tenant's metadata (the typed
schema of every export, :func:`workfront_async.export.schema_for`), mapped to
Spark types by :func:`spark_schema`. Each action plans the export into
partitions by keyset ID ranges (:func:`workfront_async.export.plan_partitions`)
and reads each partition in a task, as Arrow record batches. A row present
for the whole read appears exactly once.

Options (all text, as Spark passes them):

``url``
    The tenant's URL (required).
``api_key``
    The API key; default: ``WORKFRONT_API_KEY`` in the environment of the
    driver and of every executor. An option travels to the executors with
    the reader; the environment keeps the key out of the query plan.
``object``
    The object code (``task``, ``project``, ``optask``, ...).
``fields``
    Comma-separated field paths (``name,assignedTo:name,DE:Region``); empty
    or absent: ``ID`` and every plain field.
``where``
    A filter in the query language, as the command line's ``--where`` takes it.
``types``
    Column type overrides as a JSON object (``{"DE:Score": "float64"}``).
``partitions``
    How many partitions (tasks); default one per 50,000 matching rows.
``splits``
    ID ranges each task reads side by side (default up to 10).
``redis_url``
    A Redis shared by the driver and the executors: every task then keeps
    to one cap per tenant (``RedisLimiter``); default
    ``WORKFRONT_REDIS_URL``. Without it each task keeps to ``max_concurrency``
    on its own, and several tasks at once can pass the tenant's cap.
``max_concurrency``
    The tenant's cap with ``redis_url``, each task's own without (default 10).
``page_size``
    Rows per request (default 2000; Planning 500).
``planning_record_type``
    Read this Planning record type's records instead of ``object``
    (``where`` then filters on field IDs).
``planning_token``
    The Adobe IMS token for Planning; default ``WORKFRONT_PLANNING_TOKEN``.
``planning_version``
    ``2`` (default) or ``1``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import orjson

from ._core.exceptions import QueryError
from .export._partitions import (
    Partition,
    check_where,
    plan_partitions_blocking,
    read_partition_blocking,
    schema_blocking,
)
from .export._schema import ExportSchema

try:
    from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        DataType,
        DateType,
        DoubleType,
        LongType,
        StringType,
        StructField,
        StructType,
        TimestampType,
    )
except ImportError:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "workfront_async.spark needs PySpark 4: pip install 'workfront-async[spark]'"
    ) from None

__all__ = ["WorkfrontDataSource", "spark_schema"]

OPTIONS = (
    "url",
    "api_key",
    "object",
    "fields",
    "where",
    "types",
    "partitions",
    "splits",
    "redis_url",
    "max_concurrency",
    "page_size",
    "planning_record_type",
    "planning_token",
    "planning_version",
)


def _spark_type(kind: str) -> DataType:
    types: dict[str, DataType] = {
        "timestamp": TimestampType(),
        "date": DateType(),
        "float64": DoubleType(),
        "int64": LongType(),
        "bool": BooleanType(),
        "string": StringType(),
        "json": StringType(),
    }
    return types[kind]


def spark_schema(schema: ExportSchema) -> StructType:
    """The Spark schema of an export schema: timestamps (UTC instants) as
    ``TimestampType``, dates ``DateType``, floats ``DoubleType``, ints
    ``LongType``, bools ``BooleanType``, strings and JSON text ``StringType``,
    lists ``ArrayType``; each field's metadata keeps the Workfront type."""
    fields = []
    for c in schema.columns:
        typ = _spark_type(c.kind)
        if c.is_list:
            typ = ArrayType(typ, containsNull=True)
        meta = {"workfront.type": c.type_name}
        if c.field_type:
            meta["workfront.fieldType"] = c.field_type
        fields.append(StructField(c.name, typ, nullable=True, metadata=meta))
    return StructType(fields)


def _int(options: Mapping[str, str], name: str) -> int | None:
    text = options.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise QueryError(f"option {name!r} must be a whole number, not {text!r}") from None


@attrs.frozen
class _Options:
    """The reader's options, parsed once; credentials kept out of the repr."""

    url: str
    obj: str | None
    fields: tuple[str, ...]
    where: str | None
    types: dict[str, str] | None
    partitions: int | None
    splits: int | None
    redis_url: str | None = attrs.field(repr=False)
    max_concurrency: int
    page_size: int | None
    planning_record_type: str | None
    planning_version: str
    api_key: str | None = attrs.field(repr=False)
    planning_token: str | None = attrs.field(repr=False)

    @classmethod
    def parse(cls, options: Mapping[str, str]) -> _Options:
        given = {k.lower(): v for k, v in options.items() if k.lower() != "path"}
        unknown = sorted(set(given) - set(OPTIONS))
        if unknown:
            raise QueryError(
                f"unknown option(s) {', '.join(map(repr, unknown))} for format('workfront'); "
                f"the options are {', '.join(OPTIONS)}"
            )
        url = given.get("url")
        if not url:
            raise QueryError("format('workfront') needs option('url', 'https://<tenant>...')")
        obj = given.get("object") or None
        record_type = given.get("planning_record_type") or None
        if (obj is None) == (record_type is None):
            raise QueryError(
                "give one of option('object', ...) or option('planning_record_type', ...)"
            )
        types = None
        if given.get("types"):
            try:
                types = orjson.loads(given["types"])
            except orjson.JSONDecodeError:
                types = None
            if not isinstance(types, dict) or not all(isinstance(v, str) for v in types.values()):
                raise QueryError(
                    "option 'types' is a JSON object of column types, e.g. "
                    '{"DE:Score": "float64"}'
                )
        fields = tuple(f.strip() for f in given.get("fields", "").split(",") if f.strip())
        return cls(
            url=url,
            obj=obj,
            fields=fields,
            where=given.get("where") or None,
            types=types,
            partitions=_int(given, "partitions"),
            splits=_int(given, "splits"),
            redis_url=given.get("redis_url") or None,
            max_concurrency=_int(given, "max_concurrency") or 10,
            page_size=_int(given, "page_size"),
            planning_record_type=record_type,
            planning_version=given.get("planning_version") or "2",
            api_key=given.get("api_key") or None,
            planning_token=given.get("planning_token") or None,
        )

    def plan(self, schema: ExportSchema) -> list[Partition]:
        return plan_partitions_blocking(
            self.url,
            self.obj,
            api_key=self.api_key,
            where=self.where,
            fields=self.fields,
            partitions=self.partitions,
            splits=self.splits,
            types=self.types,
            schema=schema,
            page_size=self.page_size,
            planning_record_type=self.planning_record_type,
            planning_token=self.planning_token,
            planning_version=self.planning_version,  # type: ignore[arg-type]
            redis_url=self.redis_url,
            max_concurrency=self.max_concurrency,
        )

    def export_schema(self) -> ExportSchema:
        if self.where:
            check_where(self.where)  # a bad filter fails here, before Spark plans
        return schema_blocking(
            self.url,
            self.obj,
            api_key=self.api_key,
            fields=self.fields,
            types=self.types,
            planning_record_type=self.planning_record_type,
            planning_token=self.planning_token,
            planning_version=self.planning_version,  # type: ignore[arg-type]
            redis_url=self.redis_url,
            max_concurrency=self.max_concurrency,
        )


def _project(schema: ExportSchema, wanted: StructType) -> ExportSchema:
    """The export schema narrowed to a user-given Spark schema's columns."""
    names = [f.name for f in wanted.fields]
    if names == schema.names:
        return schema
    probe = Partition(url="", obj=schema.obj, schema=schema)
    return probe.project(names).schema


class WorkfrontDataSource(DataSource):
    """``spark.read.format("workfront")``: Workfront objects or Planning records
    as a DataFrame (the options are listed in the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "workfront"

    def schema(self) -> StructType | str:
        export_schema = _Options.parse(self.options).export_schema()
        # kept on the instance, which Spark pickles after this call: the
        # reader needs no second metadata request
        self._export_schema = export_schema
        return spark_schema(export_schema)

    def reader(self, schema: StructType) -> DataSourceReader:
        options = _Options.parse(self.options)
        export_schema: ExportSchema | None = getattr(self, "_export_schema", None)
        if export_schema is None:  # a schema given with .schema(...): no schema() call
            export_schema = options.export_schema()
        return _Reader(options, _project(export_schema, schema), schema)


class _Reader(DataSourceReader):
    def __init__(self, options: _Options, schema: ExportSchema, spark: StructType) -> None:
        self.options = options
        self.export_schema = schema
        self.spark = spark

    def partitions(self) -> Sequence[InputPartition]:
        planned = self.options.plan(self.export_schema)
        if self.options.planning_record_type is not None:
            planned = [p.project(self.export_schema.names) for p in planned]
        return [InputPartition(p) for p in planned]

    def read(self, partition: InputPartition) -> Iterator[Any]:
        part: Partition = partition.value
        target = _arrow_target(self.spark)
        options = self.options
        for batch in read_partition_blocking(
            part,
            api_key=options.api_key,
            planning_token=options.planning_token,
            redis_url=options.redis_url,
            max_concurrency=options.max_concurrency,
        ):
            # Spark wants its own Arrow layout: microsecond timestamps,
            # list items named "element"
            yield batch.cast(target)


def _arrow_target(schema: StructType) -> Any:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema, timezone="UTC")
