"""A dlt source for Workfront (the ``dlt`` extra).

One resource per object type, merged on ``ID``, loaded incrementally on
``lastUpdateDate`` with the same tie-safe cursor as
:meth:`Workfront.changes_since` (rows sharing the last instant are neither
lost nor loaded twice), typed from the tenant's metadata and handed to dlt
as Arrow tables. Deleted objects are removed from the destination when
Workfront journals their deletion (``JRNLE`` entries with ``changeType``
``DELETE``/``D``), through dlt's ``hard_delete`` column.

Each resource makes its client with ``connect()`` inside its own event loop
(a client belongs to one loop) and sends its requests one after another
through that client and its limiter; dlt extracts resources side by side, so
at most one request per object type is in flight::

    import dlt
    from workfront_async import Workfront
    from workfront_async.dlt import workfront_source

    source = workfront_source(
        lambda: Workfront("https://acme.my.workfront.com", api_key="..."),
        {"task": ["name", "status", "plannedCompletionDate", "assignedTo:name"]},
    )
    dlt.pipeline("workfront", destination="duckdb").run(source)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._core.concurrency import iterate_blocking
from ._core.dates import parse_date
from ._core.exceptions import QueryError
from .classic._changes import SyncCursor
from .export._arrow import require_pyarrow, rows_to_batch
from .export._metadata import schema_for
from .export._schema import ExportSchema

if TYPE_CHECKING:
    from .classic._client import Workfront

try:
    import dlt
except ImportError:  # pragma: no cover - depends on the installed extras
    raise ImportError("workfront_async.dlt needs dlt: pip install 'workfront-async[dlt]'") from None

__all__ = ["DELETED_COLUMN", "JOURNALED_DELETES", "workfront_resource", "workfront_source"]

LOGGER = logging.getLogger("workfront_async.dlt")

# The column dlt reads as "delete this row" (a ``hard_delete`` hint).
DELETED_COLUMN = "_wf_deleted"
# Object types whose deletions Workfront journals by default.
JOURNALED_DELETES = frozenset({"PROJ", "TASK", "OPTASK", "PORT", "PRGM", "USER", "DOCU", "HOUR"})
_DELETE_TYPES = ("DELETE", "D")
_BUFFER = 2  # tables in flight between the event loop and dlt: bounded memory


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else parse_date(str(value))


def _table(schema: ExportSchema, rows: Sequence[Mapping[str, Any]], deleted: bool) -> Any:
    pa = require_pyarrow("dlt")
    batch = rows_to_batch(schema, rows)
    table = pa.Table.from_batches([batch])
    flag = pa.array([deleted] * len(rows), type=pa.bool_())
    return table.append_column(DELETED_COLUMN, flag)


async def _changes(
    wf: Workfront,
    obj: str,
    schema: ExportSchema,
    cursor: SyncCursor | None,
    page_size: int,
) -> AsyncIterator[tuple[Any, SyncCursor]]:
    """Changed rows since ``cursor`` as (table, cursor after it)."""
    feed = wf.changes_since(obj, cursor, fields=schema.fields)
    page: list[dict[str, Any]] = []
    after = cursor
    async for row in feed:
        page.append(row)
        if len(page) >= page_size:
            after = _advance(after, page, "lastUpdateDate")
            yield _table(schema, page, False), after
            page = []
    if page:
        after = _advance(after, page, "lastUpdateDate")
        yield _table(schema, page, False), after


def _advance(
    cursor: SyncCursor | None, rows: Sequence[Mapping[str, Any]], stamp: str
) -> SyncCursor:
    keys = [(_when(r[stamp]), str(r["ID"])) for r in rows]
    start = cursor if cursor is not None else SyncCursor(keys[0][0])
    return start.advance(keys)


async def _deletes(
    wf: Workfront,
    obj: str,
    schema: ExportSchema,
    cursor: SyncCursor | None,
    page_size: int,
) -> AsyncIterator[tuple[Any, SyncCursor]]:
    """Deletions journaled since ``cursor`` as (table of IDs, cursor after
    them), with the changes' tie-safe cursor over ``(entryDate, entry ID)``."""
    from .query import Q

    where = (Q.objObjCode == schema.obj) & Q.changeType.isin(list(_DELETE_TYPES))
    if cursor is not None:
        where = where & (Q.entryDate >= cursor.timestamp)
    search = wf.search(
        "JRNLE",
        where,
        fields=["objID", "entryDate", "changeType"],
        sort=[("entryDate", "asc"), ("ID", "asc")],
    ).parse_dates(False)
    page: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    after = cursor
    async for entry in search:
        key = (_when(entry["entryDate"]), str(entry["ID"]))
        if cursor is not None and key[0] == cursor.timestamp and key[1] in cursor.ids:
            continue  # applied by the previous run
        if entry.get("objID"):
            page.append({"ID": entry["objID"]})
        entries.append(entry)
        if len(entries) >= page_size:
            after = _advance(after, entries, "entryDate")
            yield _table(schema, page, True), after
            page, entries = [], []
    if entries:
        after = _advance(after, entries, "entryDate")
        yield _table(schema, page, True), after


def workfront_resource(
    connect: Callable[[], Workfront],
    obj: str,
    fields: Iterable[str] = (),
    *,
    types: Mapping[str, str] | None = None,
    deletes: bool | None = None,
    page_size: int = 2000,
    name: str | None = None,
) -> Any:
    """One dlt resource: ``obj`` rows changed since the last run, merged on
    ``ID``; ``deletes`` (default: for the types Workfront journals) removes
    journaled deletions. ``fields`` and ``types`` as in :func:`schema_for`."""
    wanted = list(dict.fromkeys([*fields]))
    if wanted and "lastUpdateDate" not in wanted:
        wanted.append("lastUpdateDate")
    if not 1 <= page_size <= 2000:
        raise QueryError(f"page_size must be 1..2000, not {page_size}")
    code = obj.upper()
    with_deletes = code in JOURNALED_DELETES if deletes is None else deletes

    @dlt.resource(
        name=name or obj.lower(),
        primary_key="ID",
        write_disposition="merge",
        columns={DELETED_COLUMN: {"data_type": "bool", "hard_delete": True}},
    )
    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        changes = SyncCursor.loads(state["changes"]) if "changes" in state else None
        removed = SyncCursor.loads(state["deletes"]) if "deletes" in state else None

        async def produce() -> AsyncIterator[tuple[str, Any, SyncCursor]]:
            async with connect() as wf:
                schema = await schema_for(wf, obj, wanted, types=types)
                async for table, cursor in _changes(wf, obj, schema, changes, page_size):
                    yield "changes", table, cursor
                if with_deletes:
                    async for table, cursor in _deletes(wf, obj, schema, removed, page_size):
                        yield "deletes", table, cursor

        for key, table, cursor in iterate_blocking(produce, _BUFFER):
            # dlt commits the state with the data of the same load, so a
            # failed load leaves the cursor where it was
            state[key] = cursor.dumps()
            if table.num_rows:
                yield table

    return rows


def workfront_source(
    connect: Callable[[], Workfront],
    objects: Mapping[str, Iterable[str]] | Iterable[str],
    *,
    types: Mapping[str, Mapping[str, str]] | None = None,
    deletes: bool | None = None,
    page_size: int = 2000,
    name: str = "workfront",
) -> Any:
    """A dlt source with one incremental resource per object type.

    ``objects`` maps object codes to field lists (``{"task": ["name",
    "assignedTo:name"]}``; an empty list means every plain field), or lists
    object codes. ``types`` maps an object code to its column overrides.
    """
    spec = dict(objects) if isinstance(objects, Mapping) else dict.fromkeys(objects, ())
    if not spec:
        raise QueryError("workfront_source() needs at least one object type")
    overrides = {k.upper(): v for k, v in (types or {}).items()}

    @dlt.source(name=name)
    def source() -> list[Any]:
        return [
            workfront_resource(
                connect,
                obj,
                fields,
                types=overrides.get(obj.upper()),
                deletes=deletes,
                page_size=page_size,
            )
            for obj, fields in spec.items()
        ]

    return source()
