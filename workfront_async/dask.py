"""Workfront as a Dask DataFrame (the ``dask`` extra).

:func:`read_workfront` plans the export into partitions by keyset ID ranges
(:func:`workfront_async.export.plan_partitions`) and builds a DataFrame with
one Dask partition per planned partition (``dd.from_map``); each is read
where the scheduler runs it, as a pandas frame typed by the export schema::

    from workfront_async.dask import read_workfront

    tasks = read_workfront(
        "https://acme.my.workfront.com",
        obj="task",
        fields=["name", "status", "assignedTo:name"],
        where='status == "INP"',
        redis_url="redis://redis.internal:6379/0",  # one cap for every worker
    )
    tasks.to_parquet("tasks/")

A row present for the whole read appears exactly once. Selecting columns
(``tasks[["ID", "name"]]``) asks Workfront for those fields only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .export._partitions import (
    Partition,
    PlanningVersion,
    plan_partitions_blocking,
    read_partition_blocking,
)
from .query import Expr

try:
    import dask.dataframe as dd
except ImportError:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "workfront_async.dask needs dask: pip install 'workfront-async[dask]'"
    ) from None

__all__ = ["read_workfront"]


@attrs.frozen
class _Hidden:
    """A credential in the task graph, kept out of its repr (the dashboard shows it)."""

    value: str | None = attrs.field(repr=False)

    def __dask_tokenize__(self) -> object:
        return "workfront-credential"


def _pandas(table: Any) -> Any:
    """A pandas frame typed as :func:`pandas_frame` types it (nullable ints,
    floats, bools and strings, UTC timestamps), with list columns kept as Arrow
    lists: Dask turns object columns into strings, a list into its repr."""
    import pandas as pd
    import pyarrow as pa

    scalars = {
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.string(): pd.StringDtype(),
    }

    def mapper(typ: Any) -> Any:
        if pa.types.is_list(typ):
            return pd.ArrowDtype(typ)
        return scalars.get(typ)

    return table.to_pandas(types_mapper=mapper)


def _frame(
    partition: Partition,
    *,
    api_key: _Hidden,
    planning_token: _Hidden,
    redis_url: _Hidden,
    max_concurrency: int,
    columns: list[str] | None = None,
) -> Any:
    """One partition read into a pandas frame (runs on a worker)."""
    import pyarrow as pa

    if columns is not None:
        partition = partition.project(columns)
    target = partition.schema.arrow()
    batches = list(
        read_partition_blocking(
            partition,
            api_key=api_key.value,
            planning_token=planning_token.value,
            redis_url=redis_url.value,
            max_concurrency=max_concurrency,
        )
    )
    return _pandas(pa.Table.from_batches(batches, schema=target))


def read_workfront(
    url: str,
    *,
    api_key: str | None = None,
    obj: str | None = None,
    fields: str | Iterable[str] | None = None,
    where: str | Expr | None = None,
    partitions: int | None = None,
    redis_url: str | None = None,
    planning_record_type: str | None = None,
    planning_token: str | None = None,
    planning_version: PlanningVersion = "2",
    types: Mapping[str, str] | None = None,
    splits: int | None = None,
    page_size: int | None = None,
    max_concurrency: int = 10,
) -> Any:
    """A ``dask.dataframe.DataFrame`` of ``obj`` rows matching ``where``
    (query text or a ``Q`` expression), one Dask partition per planned
    partition (``partitions``, default one per 50,000 rows).

    ``api_key`` defaults to ``WORKFRONT_API_KEY`` in the environment of this
    process and of every worker (a key given here travels in the task graph,
    kept out of its repr). ``fields`` and ``types`` as for
    :func:`workfront_async.export.schema_for`. ``redis_url`` (default
    ``WORKFRONT_REDIS_URL``) makes every worker share the tenant's cap of
    ``max_concurrency`` requests; without it each partition read keeps to
    ``max_concurrency`` on its own. ``planning_record_type`` reads a Planning
    record type's records instead (``planning_token``, default
    ``WORKFRONT_PLANNING_TOKEN``).

    The columns are typed as :meth:`Export.to_pandas` types them (timestamps
    ``datetime64[ms, UTC]``, pandas' nullable integer, float, boolean and
    string types), list columns as Arrow lists (``pd.ArrowDtype``).
    """
    planned = plan_partitions_blocking(
        url,
        obj,
        api_key=api_key,
        where=where,
        fields=() if fields is None else fields,
        partitions=partitions,
        splits=splits,
        types=types,
        page_size=page_size,
        planning_record_type=planning_record_type,
        planning_token=planning_token,
        planning_version=planning_version,
        redis_url=redis_url,
        max_concurrency=max_concurrency,
    )
    meta = _pandas(planned[0].schema.arrow().empty_table())
    return dd.from_map(
        _frame,
        planned,
        meta=meta,
        label="read-workfront",
        enforce_metadata=False,
        api_key=_Hidden(api_key),
        planning_token=_Hidden(planning_token),
        redis_url=_Hidden(redis_url),
        max_concurrency=max_concurrency,
    )
