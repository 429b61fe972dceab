"""Incremental sync by ``lastUpdateDate`` (docs/api-notes.md §2, "Batch (polling)").

A run asks for the objects whose ``lastUpdateDate`` is at or after the
cursor, sorted by ``(lastUpdateDate, ID)``, and pages by keyset on that pair:
the next page starts after the last ``(lastUpdateDate, ID)`` seen, written as
``lastUpdateDate > t  OR  (lastUpdateDate = t AND ID > id)``. Offsets are never
used, so an edit during the run (which moves a row to the end) cannot make
another row be skipped.

The cursor is the greatest ``lastUpdateDate`` delivered and what was
delivered shortly before it: for each row delivered within ``overlap`` (an
hour) before that instant, its ID, its ``lastUpdateDate`` and a digest of the
row as delivered. A row that comes back with the same ID, date and digest was
delivered already and is left out; anything else is a change. So:

* rows that share the cursor's instant (Workfront stores milliseconds; bulk
  edits share them) are neither lost nor delivered twice across runs, even
  when more rows reach that instant later;
* a row delivered and then edited again within that same millisecond comes
  back with the same date but other values: it is delivered again;
* a server whose clock steps back (an edit then gets a ``lastUpdateDate``
  older than the cursor) is noticed before the run, by a count of the rows
  dated after the server's own ``$$NOW``, or by the rows at the cursor's
  instant having gone back in time. The run then reads the ``overlap``
  window before the cursor again and leaves out what it delivered already;
  the cursor remembers the step, so the next run reads the window once more
  after the clock has caught up. Steps back of more than ``overlap`` can lose
  changes made in the step.

The client's own clock is never read: a constant skew between it and the
server's changes nothing.

The feed stores nothing: saving the cursor only once the rows are durable is
the caller's part. :func:`workfront_async.sync_to_file` does that for a JSON
Lines file, exactly once across crashes (``_sync_file.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncGenerator, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from .._core.dates import convert_dates, parse_date
from .._core.exceptions import PaginationError, QueryError, ResponseError

if TYPE_CHECKING:
    from ._client import Workfront

__all__ = ["ChangeFeed", "SyncCursor"]

SYNC_PAGE = 2000
CURSOR_VERSION = 2
OVERLAP = timedelta(hours=1)
"""How far before the cursor a run reads again when the server's clock was
found behind it; the cursor remembers the rows delivered in that window."""

Seen = tuple[str, datetime, str]
"""A delivered row: ``(ID, lastUpdateDate, digest)``; an empty digest (a
cursor of version 1) matches any row of that ID and date."""


def _iso(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _frozen(ids: Iterable[str]) -> frozenset[str]:
    return frozenset(ids)


def _frozen_seen(seen: Iterable[Seen]) -> frozenset[Seen]:
    return frozenset(seen)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _row_digest(row: Mapping[str, Any]) -> str:
    """The row as delivered (raw text dates), independent of key order."""
    return _digest(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))


def _fields_signature(fields: Iterable[str]) -> str:
    """Which fields the row digests of a cursor cover: digests are compared
    only between runs that ask for the same fields."""
    return _digest("\x1f".join(sorted(set(fields))).encode())


@attrs.frozen
class SyncCursor:
    """Where the last sync run stopped: store ``cursor.dumps()`` and pass
    ``SyncCursor.loads(text)`` (or the cursor itself) to the next run.

    ``timestamp`` is the greatest ``lastUpdateDate`` delivered, ``ids`` the
    rows delivered at exactly that instant. ``seen`` holds the rows delivered
    within the feed's ``overlap`` before it, as ``(ID, lastUpdateDate,
    digest)``, ``fields`` which fields those digests cover, and ``behind``
    whether the last run found the server's clock behind the cursor (the
    next run then reads the overlap window again)."""

    timestamp: datetime
    ids: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    seen: frozenset[Seen] = attrs.field(default=frozenset(), converter=_frozen_seen)
    fields: str = ""
    behind: bool = False

    @classmethod
    def at(cls, when: datetime) -> SyncCursor:
        """A cursor that starts at ``when`` (aware datetime), with nothing seen yet."""
        if when.tzinfo is None:
            raise QueryError("the sync start must be an aware datetime (attach a tzinfo)")
        return cls(when)

    def to_dict(self) -> dict[str, Any]:
        """The cursor as JSON-ready data (what ``dumps`` writes)."""
        return {
            "version": CURSOR_VERSION,
            "timestamp": _iso(self.timestamp),
            "ids": sorted(self.ids),
            "seen": sorted([oid, _iso(when), digest] for oid, when, digest in self.seen),
            "fields": self.fields,
            "behind": self.behind,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SyncCursor:
        """Read ``to_dict()`` data, also of version 1 (``timestamp`` and
        ``ids`` only). Raises ``KeyError``, ``TypeError`` or ``ValueError``."""
        seen = data.get("seen", ())
        if not isinstance(seen, list | tuple):
            raise TypeError(f"seen is {type(seen).__name__}, not a list")
        fields = data.get("fields", "")
        if not isinstance(fields, str):
            raise TypeError(f"fields is {type(fields).__name__}, not a string")
        return cls(
            parse_date(data["timestamp"]),
            frozenset(data.get("ids", ())),
            frozenset((str(oid), parse_date(when), str(digest)) for oid, when, digest in seen),
            fields,
            bool(data.get("behind", False)),
        )

    def dumps(self) -> str:
        return orjson.dumps(self.to_dict()).decode()

    @classmethod
    def loads(cls, text: str | bytes) -> SyncCursor:
        try:
            data = orjson.loads(text)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            return cls.from_dict(data)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise QueryError(
                f"not a sync cursor ({exc}); delete the state file to start a full sync"
            ) from None

    def advance(self, rows: Iterable[tuple[datetime, str]]) -> SyncCursor:
        """The cursor after delivering ``rows`` of ``(lastUpdateDate, ID)``
        (remembered without digests: a row with the same ID and date is
        taken as delivered)."""
        ts, ids = self.timestamp, set(self.ids)
        seen = {oid: (when, digest) for oid, when, digest in self.seen}
        for when, oid in rows:
            if when > ts:
                ts, ids = when, {oid}
            elif when == ts:
                ids.add(oid)
            if self.seen:
                seen[oid] = (when, "")
        return attrs.evolve(
            self,
            timestamp=ts,
            ids=frozenset(ids),
            seen=frozenset((oid, when, digest) for oid, (when, digest) in seen.items()),
        )


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


class _Tally:
    returned = 0


class ChangeFeed:
    """The rows changed since a cursor; ``feed.cursor`` is the cursor to store
    once iteration has finished. ``overlap`` (an hour by default) is how far
    before the cursor a run reads again when the server's clock went back."""

    def __init__(
        self,
        wf: Workfront,
        obj: str,
        since: SyncCursor | datetime | None,
        *,
        fields: Iterable[str] = (),
        where: Any = None,
        page_size: int = SYNC_PAGE,
        overlap: timedelta = OVERLAP,
    ) -> None:
        if isinstance(since, datetime):
            since = SyncCursor.at(since)
        self.wf = wf
        self.obj = obj
        self.start = since
        wanted = list(dict.fromkeys([*fields, "lastUpdateDate"]))
        self.fields = wanted
        self.where = where
        self.page_size = page_size
        self.overlap = overlap
        self.finished = False
        self._signature = _fields_signature(wanted)
        # ID -> (lastUpdateDate, digest) of the rows delivered; the cursor
        # keeps those within ``overlap`` before the greatest date
        self._memory: dict[str, tuple[datetime, str]] = {}
        self._high: datetime | None = None
        self._behind = False
        if since is not None:
            self._high = since.timestamp
            self._behind = since.behind
            same_fields = since.fields == self._signature
            for oid, when, digest in since.seen:
                self._memory[oid] = (when, digest if same_fields else "")
            for oid in since.ids:
                self._memory.setdefault(oid, (since.timestamp, ""))
        self._prune_at = max(4096, 2 * len(self._memory))
        self._cursor = since
        self._moved = False

    @property
    def cursor(self) -> SyncCursor | None:
        """The cursor after the rows handled so far (the start cursor while
        nothing was delivered); ``None`` only when there was no start and
        nothing was delivered: the next run is a full sync again (never
        "now", which a skewed clock would turn into lost rows)."""
        if self._moved and self._high is not None:
            high, floor = self._high, self._high - self.overlap
            memory = self._memory
            self._cursor = SyncCursor(
                high,
                frozenset(oid for oid, (when, _) in memory.items() if when == high),
                frozenset((oid, when, d) for oid, (when, d) in memory.items() if when >= floor),
                self._signature,
                self._behind,
            )
            self._moved = False
        return self._cursor

    def __aiter__(self) -> AsyncGenerator[dict[str, Any], None]:
        return self._rows()

    async def _rows(self) -> AsyncGenerator[dict[str, Any], None]:
        start = self.start
        if start is None:
            lower = None
            remembers = False
        else:
            lower = start.timestamp
            # a cursor of SyncCursor.at(...) has delivered nothing: the rows
            # before it were never asked for, so there is nothing to read again
            remembers = bool(start.seen or start.ids)
        detected = remembers and await self._clock_behind()
        overlapping = detected or (remembers and start is not None and start.behind)
        if overlapping:
            assert start is not None
            self._set_behind(True)
            lower = start.timestamp - self.overlap
        tally = _Tally()
        async with contextlib.aclosing(self._pass(lower, tally)) as rows:
            async for row in rows:
                yield row
        if start is not None and start.ids and not overlapping and not tally.returned:
            # Not a single row at or after the cursor, not even the ones
            # delivered at its instant: they went back in time (or away).
            detected = True
            self._set_behind(True)
            lower = start.timestamp - self.overlap
            async with contextlib.aclosing(self._pass(lower, tally)) as rows:
                async for row in rows:
                    yield row
        # a step back found in this run is read again by the next one, which
        # catches the edits made between this run and the clock catching up
        self._set_behind(detected)
        self.finished = True

    async def _clock_behind(self) -> bool:
        """Whether the server dates rows after its own present: its clock went
        back since they were written. ``$$NOW`` is the server's own time
        (docs/api-notes.md §1 Search, "Wildcards"); one count, no rows."""
        ahead = {"lastUpdateDate": "$$NOW", "lastUpdateDate_Mod": "gt"}
        return await self.wf.count(self.obj, ahead) > 0

    def _set_behind(self, behind: bool) -> None:
        if behind != self._behind:
            self._behind = behind
            self._moved = True

    async def _pass(
        self, lower: datetime | None, tally: _Tally
    ) -> AsyncGenerator[dict[str, Any], None]:
        """The rows dated ``lower`` or later (all: ``None``) not delivered yet."""
        from ..query import Q

        after: tuple[datetime, str] | None = None
        sort = [("lastUpdateDate", "asc"), ("ID", "asc")]
        while True:
            if after is not None:
                t, oid = after
                cond = (Q.lastUpdateDate > t) | ((Q.lastUpdateDate == t) & (Q.ID > oid))
            elif lower is not None:
                cond = Q.lastUpdateDate >= lower
            else:
                cond = None
            # Raw text dates for the cursor and the digests; rows are
            # converted for the caller only if the client parses dates.
            search = self.wf.search(self.obj, self.where, fields=self.fields, sort=sort)
            search = search.where(cond).parse_dates(False)
            page = [r async for r in search.limit(self.page_size).page_size(self.page_size)]
            tally.returned += len(page)
            for row in page:
                when, oid = _row_key(row)
                digest = _row_digest(row)
                known = self._memory.get(oid)
                if known is not None and known[0] == when and known[1] in ("", digest):
                    continue  # delivered already, as it is now
                yield convert_dates(row) if self.wf.parse_dates else row
                # Only once the caller is done with the row does the cursor
                # move past it: a failure while handling it leaves it due.
                self._delivered(when, oid, digest)
            if len(page) < self.page_size:
                break
            last = _row_key(page[-1])
            if after is not None and last <= after:
                raise PaginationError(f"sync page after {after} made no progress")
            after = last

    def _delivered(self, when: datetime, oid: str, digest: str) -> None:
        self._memory[oid] = (when, digest)
        if self._high is None or when > self._high:
            self._high = when
        self._moved = True
        if len(self._memory) >= self._prune_at:
            floor = self._high - self.overlap
            self._memory = {k: v for k, v in self._memory.items() if v[0] >= floor}
            self._prune_at = max(4096, 2 * len(self._memory))
