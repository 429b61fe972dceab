"""How rows reach the user: on a terminal, a table of one row per line
(``search``) or a card per object (``get``, ``--format card``); JSON Lines,
CSV or JSON in pipes; export rows streamed to standard output for ``-o -``.

Tables read like ``gh issue list`` or ``kubectl get``: the whole ID first (to
copy into ``get``), then a compact set of columns per object type, as many as
fit the terminal's width, long text cut with an ellipsis, dates in ISO 8601
(UTC, to the minute). Cards show every field, values wrapped to the width.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TextIO

import orjson

from ..export import flatten_row

__all__ = [
    "OUTPUT_FORMATS",
    "StreamWriter",
    "default_columns",
    "default_format",
    "print_rows",
    "stdout_writer",
]

OutputFormat = Literal["table", "card", "jsonl", "csv", "json"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("table", "card", "jsonl", "csv", "json")
_DUMP_OPTIONS = orjson.OPT_NON_STR_KEYS
_GAP = 2  # spaces between table columns
# Workfront's timestamps (2024-03-01T17:00:00:000-0600) and ISO 8601 ones
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[:.]\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})$")
_ID_WIDTH = 32  # Workfront IDs are 32 hex digits: never cut

# The columns `search` shows on a terminal when --fields is not given: what
# tells the rows apart at a glance (gh issue list: number, title, labels, age).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "task": ("name", "status", "plannedCompletionDate", "assignedTo:name"),
    "project": ("name", "status", "plannedCompletionDate", "owner:name"),
    "issue": ("name", "status", "priority", "entryDate", "assignedTo:name"),
    "user": ("name", "emailAddr", "title", "isActive"),
    "hour": ("entryDate", "hours", "status", "owner:name"),
    "assignment": ("status", "workRequired", "assignedTo:name"),
    "note": ("entryDate", "owner:name", "noteText"),
    "journalentry": ("entryDate", "objObjCode", "fieldName", "oldTextVal", "newTextVal"),
    "expense": ("effectiveDate", "actualAmount", "objObjCode"),
    "document": ("name", "entryDate", "owner:name"),
    "portfolio": ("name", "isActive", "owner:name"),
    "program": ("name", "isActive", "owner:name"),
    "template": ("name", "isActive", "owner:name"),
}
_ALIASES = {
    "tsk": "task",
    "proj": "project",
    "optask": "issue",
    "hour": "hour",
    "assgn": "assignment",
    "jrnle": "journalentry",
    "expns": "expense",
    "docu": "document",
    "port": "portfolio",
    "prgm": "program",
    "tmpl": "template",
}


def is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def default_format(out: TextIO, *, card: bool = False) -> OutputFormat:
    """On a terminal a table (``card=True``: a card per object, for ``get``);
    JSON Lines for a pipe or a file."""
    if not is_terminal(out):
        return "jsonl"
    return "card" if card else "table"


def default_columns(obj: str) -> tuple[str, ...]:
    """The compact column set of ``obj`` (any spelling: ``task``, ``TASK``,
    ``optask``), or ``()`` when it has none."""
    key = obj.lower()
    return _COLUMNS.get(_ALIASES.get(key, key), ())


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


def _shown(value: Any) -> str:
    """A value as a person reads it: Workfront timestamps in ISO 8601 UTC to
    the minute (``2024-03-01T17:00Z``), ``12.0`` as ``12``."""
    if isinstance(value, str):
        text: str = value
        if _DATE.match(text):
            from datetime import UTC

            from .._core.dates import parse_date

            return parse_date(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
        return text
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return _cell(value)


def print_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: OutputFormat,
    out: TextIO,
    fields: Sequence[str] = (),
    *,
    err: TextIO | None = None,
) -> None:
    """Print ``rows`` in ``fmt``; nested objects are flattened to ``parent:child``
    columns for tables, cards and CSV, kept nested in JSON. A table that
    leaves columns out for want of width says so on ``err``."""
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
    elif fmt == "card":
        _print_cards([flatten_row(r) for r in rows], fields, out)
    else:
        _print_table([flatten_row(r) for r in rows], fields, out, err)
    out.flush()


def _wanted(cols: list[str], fields: Sequence[str]) -> list[str]:
    """The columns shown: ID and the requested fields (a reference asked for
    whole, ``assignedTo``, shows its ``assignedTo:...`` columns)."""
    if not fields:
        return cols
    keep = []
    for col in cols:
        if col == "ID" or any(col == f or col.startswith(f + ":") for f in fields):
            keep.append(col)
    return keep


def _console(out: TextIO) -> Any:
    from rich.console import Console

    return Console(file=out, highlight=False, soft_wrap=False)


def _fit(cells: dict[str, list[str]], width: int) -> tuple[dict[str, int], list[str]]:
    """Column widths that fit ``width``, in column order, and the columns left
    out. Each column needs at least its header or 10 cells (what is cut ends in
    an ellipsis), the ID all of its 32; what is left widens the columns, the
    first ones first, up to their longest value."""
    from rich.cells import cell_len

    natural = {c: max(cell_len(v) for v in [c, *vals]) for c, vals in cells.items()}
    least = {c: natural[c] if c == "ID" else min(natural[c], max(10, cell_len(c))) for c in cells}
    chosen: list[str] = []
    hidden: list[str] = []
    used = 0
    for col in cells:
        need = least[col] + (_GAP if chosen else 0)
        if used + need <= width or not chosen:
            chosen.append(col)
            used += need
        else:
            hidden.append(col)
    widths = {c: least[c] for c in chosen}
    spare = max(width - used, 0)
    for col in chosen:
        extra = min(spare, natural[col] - widths[col])
        widths[col] += extra
        spare -= extra
    return widths, hidden


def _clip(text: str, width: int) -> str:
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + "…"


def _print_table(
    flat: list[dict[str, Any]], fields: Sequence[str], out: TextIO, err: TextIO | None
) -> None:
    """One row per line, as many columns as fit the terminal (see :func:`_fit`)."""
    from rich.text import Text

    console = _console(out)
    cols = _wanted(_columns(flat, fields), fields)
    if not cols:
        return
    cells = {c: [" ".join(_shown(r.get(c)).split()) for r in flat] for c in cols}
    widths, hidden = _fit(cells, console.width)
    shown = list(widths)
    gap = " " * _GAP

    def line(values: list[str]) -> str:
        return gap.join(_clip(v, widths[c]) for c, v in zip(shown, values, strict=True)).rstrip()

    console.print(Text(line(shown), style="bold"), crop=True, no_wrap=True)
    for i in range(len(flat)):
        console.print(Text(line([cells[c][i] for c in shown])), crop=True, no_wrap=True)
    if hidden and err is not None:
        err.write(
            f"workfront-async: {len(hidden)} more columns do not fit in {console.width} "
            f"columns ({', '.join(hidden)}): widen the terminal, choose --fields, or "
            "use --format card\n"
        )
        err.flush()


def _print_cards(flat: list[dict[str, Any]], fields: Sequence[str], out: TextIO) -> None:
    """A card per object (``kubectl describe``): its ID, then every field and
    its value, values wrapped to the terminal's width."""
    import textwrap

    from rich.text import Text

    console = _console(out)
    width = console.width
    cols = [c for c in _wanted(_columns(flat, fields), fields) if c != "ID"]
    label = min(max((len(c) for c in cols), default=0), max(width // 2 - _GAP, 8))
    indent = " " * (_GAP + label + _GAP)
    for i, r in enumerate(flat):
        if i:
            console.print()
        console.print(Text(_cell(r.get("ID")), style="bold"), crop=True, no_wrap=True)
        for c in cols:
            name = _clip(c, label)
            lines = textwrap.wrap(
                " ".join(_shown(r.get(c)).split()), max(width - len(indent), 10)
            ) or [""]
            head = Text(" " * _GAP)
            head.append(name, style="dim")
            head.append(" " * _GAP + lines[0])
            head.rstrip()
            console.print(head, crop=True, no_wrap=True)
            for more in lines[1:]:
                console.print(Text(indent + more), crop=True, no_wrap=True)


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
