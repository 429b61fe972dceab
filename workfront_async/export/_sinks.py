"""The typed outputs of an export, written once for classic and Planning exports.

An export that can say its schema and hand over its pages
(:meth:`TypedSinks._typed_pages`) gets ``arrow_batches()``, ``to_arrow()``,
``to_pandas()``, ``to_polars()`` and ``write(path)`` from :class:`TypedSinks`;
each closes the page generator (``aclosing``) when it stops early, so that
leaving a loop stops the fetches behind it at once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from .._core.exceptions import QueryError

if TYPE_CHECKING:
    from ._schema import ExportSchema
    from ._writers import Format

__all__ = ["TypedSinks", "pandas_frame", "polars_frame"]

Row = dict[str, Any]


class TypedSinks:
    """Arrow batches and tables, data frames and files from a typed export."""

    async def _typed_pages(
        self, schema: ExportSchema | None, types: Mapping[str, str] | None
    ) -> tuple[ExportSchema, AsyncGenerator[Any, None]]:
        """The schema to write with (``schema``, or the export's own with
        ``types`` applied) and the pages to write."""
        raise NotImplementedError

    async def arrow_batches(
        self,
        *,
        schema: ExportSchema | None = None,
        types: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[Any, None]:
        """One ``pyarrow.RecordBatch`` per page, typed by the schema (needs the
        ``arrow`` extra). Memory stays bounded by the pages in flight."""
        from ._arrow import arrow_schema, require_pyarrow, rows_to_batch

        require_pyarrow()
        schema, pages = await self._typed_pages(schema, types)
        target = arrow_schema(schema)
        async with contextlib.aclosing(pages):
            async for page in pages:
                yield rows_to_batch(schema, page, target)

    async def to_arrow(
        self, *, schema: ExportSchema | None = None, types: Mapping[str, str] | None = None
    ) -> Any:
        """The whole export as one ``pyarrow.Table`` (the ``arrow`` extra)."""
        from ._arrow import arrow_schema, require_pyarrow, rows_to_batch

        pa = require_pyarrow()
        schema, pages = await self._typed_pages(schema, types)
        target = arrow_schema(schema)
        async with contextlib.aclosing(pages):
            batches = [rows_to_batch(schema, page, target) async for page in pages]
        return pa.Table.from_batches(batches, schema=target)

    async def to_polars(
        self, *, schema: ExportSchema | None = None, types: Mapping[str, str] | None = None
    ) -> Any:
        """The whole export as a ``polars.DataFrame`` (the ``polars`` extra)."""
        return polars_frame(await self.to_arrow(schema=schema, types=types))

    async def to_pandas(
        self, *, schema: ExportSchema | None = None, types: Mapping[str, str] | None = None
    ) -> Any:
        """The whole export as a ``pandas.DataFrame`` (the ``pandas`` extra); see
        :func:`pandas_frame`."""
        return pandas_frame(await self.to_arrow(schema=schema, types=types))

    async def write(
        self,
        path: str | os.PathLike[str] | BinaryIO,
        format: Format | None = None,
        *,
        schema: ExportSchema | None = None,
        types: Mapping[str, str] | None = None,
        dates: Literal["iso", "workfront"] = "iso",
    ) -> int:
        """Write the export to ``path`` (or a binary stream) with the typed
        writers (see :func:`open_writer`); returns the number of rows. The
        file appears only once the export finished."""
        from ._writers import open_writer

        schema, pages = await self._typed_pages(schema, types)
        with open_writer(path, format, schema=schema, dates=dates) as writer:
            async with contextlib.aclosing(pages):
                async for page in pages:
                    writer.write(page)
        return writer.rows_written


def polars_frame(table: Any) -> Any:
    """A ``polars.DataFrame`` of an Arrow table (the ``polars`` extra)."""
    try:
        import polars as pl
    except ImportError:
        raise QueryError(
            "to_polars() needs polars: pip install 'workfront-async[polars]'"
        ) from None
    return pl.from_arrow(table)


def pandas_frame(table: Any) -> Any:
    """A ``pandas.DataFrame`` of an Arrow table (the ``pandas`` extra):
    timestamps ``datetime64[ms, UTC]``, and pandas' nullable integer, float,
    boolean and string types so that a missing value never turns an int
    column into floats."""
    try:
        import pandas as pd
    except ImportError:
        raise QueryError(
            "to_pandas() needs pandas: pip install 'workfront-async[pandas]'"
        ) from None
    import pyarrow as pa

    mapping = {
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.string(): pd.StringDtype(),
    }
    return table.to_pandas(types_mapper=mapping.get)
