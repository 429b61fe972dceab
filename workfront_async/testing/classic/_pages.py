"""Deep pages without an OFFSET scan, for the embedded Workfront's searches.

``$$FIRST=100000`` makes SQLite step over 100,000 rows before the page: deep
pages of an export cost many times the first one, and a served emulator
becomes the bottleneck of the very exports it is meant to measure. When a
search is ordered by a unique key (``ID_Sort=asc``, or no sort: storage order)
the page can start *after* a known key instead: ``WHERE key > ?``.

``PageIndex`` keeps, per query (object, joins, filter, parameters, order), the
key of every ``STRIDE``-th matching row, read once with a one-column scan and
dropped as soon as the data changes (the connection's ``total_changes``). A
page at any offset then costs about the first page plus at most ``STRIDE``
skipped rows. Other orders keep ``LIMIT ? OFFSET ?``. Pure SQL over the
tenant's store; the caller holds the emulator's lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ._store import DEFAULT_JSON, DEFAULT_JSON_INDEX

__all__ = ["PageIndex", "page_rows"]

T = TypeVar("T")

STRIDE = 256
"""Keys kept: one every ``STRIDE`` matching rows."""
MIN_FIRST = 2 * STRIDE
"""Shallower pages use a plain OFFSET (cheap enough, and no index to build)."""
MAX_QUERIES = 8
"""Queries whose keys are kept at once (least recently used dropped first)."""


class PageIndex:
    """Keys at every ``STRIDE``-th row of recently paged queries (see the module doc)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[int, list[Any]]] = OrderedDict()

    def boundaries(
        self, db: Any, key: tuple[Any, ...], sql: str, params: Sequence[Any]
    ) -> list[Any]:
        """``keys[j]`` is the order key of matching row ``(j + 1) * STRIDE - 1``."""
        version = db.total_changes
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        keys = [row[0] for row in db.execute(sql, list(params))]
        marks = keys[STRIDE - 1 :: STRIDE]
        with self._lock:
            self._entries[key] = (version, marks)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_QUERIES:
                self._entries.popitem(last=False)
        return marks


def _index_for(store: Any) -> PageIndex:
    index: PageIndex | None = getattr(store, "_page_index", None)
    if index is None:
        index = store._page_index = PageIndex()
    return index


def _unique_key(terms: Sequence[str]) -> str | None:
    """The SQL of a unique ordering key, when the page is ordered by one."""
    if not terms:
        return "t0.rowid"
    if list(terms) == ['t0."ID" ASC']:
        return _ID
    return None


_ID = 't0."ID"'


def page_rows(
    store: Any,
    code: str,
    cols: str,
    joins: str,
    where: str,
    params: Sequence[Any],
    terms: Sequence[str],
    first: int,
    limit: int,
    *,
    fetch: Callable[[str, Sequence[Any]], T] | None = None,
) -> T:
    """One search page (``ORDER BY terms, rowid LIMIT limit OFFSET first``) read by
    ``fetch(sql, params)``: by default the rows as dicts of ``cols``."""
    read: Callable[[str, Sequence[Any]], Any] = fetch or store.query
    order = ", ".join([*terms, "t0.rowid"])
    source = f'"{code}" t0'
    if cols.startswith(DEFAULT_JSON) and not joins and where == "1" and _unique_key(terms) == _ID:
        # default fields of every row in ID order (an export's page): read from
        # the index on (ID, _dj), one sequential read instead of a row lookup
        # per row; ID is unique, so the rowid tie-break (which that index
        # cannot give in order) is not needed
        source = f'"{code}" t0 INDEXED BY "{DEFAULT_JSON_INDEX}{code}"'
        order = ", ".join(terms)
    base = f"SELECT {cols} FROM {source} {joins} WHERE ({where})"
    key_sql = _unique_key(terms)
    if key_sql is None or first < MIN_FIRST:
        page: T = read(f"{base} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, first])
        return page
    db = store.db
    marks = _index_for(store).boundaries(
        db,
        (code, joins, where, tuple(params), key_sql),
        f'SELECT {key_sql} FROM "{code}" t0 {joins} WHERE ({where}) ORDER BY {key_sql}',
        params,
    )
    j = first // STRIDE
    if j > len(marks):  # past the last row
        page = read(f"{base} AND 0 LIMIT 0", list(params))
        return page
    page = read(
        f"{base} AND {key_sql} > ? ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, marks[j - 1], limit, first - j * STRIDE],
    )
    return page
