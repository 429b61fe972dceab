"""Incremental sync by ``lastUpdateDate`` (docs/api-notes.md §2, "Batch (polling)").

A run asks for the objects whose ``lastUpdateDate`` is at or after the
cursor, sorted by ``(lastUpdateDate, ID)``, and pages by keyset on that pair:
the next page starts after the last ``(lastUpdateDate, ID)`` seen, written as
``lastUpdateDate > t  OR  (lastUpdateDate = t AND ID > id)``. Offsets are never
used, so an edit during the run (which moves a row to the end) cannot make
another row be skipped.

The cursor is the greatest ``lastUpdateDate`` delivered and the IDs
delivered at exactly that instant. The next run asks for ``>=`` that instant
and leaves out those IDs, so rows that share the last timestamp (Workfront
stores milliseconds; bulk edits share them) are neither lost nor delivered
twice across runs, even when more rows reach that same instant later.

The feed stores nothing: saving the cursor only once the rows are durable is
the caller's part. :func:`workfront_async.sync_to_file` does that for a JSON
Lines file, exactly once across crashes (``_sync_file.py``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from .._core.dates import convert_dates, parse_date
from .._core.exceptions import PaginationError, QueryError, ResponseError

if TYPE_CHECKING:
    from ._client import Workfront

__all__ = ["ChangeFeed", "SyncCursor"]

SYNC_PAGE = 2000


def _iso(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _frozen(ids: Iterable[str]) -> frozenset[str]:
    return frozenset(ids)


@attrs.frozen
class SyncCursor:
    """Where the last sync run stopped: store ``cursor.dumps()`` and pass
    ``SyncCursor.loads(text)`` (or the cursor itself) to the next run."""

    timestamp: datetime
    ids: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)

    @classmethod
    def at(cls, when: datetime) -> SyncCursor:
        """A cursor that starts at ``when`` (aware datetime), with nothing seen yet."""
        if when.tzinfo is None:
            raise QueryError("the sync start must be an aware datetime (attach a tzinfo)")
        return cls(when)

    def dumps(self) -> str:
        return orjson.dumps(
            {"version": 1, "timestamp": _iso(self.timestamp), "ids": sorted(self.ids)}
        ).decode()

    @classmethod
    def loads(cls, text: str | bytes) -> SyncCursor:
        try:
            data = orjson.loads(text)
            return cls(parse_date(data["timestamp"]), frozenset(data.get("ids", ())))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise QueryError(
                f"not a sync cursor ({exc}); delete the state file to start a full sync"
            ) from None

    def advance(self, rows: Iterable[tuple[datetime, str]]) -> SyncCursor:
        """The cursor after delivering ``rows`` of ``(lastUpdateDate, ID)``."""
        ts, ids = self.timestamp, set(self.ids)
        for when, oid in rows:
            if when > ts:
                ts, ids = when, {oid}
            elif when == ts:
                ids.add(oid)
        return SyncCursor(ts, frozenset(ids))


def _row_key(row: dict[str, Any]) -> tuple[datetime, str]:
    raw = row.get("lastUpdateDate")
    oid = row.get("ID")
    if not isinstance(raw, str) or not isinstance(oid, str):
        raise PaginationError(
            f"a changed row came back without lastUpdateDate/ID ({sorted(row)[:6]}...); "
            "the sync cannot place it"
        )
    try:
        return parse_date(raw), oid
    except ValueError as exc:
        raise ResponseError(f"object {oid}: lastUpdateDate is not a date: {exc}") from None


class ChangeFeed:
    """The rows changed since a cursor; ``feed.cursor`` is the cursor to store
    once iteration has finished."""

    def __init__(
        self,
        wf: Workfront,
        obj: str,
        since: SyncCursor | datetime | None,
        *,
        fields: Iterable[str] = (),
        where: Any = None,
        page_size: int = SYNC_PAGE,
    ) -> None:
        if isinstance(since, datetime):
            since = SyncCursor.at(since)
        self.wf = wf
        self.obj = obj
        self.start = since
        self.cursor: SyncCursor | None = since
        wanted = list(dict.fromkeys([*fields, "lastUpdateDate"]))
        self.fields = wanted
        self.where = where
        self.page_size = page_size
        self.finished = False

    def __aiter__(self) -> AsyncGenerator[dict[str, Any], None]:
        return self._rows()

    async def _rows(self) -> AsyncGenerator[dict[str, Any], None]:
        from ..query import Q

        start = self.start
        after: tuple[datetime, str] | None = None
        sort = [("lastUpdateDate", "asc"), ("ID", "asc")]
        while True:
            if after is not None:
                t, oid = after
                cond = (Q.lastUpdateDate > t) | ((Q.lastUpdateDate == t) & (Q.ID > oid))
            elif start is not None:
                cond = Q.lastUpdateDate >= start.timestamp
            else:
                cond = None
            # Raw text dates for the cursor; rows are converted for the caller
            # only if the client parses dates.
            search = self.wf.search(self.obj, self.where, fields=self.fields, sort=sort)
            search = search.where(cond).parse_dates(False)
            page = [r async for r in search.limit(self.page_size).page_size(self.page_size)]
            for row in page:
                key = _row_key(row)
                if start is not None and key[0] == start.timestamp and key[1] in start.ids:
                    continue  # delivered by the previous run
                yield convert_dates(row) if self.wf.parse_dates else row
                # Only once the caller is done with the row does the cursor
                # move past it: a failure while handling it leaves it due.
                self.cursor = (self.cursor or SyncCursor(key[0])).advance([key])
            if len(page) < self.page_size:
                break
            last = _row_key(page[-1])
            if after is not None and last <= after:
                raise PaginationError(f"sync page after {after} made no progress")
            after = last
        # With nothing delivered and no start, the cursor stays None: the next
        # run is a full sync again (never "now", which a skewed clock would
        # turn into lost rows).
        self.finished = True
