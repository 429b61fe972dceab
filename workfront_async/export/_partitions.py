"""Partitioned exports: an export planned into disjoint, picklable partitions,
and one partition read into typed Arrow record batches.

This is what engines that run the work on many workers need (Spark's Python
data sources, Dask's ``from_map``): the work cut up front into small specs that
travel to the workers, each read on its own.

**Planning.** A classic export (an object, a ``where``, ``fields``) is cut by
keyset ID ranges. One ``count`` and one-row samples of the ID-sorted result
(``fields=ID``, ``$$FIRST=k``, ``$$LIMIT=1``) at ``k = j x count / R`` for
``R = partitions x splits`` give the boundaries: the partitions hold about the
same number of rows, and each partition's range is cut again at its ``splits``
inner boundaries, read side by side by the worker (a partition alone can use
the tenant's whole cap). Planning costs ``R`` small requests, sent together
under the client's limiter, whatever the size of the export.

**Exactness.** The boundaries ``b_1 < ... < b_{n-1}`` are fixed strings once
planned; the ranges ``[None, b_1), [b_1, b_2), ..., [b_{n-1}, None)`` are open at
both ends, so every ID of any shape falls in exactly one of them, whatever
was created or deleted after planning (a boundary needs no row behind it).
A range is read by keyset: pages sorted by ``ID`` with a filter ``ID > last``
(and ``< hi``), so consecutive pages cover consecutive, disjoint ID intervals.
A row present for the whole read is present when the page covering its ID is
fetched, so it appears there and nowhere else: **every row that exists (and
matches) for the whole read appears exactly once across the partitions**,
in any order, whatever the number of workers. Rows created or deleted during
the read may or may not appear. Offsets are used for the samples only, and a
sample that moved under writes only moves a boundary.

**Planning records.** The v2 record search filters on fields, not on the
record ID (``id`` is no field of a record type; static/v2.json
``FilterConditionDto``), and a record type holds at most 25,000 records
(docs/api-notes.md §5 "Limits"): a record type is planned as one partition,
read with the record search (see :mod:`._planning`).

**Credentials** never travel inside a partition: a worker reads its key from
``api_key=`` or the ``WORKFRONT_API_KEY`` environment variable (Planning:
``planning_token=`` or ``WORKFRONT_PLANNING_TOKEN``).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import anyio
import attrs
from anyio.abc import ObjectSendStream

from .._core.concurrency import iterate_blocking, task_group
from .._core.exceptions import PaginationError, QueryError
from ..query import Expr, Q, parse_query
from ._export import MAX_PAGE, SearchFetcher
from ._planning import PlanningV1Source, PlanningV2Source, planning_schema
from ._schema import ExportSchema

if TYPE_CHECKING:
    from ..classic._client import Workfront

__all__ = [
    "API_KEY_ENV",
    "PLANNING_TOKEN_ENV",
    "Partition",
    "plan_partitions",
    "plan_partitions_blocking",
    "plan_planning_partitions",
    "read_partition",
    "read_partition_blocking",
    "schema_blocking",
]

API_KEY_ENV = "WORKFRONT_API_KEY"
PLANNING_TOKEN_ENV = "WORKFRONT_PLANNING_TOKEN"

Row = dict[str, Any]
Bound = str | None
PlanningVersion = Literal["1", "2"]

# Default cut: about this many rows per partition, at most this many partitions,
# and inner splits for at most this many sample requests in all.
ROWS_PER_PARTITION = 50_000
MAX_PARTITIONS = 256
MAX_SAMPLES = 512
DEFAULT_SPLITS = 10


def _where_text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def check_where(where: str | Expr | None) -> Expr | None:
    """The ``where`` of a partition as an expression: query text (the CLI's
    ``--where`` language) is parsed, an expression kept."""
    if where is None or isinstance(where, Expr):
        return where
    if isinstance(where, str):
        return parse_query(where) if where.strip() else None
    raise QueryError(f"where must be query text or a Q expression, not {type(where).__name__}")


@attrs.frozen(repr=False)
class Partition:
    """One partition of a planned export: where to read, what, and which ID range.

    ``url`` is the tenant's API URL and ``obj`` the object code (for Planning,
    ``planning`` is the API version and ``obj`` the record type ID). ``schema``
    is the export's typed schema, the same for every partition of a plan.
    ``lo`` and ``hi`` bound the IDs read (``lo <= ID < hi``; ``None`` is open)
    and ``splits`` are inner boundaries whose ranges are read side by side.
    Partitions hold no credentials: they pickle and travel to workers as they are.
    """

    url: str
    obj: str
    schema: ExportSchema
    where: str | Expr | None = None
    lo: Bound = None
    hi: Bound = None
    splits: tuple[str, ...] = ()
    index: int = 0
    page_size: int = MAX_PAGE
    api_version: str | None = None
    planning: PlanningVersion | None = None

    @property
    def ranges(self) -> list[tuple[Bound, Bound]]:
        """The ID ranges ``[lo, hi)`` read side by side, in order, covering ``[lo, hi)``."""
        edges: list[Bound] = [self.lo, *self.splits, self.hi]
        return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]

    @property
    def columns(self) -> list[str]:
        return self.schema.names

    def project(self, columns: Iterable[str]) -> Partition:
        """This partition reading only ``columns`` (in that order): a classic
        export then asks for those fields only."""
        wanted = list(dict.fromkeys(columns))
        by_name = {c.name: c for c in self.schema.columns}
        unknown = [c for c in wanted if c not in by_name]
        if unknown:
            raise QueryError(
                f"{', '.join(map(repr, unknown))} not among the columns: {', '.join(by_name)}"
            )
        chosen = tuple(by_name[c] for c in wanted)
        if self.planning is not None:
            fields = self.schema.fields
        else:
            # ID always: the keyset pages by it
            fields = tuple(dict.fromkeys(["ID", *(":".join(c.path) for c in chosen)]))
        return attrs.evolve(self, schema=ExportSchema(self.schema.obj, chosen, fields))

    def __repr__(self) -> str:
        what = f"planning v{self.planning} record type" if self.planning else "object"
        where = f", where={_where_text(self.where)!r}" if self.where is not None else ""
        return (
            f"Partition({self.index}: {what} {self.obj!r} at {self.url!r}, "
            f"ID in [{self.lo!r}, {self.hi!r}) in {len(self.splits) + 1} ranges{where}, "
            f"{len(self.schema.columns)} columns)"
        )


# -- planning --------------------------------------------------------------------------


def _default_partitions(count: int) -> int:
    return max(1, min(MAX_PARTITIONS, math.ceil(count / ROWS_PER_PARTITION)))


def _sample_offsets(count: int, cuts: int) -> list[int]:
    """Offsets of the ``cuts - 1`` inner boundaries of ``count`` rows cut in ``cuts``."""
    return sorted({count * j // cuts for j in range(1, cuts)} - {0})


def assign_boundaries(
    outer: Iterable[str], inner: Iterable[str]
) -> list[tuple[Bound, Bound, tuple[str, ...]]]:
    """``(lo, hi, splits)`` of each partition from its outer boundaries and
    the inner ones (any order, duplicates allowed): each inner boundary goes
    to the partition whose open range holds it."""
    edges = sorted(set(outer))
    bounds: list[Bound] = [None, *edges, None]
    parts = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    out = []
    points = sorted(set(inner) - set(edges))
    for lo, hi in parts:
        mine = tuple(p for p in points if (lo is None or p > lo) and (hi is None or p < hi))
        out.append((lo, hi, mine))
    return out


async def plan_partitions(
    wf: Workfront,
    obj: str,
    where: str | Expr | None = None,
    *,
    fields: str | Iterable[str] = (),
    partitions: int | None = None,
    splits: int | None = None,
    types: Mapping[str, str] | None = None,
    schema: ExportSchema | None = None,
    page_size: int = MAX_PAGE,
) -> list[Partition]:
    """Plan an export of ``obj`` rows matching ``where`` into ``partitions``
    disjoint partitions by keyset ID ranges (see the module docstring).

    ``where`` is a ``Q`` expression or query text (``'status == "INP"'``);
    ``fields`` and ``types`` as for :func:`schema_for` (``schema`` instead
    skips the metadata requests). ``partitions`` defaults to one per 50,000
    matching rows; ``splits`` (default: up to 10) is how many ranges each
    partition reads side by side.
    """
    from ._metadata import schema_for

    expr = check_where(where)
    if partitions is not None and (isinstance(partitions, bool) or partitions < 1):
        raise QueryError(f"partitions must be a positive int, not {partitions!r}")
    if splits is not None and (isinstance(splits, bool) or splits < 1):
        raise QueryError(f"splits must be a positive int, not {splits!r}")
    if not 1 <= page_size <= MAX_PAGE:
        raise QueryError(f"page_size must be 1..{MAX_PAGE}, not {page_size}")
    sampler = SearchFetcher(wf, obj, ["ID"])
    clauses: tuple[Any, ...] = () if expr is None else (expr,)
    known: list[ExportSchema] = [] if schema is None else [schema]
    counted: list[int] = []

    async def metadata() -> None:
        known.append(await schema_for(wf, obj, fields, types=types))

    async def count_rows() -> None:
        counted.append(await sampler.count(clauses))

    # the metadata and the count go out together: one round trip, not two
    async with task_group() as tg:
        if not known:
            tg.start_soon(metadata)
        tg.start_soon(count_rows)
    [schema], [count] = known, counted
    n = partitions if partitions is not None else _default_partitions(count)
    per = splits if splits is not None else max(1, min(DEFAULT_SPLITS, MAX_SAMPLES // n))
    cuts = n * per
    offsets = _sample_offsets(count, cuts)
    outer_offsets = set(_sample_offsets(count, n))
    found: dict[int, str] = {}

    async def sample(offset: int) -> None:
        rows = await sampler.page(clauses, first=offset, limit=1, sort=[("ID", "asc")])
        if rows and isinstance(rows[0].get("ID"), str):
            found[offset] = rows[0]["ID"]

    async with task_group() as tg:
        for offset in offsets:
            tg.start_soon(sample, offset)
    # An offset whose row went away meanwhile gives no boundary: its neighbours merge.
    outer = [found[o] for o in offsets if o in found and o in outer_offsets]
    inner = [found[o] for o in offsets if o in found and o not in outer_offsets]
    common = {
        "url": wf.api_url,
        "obj": obj,
        "schema": schema,
        "where": where,
        "page_size": page_size,
        "api_version": wf.api_version,
    }
    return [
        Partition(lo=lo, hi=hi, splits=mine, index=i, **common)  # type: ignore[arg-type]
        for i, (lo, hi, mine) in enumerate(assign_boundaries(outer, inner))
    ]


async def plan_planning_partitions(
    planning: Any,
    record_type_id: str,
    where: str | Expr | None = None,
    *,
    types: Mapping[str, str] | None = None,
    page_size: int = 500,
) -> list[Partition]:
    """Plan the export of a Planning record type's records (``where``: a ``Q``
    expression on field IDs): one partition, since the record search cannot
    filter on the record ID (see the module docstring). ``planning`` is a v1
    ``Planning`` or a ``PlanningV2`` client."""
    from ..planning import PlanningV2

    version: PlanningVersion = "2" if isinstance(planning, PlanningV2) else "1"
    source = PlanningV2Source(planning) if version == "2" else PlanningV1Source(planning)
    schema = planning_schema(await source.record_type(record_type_id), types=types)
    expr = check_where(where)
    return [
        Partition(
            url=planning.api_url,
            obj=record_type_id,
            schema=schema,
            where=expr,
            page_size=page_size,
            planning=version,
        )
    ]


# -- reading ---------------------------------------------------------------------------


def _range_filter(low: Bound, hi: Bound, *, inclusive: bool) -> Any:
    """``low <= ID < hi`` (``low < ID`` when not ``inclusive``) as one condition
    on ``ID``: Workfront takes one filter per field and OR level, so two-sided
    ranges use ``between`` (inclusive at both ends; the caller drops the ends)."""
    if low is None and hi is None:
        return None
    if low is None:
        return Q.ID < hi
    if hi is None:
        return Q.ID >= low if inclusive else Q.ID > low
    return Q.ID.between(low, hi)


async def _range_pages(
    fetcher: SearchFetcher,
    clauses: tuple[Any, ...],
    lo: Bound,
    hi: Bound,
    page_size: int,
) -> AsyncGenerator[list[Row], None]:
    """The rows of ``clauses`` with ``lo <= ID < hi``, page by page, by keyset."""
    after: str | None = None
    sort = [("ID", "asc")]
    while True:
        cond = _range_filter(after if after is not None else lo, hi, inclusive=after is None)
        ands = clauses if cond is None else (*clauses, cond)
        # between(after, hi) returns the `after` row again: ask for one more so
        # that each page still brings page_size new rows
        ask = min(page_size + 1, MAX_PAGE) if after is not None and hi is not None else page_size
        raw = await fetcher.page(ands, first=0, limit=ask, sort=sort)
        page = [r for r in raw if r.get("ID") != after and (hi is None or r.get("ID") != hi)]
        if page:
            yield page
        if len(raw) < ask:
            return
        last = raw[-1].get("ID")
        if not isinstance(last, str) or (after is not None and last <= after):
            raise PaginationError(f"keyset page after ID {after!r} made no progress; stopping")
        after = last


async def _classic_pages(
    partition: Partition, wf: Workfront, concurrency: int
) -> AsyncGenerator[list[Row], None]:
    fetcher = SearchFetcher(wf, partition.obj, partition.schema.fields)
    expr = check_where(partition.where)
    clauses: tuple[Any, ...] = () if expr is None else (expr,)
    ranges = partition.ranges
    gate = anyio.CapacityLimiter(max(1, concurrency))

    async def run(lo: Bound, hi: Bound, out: ObjectSendStream[list[Row]]) -> None:
        # the stream closes however the task ends, even cancelled before its turn
        async with out, gate:
            pages = _range_pages(fetcher, clauses, lo, hi, partition.page_size)
            async with contextlib.aclosing(pages):
                async for page in pages:
                    await out.send(page)

    send, receive = anyio.create_memory_object_stream[list[Row]](max(1, concurrency))
    clones = [send.clone() for _ in ranges]
    try:
        async with task_group() as tg:
            async with send:
                for (lo, hi), clone in zip(ranges, clones, strict=True):
                    tg.start_soon(run, lo, hi, clone)
            async with receive:
                async for page in receive:
                    yield page
    finally:
        for clone in clones:
            clone.close()
        receive.close()


class _Filtered:
    """A Planning record source whose record search carries a ``where``."""

    def __init__(self, source: PlanningV1Source | PlanningV2Source, where: Expr | None) -> None:
        self.source = source
        self.where = where

    async def record_type(self, record_type_id: str) -> Mapping[str, Any]:
        return await self.source.record_type(record_type_id)

    def record_pages(self, record_type_id: str, *, page_size: int) -> AsyncIterator[Any]:
        search = self.source.planning.records.search(
            record_type_id, self.where, page_size=page_size
        )
        pages: AsyncIterator[Any] = search.pages()
        return pages


async def read_partition(
    partition: Partition, client: Any, *, concurrency: int | None = None
) -> AsyncGenerator[Any, None]:
    """Read one partition: ``pyarrow.RecordBatch`` es typed by ``partition.schema``
    (the ``arrow`` extra), in no particular order. ``client`` is a ``Workfront``
    client of the partition's tenant (a ``Planning`` or ``PlanningV2`` client
    for a Planning partition). ``concurrency`` bounds the ranges read at once
    (default: the client's limiter capacity)."""
    from ._arrow import arrow_schema, require_pyarrow, rows_to_batch
    from ._planning import PlanningExport

    require_pyarrow()
    schema = partition.schema
    target = arrow_schema(schema)
    if partition.planning is not None:
        base = PlanningV2Source(client) if partition.planning == "2" else PlanningV1Source(client)
        source = _Filtered(base, check_where(partition.where))
        export = PlanningExport(source, partition.obj, page_size=partition.page_size)
        batches = export.arrow_batches(schema=schema)
        async with contextlib.aclosing(batches):
            async for batch in batches:
                yield batch
        return
    if concurrency is None:
        tokens = client.limiter.total_tokens
        concurrency = 10 if tokens == float("inf") else max(1, int(tokens))
    pages = _classic_pages(partition, client, concurrency)
    async with contextlib.aclosing(pages):
        async for page in pages:
            yield rows_to_batch(schema, page, target)


# -- blocking: for engines' drivers and workers ------------------------------------------


def _credential(given: str | None, env: str, what: str, how: str) -> str:
    value = given if given else os.environ.get(env)
    if not value:
        raise QueryError(
            f"no {what}: pass {how} or set {env} in the environment of every process "
            "that plans or reads (the driver and each worker)"
        )
    return value


@contextlib.asynccontextmanager
async def _connect(
    url: str,
    *,
    planning: PlanningVersion | None,
    api_key: str | None,
    planning_token: str | None,
    api_version: str | None,
    redis_url: str | None,
    max_concurrency: int,
) -> AsyncIterator[Any]:
    """A client of the tenant at ``url``, sharing the tenant's cap through the
    Redis at ``redis_url`` (or ``$WORKFRONT_REDIS_URL``) when there is one."""
    from .._core.redis_limiter import RedisLimiter, limiter_from_env

    limiter: RedisLimiter | None = None
    if redis_url or os.environ.get("WORKFRONT_REDIS_URL"):
        limiter = limiter_from_env(redis_url, base_url=url, capacity=max_concurrency)
    try:
        if planning is not None:
            from .._core.auth import BearerAuth
            from ..planning import Planning, PlanningV2

            token = _credential(
                planning_token, PLANNING_TOKEN_ENV, "Planning token", "planning_token="
            )
            cls = PlanningV2 if planning == "2" else Planning
            async with cls(
                url, auth=BearerAuth(token), limiter=limiter, max_concurrency=max_concurrency
            ) as client:
                yield client
        else:
            from ..classic._client import DEFAULT_API_VERSION, Workfront

            key = _credential(api_key, API_KEY_ENV, "API key", "api_key=")
            async with Workfront(
                url,
                api_key=key,
                api_version=api_version or DEFAULT_API_VERSION,
                limiter=limiter,
                max_concurrency=max_concurrency,
            ) as client:
                yield client
    finally:
        if limiter is not None:
            await limiter.aclose()


def schema_blocking(
    url: str,
    obj: str | None = None,
    *,
    api_key: str | None = None,
    fields: str | Iterable[str] = (),
    types: Mapping[str, str] | None = None,
    planning_record_type: str | None = None,
    planning_token: str | None = None,
    planning_version: PlanningVersion = "2",
    redis_url: str | None = None,
    max_concurrency: int = 10,
) -> ExportSchema:
    """The typed schema of an export of ``obj`` (or of a Planning record
    type's records) from blocking code: what an engine needs before it plans.
    Arguments as for :func:`plan_partitions_blocking`."""
    from ._metadata import schema_for

    if (obj is None) == (planning_record_type is None):
        raise QueryError("give one of obj= (a Workfront object) or planning_record_type=")
    planning = _planning_version(planning_version) if planning_record_type else None

    async def fetch() -> AsyncIterator[ExportSchema]:
        async with _connect(
            url,
            planning=planning,
            api_key=api_key,
            planning_token=planning_token,
            api_version=None,
            redis_url=redis_url,
            max_concurrency=max_concurrency,
        ) as client:
            if planning_record_type is not None:
                source = PlanningV2Source(client) if planning == "2" else PlanningV1Source(client)
                record_type = await source.record_type(planning_record_type)
                yield planning_schema(record_type, types=types)
            else:
                assert obj is not None
                yield await schema_for(client, obj, fields, types=types)

    [schema] = list(iterate_blocking(fetch))
    out: ExportSchema = schema
    return out


def _planning_version(value: str) -> PlanningVersion:
    if value not in ("1", "2"):
        raise QueryError(f"planning_version must be '1' or '2', not {value!r}")
    return "1" if value == "1" else "2"


def plan_partitions_blocking(
    url: str,
    obj: str | None = None,
    *,
    api_key: str | None = None,
    where: str | Expr | None = None,
    fields: str | Iterable[str] = (),
    partitions: int | None = None,
    splits: int | None = None,
    types: Mapping[str, str] | None = None,
    schema: ExportSchema | None = None,
    page_size: int | None = None,
    planning_record_type: str | None = None,
    planning_token: str | None = None,
    planning_version: PlanningVersion = "2",
    redis_url: str | None = None,
    max_concurrency: int = 10,
) -> list[Partition]:
    """:func:`plan_partitions` (or, with ``planning_record_type``,
    :func:`plan_planning_partitions`) from a blocking caller such as an
    engine's driver: connects to ``url`` with ``api_key`` (default
    ``$WORKFRONT_API_KEY``; Planning: ``planning_token``, default
    ``$WORKFRONT_PLANNING_TOKEN``), under the tenant's shared cap when
    ``redis_url`` (or ``$WORKFRONT_REDIS_URL``) names a Redis."""
    if (obj is None) == (planning_record_type is None):
        raise QueryError("give one of obj= (a Workfront object) or planning_record_type=")
    planning = _planning_version(planning_version) if planning_record_type else None

    async def plan() -> AsyncIterator[list[Partition]]:
        async with _connect(
            url,
            planning=planning,
            api_key=api_key,
            planning_token=planning_token,
            api_version=None,
            redis_url=redis_url,
            max_concurrency=max_concurrency,
        ) as client:
            if planning_record_type is not None:
                yield await plan_planning_partitions(
                    client,
                    planning_record_type,
                    where,
                    types=types,
                    page_size=page_size or 500,
                )
            else:
                assert obj is not None
                yield await plan_partitions(
                    client,
                    obj,
                    where,
                    fields=fields,
                    partitions=partitions,
                    splits=splits,
                    types=types,
                    schema=schema,
                    page_size=page_size or MAX_PAGE,
                )

    [planned] = list(iterate_blocking(plan))
    out: list[Partition] = planned
    return out


def read_partition_blocking(
    partition: Partition,
    *,
    api_key: str | None = None,
    planning_token: str | None = None,
    redis_url: str | None = None,
    max_concurrency: int = 10,
) -> Iterator[Any]:
    """:func:`read_partition` from a blocking caller such as an engine's
    worker: the partition's record batches, read through a client of its own
    on an event loop thread of its own. Credentials as for
    :func:`plan_partitions_blocking`; with ``redis_url`` (or
    ``$WORKFRONT_REDIS_URL``) every worker shares the tenant's cap of
    ``max_concurrency`` requests, otherwise each reader keeps to
    ``max_concurrency`` on its own."""

    async def read() -> AsyncIterator[Any]:
        async with _connect(
            partition.url,
            planning=partition.planning,
            api_key=api_key,
            planning_token=planning_token,
            api_version=partition.api_version,
            redis_url=redis_url,
            max_concurrency=max_concurrency,
        ) as client:
            batches = read_partition(partition, client)
            async with contextlib.aclosing(batches):
                async for batch in batches:
                    yield batch

    return iterate_blocking(read)
