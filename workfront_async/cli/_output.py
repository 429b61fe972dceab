"""How rows reach the user: tables on a terminal, JSON Lines / CSV / JSON in
pipes, and export rows streamed to standard output for ``-o -``."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TextIO

import orjson

from ..export import flatten_row

__all__ = ["OUTPUT_FORMATS", "StreamWriter", "default_format", "print_rows", "stdout_writer"]

OutputFormat = Literal["table", "jsonl", "csv", "json"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("table", "jsonl", "csv", "json")
_DUMP_OPTIONS = orjson.OPT_NON_STR_KEYS


def is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def default_format(out: TextIO) -> OutputFormat:
    """A table for a person at a terminal, JSON Lines for a pipe or a file."""
    return "table" if is_terminal(out) else "jsonl"


def _columns(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> list[str]:
    cols = list(dict.fromkeys(["ID", *fields])) if fields else []
    seen = set(cols)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                cols.append(key)
    return cols


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return orjson.dumps(value, option=_DUMP_OPTIONS).decode()
    return str(value)


def print_rows(
    rows: Sequence[Mapping[str, Any]], fmt: OutputFormat, out: TextIO, fields: Sequence[str] = ()
) -> None:
    """Print ``rows`` in ``fmt``; nested objects are flattened to ``parent:child``
    columns for tables and CSV, kept nested in JSON."""
    if fmt == "jsonl":
        for row in rows:
            out.write(orjson.dumps(row, option=_DUMP_OPTIONS).decode() + "\n")
    elif fmt == "json":
        out.write(orjson.dumps(list(rows), option=_DUMP_OPTIONS | orjson.OPT_INDENT_2).decode())
        out.write("\n")
    elif fmt == "csv":
        flat = [flatten_row(r) for r in rows]
        cols = _columns(flat, fields)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([[_cell(r.get(c)) for c in cols] for r in flat])
    else:
        _print_table([flatten_row(r) for r in rows], fields, out)
    out.flush()


def _wanted(cols: list[str], fields: Sequence[str]) -> list[str]:
    """The columns a table shows: ID and the requested fields (a reference
    asked for whole, ``assignedTo``, shows its ``assignedTo:...`` columns)."""
    if not fields:
        return cols
    keep = []
    for col in cols:
        if col == "ID" or any(col == f or col.startswith(f + ":") for f in fields):
            keep.append(col)
    return keep


def _print_table(flat: list[dict[str, Any]], fields: Sequence[str], out: TextIO) -> None:
    """A table sized to the terminal; when the columns would not fit (under
    about ten characters each), one small field/value table per row instead."""
    from rich.console import Console
    from rich.table import Column, Table

    console = Console(file=out, highlight=False)
    cols = _wanted(_columns(flat, fields), fields)
    if len(cols) * 10 <= console.width:
        table = Table(*cols, header_style="bold")
        for r in flat:
            table.add_row(*(_cell(r.get(c)) for c in cols))
        console.print(table)
        return
    for r in flat:
        value = Column("value", overflow="fold")
        record = Table("field", value, title=_cell(r.get("ID")), header_style="bold")
        for c in cols:
            record.add_row(c, _cell(r.get(c)))
        console.print(record)


class StreamWriter:
    """Export rows streamed to a text stream (``-o -``): JSON Lines or CSV.

    Has the ``rows_written``/``write``/context-manager surface of the export
    file writers. The CSV header is the requested fields plus the keys of the
    first page (a stream cannot be rewritten later); keys first seen after it
    are reported once on ``err`` and left out.
    """

    def __init__(
        self, out: TextIO, fmt: str, columns: Iterable[str] = (), err: TextIO | None = None
    ) -> None:
        self.out = out
        self.format = fmt
        self.rows_written = 0
        self._columns = list(dict.fromkeys(columns))
        self._header: list[str] | None = None
        self._dropped: set[str] = set()
        self._err = err

    def __enter__(self) -> StreamWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            if self.format == "csv" and self._header is None:
                self._write_header([])
            self.out.flush()

    def _write_header(self, flat: list[dict[str, Any]]) -> None:
        self._header = _columns(flat, self._columns) if flat else self._columns
        csv.writer(self.out, lineterminator="\n").writerow(self._header)

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        if self.format == "jsonl":
            buf = [orjson.dumps(r, option=_DUMP_OPTIONS).decode() for r in rows]
            if buf:
                self.out.write("\n".join(buf) + "\n")
            self.rows_written += len(buf)
            return
        flat = [flatten_row(r) for r in rows]
        if self._header is None:
            self._write_header(flat)
        header = self._header or []
        known = set(header)
        for r in flat:
            for key in r.keys() - known - self._dropped:
                self._dropped.add(key)
                if self._err is not None:
                    self._err.write(
                        f"workfront-async: column {key!r} appeared after the CSV header was "
                        "written to standard output; it is left out (name it in --fields)\n"
                    )
        csv.writer(self.out, lineterminator="\n").writerows(
            [[_cell(r.get(c)) for c in header] for r in flat]
        )
        self.rows_written += len(flat)


def stdout_writer(fmt: str, columns: Sequence[str], out: TextIO, err: TextIO) -> StreamWriter:
    """The writer for ``-o -``. Kept in one place so that it can be swapped for
    the export writers' own stream support."""
    return StreamWriter(out, fmt, columns, err)
