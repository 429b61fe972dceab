"""File writers for exports: JSON Lines, CSV and Parquet, written atomically.

Every writer writes to a temporary file beside the target and renames it over
the target only when the export finished; a failed or cancelled export
removes the temporary file, so no truncated file ever looks complete.
Memory is bounded: rows are written as they come (Parquet in batches).
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import orjson

from .._exceptions import QueryError

__all__ = ["FORMATS", "ExportWriter", "flatten_row", "open_writer"]

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
PARQUET_BATCH = 10_000


def flatten_row(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested objects into ``parent:child`` keys, the way Workfront
    names nested fields (``assignedTo:name``). Collections (lists) and other
    non-scalar values are kept as compact JSON text; custom fields
    (``DE:Name``) keep their names."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if value:
                out.update(flatten_row(value, f"{name}:"))
            else:
                out[name] = None
        elif isinstance(value, (list, tuple)):
            out[name] = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
        else:
            out[name] = value
    return out


class ExportWriter:
    """Base class: an atomic file writer used as a context manager.

    ``write(rows)`` appends rows; leaving the ``with`` block normally moves
    the finished file into place, leaving it with an exception deletes it.
    """

    format: Format

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.rows_written = 0
        directory = self.path.parent if str(self.path.parent) else Path(".")
        if not directory.is_dir():
            raise QueryError(f"cannot write {self.path}: the folder {directory} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=directory)
        os.close(fd)
        self.tmp_path = Path(tmp)
        self._closed = False

    def _open(self, path: Path, mode: str, **kwargs: Any) -> Any:
        """Open a working file (closed in ``_finish``/``abort``); if that fails,
        the temporary file is removed before the error propagates."""
        try:
            return open(path, mode, **kwargs)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                self.tmp_path.unlink()
            raise

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Flush and close the temporary file (subclasses)."""

    def commit(self) -> Path:
        """Finish the file and move it over the target path."""
        if self._closed:
            return self.path
        try:
            self._finish()
            os.replace(self.tmp_path, self.path)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return self.path

    def abort(self) -> None:
        """Discard the temporary file; the target path is left untouched."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._close_handles()
        with contextlib.suppress(FileNotFoundError):
            self.tmp_path.unlink()

    def _close_handles(self) -> None:
        """Close open file handles without finishing (subclasses)."""


def _fsync_close(handle: IO[Any]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


class JsonlWriter(ExportWriter):
    """One JSON object per line, nested fields kept nested."""

    format: Format = "jsonl"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self._fh = self._open(self.tmp_path, "wb")

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        n = 0
        buf = bytearray()
        for row in rows:
            buf += dumps(row, option=option)
            n += 1
        self._fh.write(buf)
        self.rows_written += n

    def _finish(self) -> None:
        _fsync_close(self._fh)

    def _close_handles(self) -> None:
        self._fh.close()


class CsvWriter(ExportWriter):
    """CSV with nested fields flattened to ``parent:child`` columns.

    Columns are those of the requested ``fields`` order first, then any new
    flattened key in the order it is first seen. When a key first appears
    after rows were written, the file is rewritten once at the end with the
    full header (streaming, so memory stays bounded).
    """

    format: Format = "csv"

    def __init__(self, path: str | os.PathLike[str], columns: Iterable[str] = ()) -> None:
        super().__init__(path)
        self.columns: list[str] = list(dict.fromkeys(columns))
        self._known = set(self.columns)
        self._width_at_start = -1
        self._fh = self._open(self.tmp_path, "w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._header_written = False

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        flat = [flatten_row(r) for r in rows]
        for row in flat:
            for key in row:
                if key not in self._known:
                    self._known.add(key)
                    self.columns.append(key)
        if not self._header_written:
            self._csv.writerow(self.columns)
            self._width_at_start = len(self.columns)
            self._header_written = True
        cols = self.columns
        self._csv.writerows([[_csv_value(row.get(c)) for c in cols] for row in flat])
        self.rows_written += len(flat)

    def _finish(self) -> None:
        if not self._header_written:
            self._csv.writerow(self.columns)
            self._width_at_start = len(self.columns)
        _fsync_close(self._fh)
        if len(self.columns) == self._width_at_start:
            return
        # New columns appeared after the header went out: rewrite with the
        # full header, padding earlier rows.
        width = len(self.columns)
        fd, fixed = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".partial", dir=self.tmp_path.parent
        )
        try:
            with (
                open(self.tmp_path, newline="", encoding="utf-8") as src,
                os.fdopen(fd, "w", newline="", encoding="utf-8") as dst,
            ):
                reader, writer = csv.reader(src), csv.writer(dst)
                next(reader)
                writer.writerow(self.columns)
                for line in reader:
                    writer.writerow(line + [""] * (width - len(line)))
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(fixed, self.tmp_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(fixed)
            raise

    def _close_handles(self) -> None:
        self._fh.close()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


class ParquetWriter(ExportWriter):
    """Parquet through pyarrow (the ``parquet`` extra), nested fields flattened
    as in CSV. Rows are staged as JSON Lines, then converted in batches with a
    schema unified over the whole export (a column whose types disagree
    becomes text), so memory stays bounded by the batch size."""

    format: Format = "parquet"

    def __init__(self, path: str | os.PathLike[str], columns: Iterable[str] = ()) -> None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise QueryError(
                "Parquet output needs pyarrow: pip install 'workfront-async[parquet]'"
            ) from None
        super().__init__(path)
        self.columns: list[str] = list(dict.fromkeys(columns))
        self._stage = self.tmp_path.with_suffix(".stage")
        self._fh = self._open(self._stage, "wb")

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        option = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        n = 0
        buf = bytearray()
        for row in rows:
            buf += orjson.dumps(flatten_row(row), option=option)
            n += 1
        self._fh.write(buf)
        self.rows_written += n

    def _batches(self) -> Iterable[list[dict[str, Any]]]:
        with open(self._stage, "rb") as fh:
            batch: list[dict[str, Any]] = []
            for line in fh:
                batch.append(orjson.loads(line))
                if len(batch) >= PARQUET_BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch

    def _finish(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._fh.close()
        try:
            # Pass 1: the column order and one type per column.
            columns = list(self.columns)
            seen = set(columns)
            types: dict[str, Any] = {}
            for batch in self._batches():
                for row in batch:
                    for key in row:
                        if key not in seen:
                            seen.add(key)
                            columns.append(key)
                for c in columns:
                    types[c] = _merge_type(types.get(c), _infer([row.get(c) for row in batch]))
            schema = pa.schema([(c, types.get(c) or pa.string()) for c in columns])
            # Pass 2: write batches cast to the unified schema.
            with pq.ParquetWriter(self.tmp_path, schema) as writer:
                for batch in self._batches():
                    arrays = [
                        pa.array(
                            [_cell(row.get(c), schema.field(c).type) for row in batch],
                            type=schema.field(c).type,
                        )
                        for c in columns
                    ]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                if self.rows_written == 0:
                    writer.write_table(schema.empty_table())
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._stage.unlink()

    def _close_handles(self) -> None:
        self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self._stage.unlink()


def _merge_type(old: Any, new: Any) -> Any:
    import pyarrow as pa

    if old is None or pa.types.is_null(old):
        return new
    if pa.types.is_null(new) or old == new:
        return old
    if pa.types.is_integer(old) and pa.types.is_floating(new):
        return new
    if pa.types.is_floating(old) and pa.types.is_integer(new):
        return old
    return pa.string()


def _infer(values: list[Any]) -> Any:
    import pyarrow as pa

    try:
        return pa.array(values).type
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.string()


def _cell(value: Any, typ: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_string(typ) and not isinstance(value, str):
        return orjson.dumps(value).decode()
    return value


def open_writer(
    path: str | os.PathLike[str], format: Format | None = None, *, columns: Iterable[str] = ()
) -> ExportWriter:
    """Open an atomic writer for ``path``; the format defaults to the file
    extension (``.jsonl``/``.ndjson``, ``.csv``, ``.parquet``)."""
    if format is None:
        suffix = Path(path).suffix.lower()
        format = {
            ".jsonl": "jsonl",
            ".ndjson": "jsonl",
            ".json": "jsonl",
            ".csv": "csv",
            ".parquet": "parquet",
            ".pq": "parquet",
        }.get(suffix)  # type: ignore[assignment]
        if format is None:
            raise QueryError(
                f"cannot tell the format of {path!s} from its extension; "
                f"pass format= one of {', '.join(FORMATS)}"
            )
    if format == "jsonl":
        return JsonlWriter(path)
    if format == "csv":
        return CsvWriter(path, columns)
    if format == "parquet":
        return ParquetWriter(path, columns)
    raise QueryError(f"unknown export format {format!r}; use one of {', '.join(FORMATS)}")
