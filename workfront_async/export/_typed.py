"""Typed writers: one fixed set of typed columns, from an :class:`ExportSchema`.

Every file has the schema's columns in the schema's order whatever the rows
hold (a row without an assignee has an empty ``assignedTo.name``, never a
stray column). Dates are ISO 8601 in UTC with milliseconds
(``2024-07-02T03:49:38.711Z``) in JSON Lines and CSV, real timestamps in
Parquet. ``dates="workfront"`` keeps Workfront's own text in JSON Lines and
CSV (``2024-07-02T03:49:38:711+0000``).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, BinaryIO, Literal

import orjson

from .._core.dates import format_date
from .._core.exceptions import QueryError
from ._schema import Column, ExportSchema, convert
from ._writers import ExportWriter, Format, _fsync_close

__all__ = ["DATES", "TypedCsvWriter", "TypedJsonlWriter", "TypedParquetWriter", "iso_timestamp"]

Dates = Literal["iso", "workfront"]
DATES: tuple[Dates, ...] = ("iso", "workfront")
# Rows gathered before a Parquet row group is written: big enough for good
# compression, small enough to keep memory bounded.
PARQUET_ROW_GROUP = 50_000


def iso_timestamp(value: datetime) -> str:
    """``2024-07-02T03:49:38.711Z`` (the value is already in UTC)."""
    text = value.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _check_dates(dates: str) -> Dates:
    if dates not in DATES:
        raise QueryError(f"dates must be one of {', '.join(DATES)}, not {dates!r}")
    return dates


class _Cells:
    """Typed text-ready cells for JSON Lines and CSV."""

    def __init__(self, schema: ExportSchema, dates: Dates) -> None:
        self.schema = schema
        self.dates = dates
        self.columns = schema.columns
        self._cells = [(c.name, self._cell(c)) for c in schema.columns]

    def _date_text(self, column: Column, raw: Any, value: Any) -> Any:
        if isinstance(value, datetime):
            if self.dates == "workfront":
                return raw if isinstance(raw, str) else format_date(value)
            return iso_timestamp(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    def _slow(self, c: Column, raw: Any, row: Mapping[str, Any]) -> Any:
        value = convert(c, raw, row)
        if value is not None and c.kind in ("timestamp", "date"):
            if c.is_list:
                raws = raw if isinstance(raw, list) else [raw]
                return [self._date_text(c, r, v) for r, v in zip(raws, value, strict=True)]
            return self._date_text(c, raw, value)
        return value

    def _cell(self, c: Column) -> Callable[[Mapping[str, Any]], Any]:
        """A function from a response row to this column's cell: a fast path
        for values already of the column's type (and Workfront timestamps in
        UTC, rewritten as text without parsing), the full conversion otherwise."""
        slow = self._slow
        key = c.path[0] if len(c.path) == 1 else None
        parent, child = (c.path[0], c.path[1]) if len(c.path) == 2 else (None, None)

        def raw_of(row: Mapping[str, Any]) -> Any:
            if key is not None:
                return row.get(key)
            if parent is not None:
                # a reference's field: one dict lookup, no generic walk
                obj = row.get(parent)
                if obj is None:
                    return None
                if type(obj) is dict:
                    return obj.get(child)
            return c.extract(row)

        if c.is_list or c.kind == "json":
            return lambda row: slow(c, raw_of(row), row)
        exact: type | None = {"string": str, "int64": int, "float64": float, "bool": bool}.get(
            c.kind
        )
        if exact is not None:

            def plain(row: Mapping[str, Any]) -> Any:
                v = raw_of(row)
                return v if v is None or type(v) is exact else slow(c, v, row)

            return plain
        if c.kind == "timestamp" and self.dates == "workfront":

            def raw_date(row: Mapping[str, Any]) -> Any:
                v = raw_of(row)
                return v if v is None or type(v) is str else slow(c, v, row)

            return raw_date
        if c.kind == "timestamp":

            def iso(row: Mapping[str, Any]) -> Any:
                v = raw_of(row)
                # 2024-07-02T03:49:38:711+0000 -> 2024-07-02T03:49:38.711Z
                if (
                    type(v) is str
                    and len(v) == 28
                    and v[19] == ":"
                    and v[23:] == "+0000"
                    and v[10] == "T"
                    and v[20:23].isdigit()
                ):
                    return f"{v[:19]}.{v[20:23]}Z"
                return v if v is None else slow(c, v, row)

            return iso
        return lambda row: slow(c, raw_of(row), row)

    def row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {name: cell(row) for name, cell in self._cells}


class TypedJsonlWriter(ExportWriter):
    """JSON Lines: one flat object per row with every column of the schema
    (``null`` where the row has no value)."""

    format: Format = "jsonl"

    def __init__(
        self,
        path: str | os.PathLike[str] | BinaryIO,
        schema: ExportSchema,
        *,
        dates: Dates = "iso",
    ) -> None:
        self.schema = schema
        self._cells = _Cells(schema, _check_dates(dates))
        super().__init__(path)
        self._fh = self._open_binary()

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        cells = self._cells.row
        buf = bytearray()
        n = 0
        for row in rows:
            buf += dumps(cells(row), option=option)
            n += 1
        self._fh.write(buf)
        self.rows_written += n

    def _finish(self) -> None:
        _fsync_close(self._fh)

    def _close_handles(self) -> None:
        self._fh.close()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    return value


class TypedCsvWriter(ExportWriter):
    """CSV with the schema's header, written before the first row: ISO 8601
    dates, ``true``/``false``, empty cells for nulls, lists as JSON text.
    Read it back with ``pd.read_csv(path, parse_dates=schema.timestamp_columns())``."""

    format: Format = "csv"

    def __init__(
        self,
        path: str | os.PathLike[str] | BinaryIO,
        schema: ExportSchema,
        *,
        dates: Dates = "iso",
    ) -> None:
        self.schema = schema
        self._cells = _Cells(schema, _check_dates(dates))
        super().__init__(path)
        self._fh = io.TextIOWrapper(self._open_binary(), newline="", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._csv.writerow(schema.names)
        self._names = schema.names

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        cells, names = self._cells.row, self._names
        out = []
        for row in rows:
            typed = cells(row)
            out.append([_csv_cell(typed[n]) for n in names])
        self._csv.writerows(out)
        self.rows_written += len(out)

    def _finish(self) -> None:
        _fsync_close(self._fh)

    def _close_handles(self) -> None:
        self._fh.close()


class TypedParquetWriter(ExportWriter):
    """Parquet with the schema's Arrow types (timestamps in UTC with
    milliseconds, dates, float64, int64, bool, strings, lists), written in row
    groups as rows come: memory stays bounded by one row group."""

    format: Format = "parquet"

    def __init__(
        self,
        path: str | os.PathLike[str] | BinaryIO,
        schema: ExportSchema,
        *,
        dates: Dates = "iso",
    ) -> None:
        from ._arrow import require_pyarrow

        require_pyarrow("parquet")
        if _check_dates(dates) != "iso":
            raise QueryError(
                "Parquet stores real timestamps; dates='workfront' is for JSON Lines and CSV"
            )
        import pyarrow.parquet as pq

        self.schema = schema
        self.arrow_schema = schema.arrow()
        super().__init__(path)
        self._fh = self._open_binary()
        try:
            self._writer = pq.ParquetWriter(self._fh, self.arrow_schema)
        except BaseException:
            self.abort()
            raise
        self._pending: list[Any] = []
        self._pending_rows = 0

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        from ._arrow import rows_to_batch

        page = rows if isinstance(rows, list) else list(rows)
        if not page:
            return
        self.write_batch(rows_to_batch(self.schema, page, self.arrow_schema))

    def write_batch(self, batch: Any) -> None:
        """Append a ``pyarrow.RecordBatch`` of this schema."""
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self.rows_written += batch.num_rows
        if self._pending_rows >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._pending:
            table = pa.Table.from_batches(self._pending, schema=self.arrow_schema)
            self._writer.write_table(table)
            self._pending, self._pending_rows = [], 0

    def _finish(self) -> None:
        self._flush()
        if self.rows_written == 0:
            self._writer.write_table(self.arrow_schema.empty_table())
        self._writer.close()
        _fsync_close(self._fh)

    def _close_handles(self) -> None:
        self._pending = []
        try:
            writer = getattr(self, "_writer", None)
            if writer is not None:
                writer.close()
        finally:
            self._fh.close()
