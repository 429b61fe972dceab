"""Concurrent paged export.

Two consistency modes:

``"offset"``
    A ``count`` together with the first ``workers - 1`` pages, then every
    other ``$$FIRST``/``$$LIMIT`` page (sorted by the caller's sort, ID last)
    fetched concurrently as soon as the count is known. Exact when nothing changes
    during the export. When rows are inserted or deleted meanwhile, offsets
    shift: a row can be skipped or repeated across a page boundary. It never
    stops early: if the last planned page is full, it keeps paging until a
    short page. A page that starts with the same row as another page (a server
    that ignores ``$$FIRST``) stops the export before its rows are handed over.

``"keyset"``
    Pages by ID (``ID_Sort=asc`` and a range on ``ID``) over ranges of the ID
    space: 16 at first, split by first character, and a range that turns out
    to hold more than a page is split further at points estimated from the IDs
    of its last page, so that enough ranges run at once (ordered or not, and
    whatever the spread of the IDs). A row that exists (and matches) for the
    whole export is yielded exactly once, whatever is created, edited or
    deleted meanwhile.

Memory stays bounded by (workers + 2) x page size in both modes (ordered
offset: workers x page size); requests in flight never pass the workers.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

import anyio
import attrs
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._core.checks import check_limit, check_page_size
from .._core.concurrency import task_group
from .._core.dates import convert_dates
from .._core.exceptions import PaginationError, QueryError, ResponseError
from .._core.limiter import REQUEST_GATE
from .._core.request import Call
from .._core.telemetry import observed_export
from ._sinks import TypedSinks

if TYPE_CHECKING:
    from ..classic._client import Workfront
    from ..classic._search import Search
    from ._schema import ExportSchema

__all__ = [
    "Export",
    "ExportProgress",
    "PageFetcher",
    "SearchFetcher",
    "TypedExport",
    "export_pages",
    "export_rows",
    "keyset_partitions",
]

Row = dict[str, Any]
Consistency = Literal["offset", "keyset"]
MAX_PAGE = 2000
T = TypeVar("T")


@attrs.frozen
class ExportProgress:
    """A progress report, passed to the export's ``progress`` callback after each page."""

    rows_done: int
    rows_total: int | None
    elapsed: float

    @property
    def rows_per_second(self) -> float:
        return self.rows_done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, estimated from the rate so far (None when unknown)."""
        if self.rows_total is None or self.rows_done == 0:
            return None
        rate = self.rows_per_second
        return max(self.rows_total - self.rows_done, 0) / rate if rate else None


class PageFetcher(Protocol):
    """What the exporter needs from a client: a count and one page. ``clauses``
    are ANDed filters (query expressions or raw parameter mappings)."""

    async def count(self, clauses: Sequence[Any]) -> int: ...

    async def page(
        self, clauses: Sequence[Any], *, first: int, limit: int, sort: Sequence[tuple[str, str]]
    ) -> list[Row]: ...


class SearchFetcher:
    """A :class:`PageFetcher` over a ``Workfront`` client's search and count."""

    def __init__(
        self, wf: Workfront, obj: str, fields: Iterable[str] = (), *, model: Any = None
    ) -> None:
        self.wf = wf
        self.obj = obj
        # A generated row class: pages are decoded straight into it (no dicts).
        self.model = model
        self.parse: Any = None
        self.use_fields(fields)

    def use_fields(self, fields: Iterable[str]) -> None:
        """Ask for ``fields`` (a typed export asks for its schema's fields)."""
        self.fields = list(fields)
        self.base = self.wf.search(self.obj, fields=self.fields).parse_dates(False)
        if self.model is not None:
            from ..models import page_parser, projection

            self.parse = page_parser(projection(self.model, self.fields))

    def use_dicts(self) -> None:
        """Fetch dict rows from now on (file and Arrow outputs convert dicts
        by the schema, which a typed export takes from its row class)."""
        self.model = self.parse = None

    def _search(self, clauses: Sequence[Any]) -> Search[Row]:
        search = self.base
        for clause in clauses:
            search = search.where(clause)
        return search

    async def count(self, clauses: Sequence[Any]) -> int:
        return await self._search(clauses).count()

    async def page(
        self, clauses: Sequence[Any], *, first: int, limit: int, sort: Sequence[tuple[str, str]]
    ) -> list[Row]:
        search = self._search(clauses)
        if sort:
            search = search.sort(*sort)
        params = [*search.params(), ("$$FIRST", str(first)), ("$$LIMIT", str(limit))]
        call = Call("GET", f"{self.obj}/search", tuple(params), parse=self.parse)
        rows = await self.wf.request(call)
        if self.model is not None:
            # The decoder made exactly a list of row-class instances, or raised.
            if len(rows) > limit:
                raise PaginationError(
                    f"{self.obj} search: asked for {limit} rows at $$FIRST={first}, got {len(rows)}"
                )
            return rows  # type: ignore[no-any-return]
        # set(map(type, ...)) checks every row in C, a fraction of a Python loop's cost.
        if not isinstance(rows, list) or not set(map(type, rows)) <= {dict}:
            raise ResponseError(
                f"a {self.obj} search page at $$FIRST={first} is not a list of rows"
            )
        if len(rows) > limit:
            raise PaginationError(
                f"{self.obj} search: asked for {limit} rows at $$FIRST={first}, got {len(rows)}"
            )
        if self.wf.parse_dates:
            rows = [convert_dates(r) for r in rows]
        return rows


class Export(TypedSinks):
    """The result of ``wf.export(...)``: ``async for row in export`` yields rows,
    ``async for page in export.pages()`` yields lists of rows (cheaper per row,
    for writers that take batches). Use it as ``async with wf.export(...) as
    rows:`` so that leaving early stops the page fetches at once. An export is
    iterated once."""

    def __init__(
        self,
        pages: Callable[[], AsyncGenerator[list[Row], None]],
        *,
        fetcher: SearchFetcher | None = None,
    ) -> None:
        self._factory = observed_export(pages, fetcher.obj if fetcher is not None else None)
        self._gen: AsyncGenerator[Any, None] | None = None
        self._fetcher = fetcher
        self._schema: ExportSchema | None = None

    # -- typed output: schema, Arrow, data frames, files ------------------------------

    async def schema(
        self, *, types: Mapping[str, str] | None = None, refresh: bool = False
    ) -> ExportSchema:
        """The typed columns of this export, from the tenant's metadata
        (fetched once per client). Empty ``fields=`` means ``ID`` and every
        plain field of the object. ``types`` overrides columns
        (``{"DE:Score": "float64"}``)."""
        if self._schema is not None and not refresh and types is None:
            return self._schema
        if self._fetcher is None:
            raise RuntimeError("this export was not made by wf.export(); pass schema= explicitly")
        from ._metadata import schema_for

        metadata = None
        if self._fetcher.model is not None:
            from ..models import package_metadata

            # A typed export's columns come from its row class (and the classes
            # of its package), as generated: no metadata request.
            metadata = package_metadata(self._fetcher.model)
        self._schema = await schema_for(
            self._fetcher.wf,
            self._fetcher.obj,
            self._fetcher.fields,
            types=types,
            metadata=metadata,
        )
        return self._schema

    async def _typed_pages(
        self, schema: ExportSchema | None, types: Mapping[str, str] | None
    ) -> tuple[ExportSchema, AsyncGenerator[list[Row], None]]:
        if schema is None:
            schema = await self.schema(types=types)
        if self._fetcher is not None:
            self._fetcher.use_dicts()
            self._fetcher.use_fields(schema.fields)
        return schema, self.pages()

    def _start(self, gen: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
        if self._gen is not None:
            raise RuntimeError("an export can be iterated once; call wf.export() again")
        self._gen = gen
        return gen

    def pages(self) -> AsyncGenerator[list[Row], None]:
        """The export page by page."""
        return self._start(self._factory())

    def __aiter__(self) -> AsyncGenerator[Row, None]:
        return self._start(_flatten(self._factory()))

    async def __aenter__(self) -> Export:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._gen is not None:
            await self._gen.aclose()


M = TypeVar("M")


class TypedExport(Export, Generic[M]):
    """The result of ``wf.export(Task, ...)`` with a generated row class: the
    same export, whose rows are ``Task`` instances (typed outputs such as
    ``to_arrow`` and ``write`` take their columns from the class)."""

    if TYPE_CHECKING:

        def pages(self) -> AsyncGenerator[list[M], None]: ...  # type: ignore[override]

        def __aiter__(self) -> AsyncGenerator[M, None]: ...  # type: ignore[override]

        async def __aenter__(self) -> TypedExport[M]: ...


def row_id(row: Any) -> Any:
    """The ``ID`` of a row: a dict or a row-class instance."""
    return row.get("ID") if type(row) is dict else getattr(row, "ID", None)


async def _flatten(pages: AsyncGenerator[list[Row], None]) -> AsyncGenerator[Row, None]:
    async with contextlib.aclosing(pages):
        async for page in pages:
            for row in page:
                yield row


def keyset_partitions() -> list[tuple[str | None, str | None]]:
    """The ID ranges ``[lo, hi)`` a keyset export starts with (it splits those
    that hold more than a page further): split by the first hex character,
    open at both ends so that no ID of any shape falls outside."""
    bounds = "123456789abcdef"
    edges: list[str | None] = [None, *bounds, None]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def _check_arguments(
    page_size: int, limit: int | None, consistency: str, sort: Sequence[tuple[str, str]]
) -> None:
    check_page_size(page_size)
    check_limit(limit)
    if consistency not in ("offset", "keyset"):
        raise QueryError(f"consistency must be 'offset' or 'keyset', got {consistency!r}")
    if consistency == "keyset" and sort and list(sort) != [("ID", "asc")]:
        raise QueryError("a keyset export is sorted by ID; drop sort= or use consistency='offset'")


class _Counter:
    """The export's row count and progress reports. The total is filled in
    when the count request (sent alongside the first pages) comes back."""

    def __init__(self, limit: int | None, progress: Callable[[ExportProgress], Any] | None):
        self.limit = limit
        self.progress = progress
        self.total: int | None = None
        self.done = 0
        self.started = time.monotonic()
        self.known = anyio.Event()

    def set_total(self, count: int) -> None:
        self.total = count if self.limit is None else min(count, self.limit)
        self.known.set()
        self.report()

    def report(self) -> None:
        if self.progress is not None:
            self.progress(ExportProgress(self.done, self.total, time.monotonic() - self.started))


async def export_pages(
    fetcher: PageFetcher,
    where: Any = None,
    *,
    workers: int = 10,
    page_size: int = MAX_PAGE,
    sort: Sequence[tuple[str, str]] = (),
    ordered: bool = False,
    consistency: Consistency = "offset",
    limit: int | None = None,
    progress: Callable[[ExportProgress], Any] | None = None,
) -> AsyncGenerator[list[Row], None]:
    """Yield every row matching ``where``, page by page (lists of rows, empty
    pages left out); see the module docstring."""
    _check_arguments(page_size, limit, consistency, sort)
    workers = max(1, workers)
    counter = _Counter(limit, progress)
    if limit == 0:
        counter.set_total(0)
        return

    clauses: tuple[Any, ...] = () if where is None else (where,)

    async def count() -> None:
        counter.set_total(await fetcher.count(clauses))

    if consistency == "offset":
        pages = _offset_pages(fetcher, clauses, counter, workers, page_size, sort, ordered)
    else:
        pages = _keyset_pages(fetcher, clauses, counter, workers, page_size, ordered)
    async with task_group() as tg:
        if consistency == "keyset":
            tg.start_soon(count)  # for progress only; the pages do not wait for it
        async with contextlib.aclosing(pages):
            async for page in pages:
                if limit is not None and counter.done + len(page) > limit:
                    page = page[: limit - counter.done]
                if page:
                    counter.done += len(page)
                    yield page
                    counter.report()
                if limit is not None and counter.done >= limit:
                    tg.cancel_scope.cancel()
                    return
    counter.report()


async def export_rows(
    fetcher: PageFetcher,
    where: Any = None,
    **kwargs: Any,
) -> AsyncGenerator[Row, None]:
    """Yield every row matching ``where`` (``export_pages`` flattened)."""
    async for row in _flatten(export_pages(fetcher, where, **kwargs)):
        yield row


async def _offset_pages(
    fetcher: PageFetcher,
    clauses: tuple[Any, ...],
    counter: _Counter,
    workers: int,
    page_size: int,
    sort: Sequence[tuple[str, str]],
    ordered: bool,
) -> AsyncGenerator[list[Row], None]:
    sort = _with_id_last(sort)
    limit = counter.limit
    # The count and the first pages go out together: waiting for the count
    # first would cost a whole round trip. Pages past the end come back empty.
    speculative = workers - 1
    if limit is not None:
        speculative = min(speculative, math.ceil(limit / page_size))
    planned = 0

    async def count() -> None:
        nonlocal planned
        counter.set_total(await fetcher.count(clauses))
        assert counter.total is not None
        planned = max(math.ceil(counter.total / page_size), 1)

    index_source = 0

    async def indexes() -> int | None:
        """The next page to fetch, None past the last (shared by the workers)."""
        nonlocal index_source
        if index_source >= speculative and not counter.known.is_set():
            await counter.known.wait()
        if index_source >= max(planned, speculative):
            return None
        index_source += 1
        return index_source - 1

    async def fetch(index: int) -> list[Row]:
        return await fetcher.page(clauses, first=index * page_size, limit=page_size, sort=sort)

    full: dict[int, bool] = {}
    # The first ID of every page: a page that starts where another one did
    # was not moved by $$FIRST (a server or proxy that ignores it answers the
    # first page again and again). Checked before the page is handed over, so
    # the consumer gets none of its rows.
    starts: dict[Any, int] = {}

    def check_start(index: int, page: list[Row]) -> None:
        if not page:
            return
        first = row_id(page[0])
        other = starts.setdefault(first, index)
        if other != index:
            raise PaginationError(
                f"page {index} ($$FIRST={index * page_size}) starts with the same row "
                f"(ID {first!r}) as page {other}: the server did not apply $$FIRST; stopping"
            )

    async with task_group() as tg:
        tg.start_soon(count)
        if ordered:
            windowed = _in_order(fetch, indexes, workers)
        else:
            windowed = _windowed(fetch, indexes, workers, _standby(fetcher))
        async with contextlib.aclosing(windowed):
            async for index, page in windowed:
                check_start(index, page)
                full[index] = len(page) >= page_size
                yield page
    # Rows were added after the count: keep going until a short page.
    index = max(planned, speculative)
    last_full = full.get(index - 1, False)
    previous_last: Any = None
    while last_full and (limit is None or index * page_size < limit):
        page = await fetch(index)
        if page and previous_last is not None and row_id(page[-1]) == previous_last:
            raise PaginationError(f"page {index} repeated the previous page; stopping")
        check_start(index, page)
        previous_last = row_id(page[-1]) if page else None
        yield page
        last_full = len(page) >= page_size
        index += 1


def _standby(fetcher: PageFetcher) -> int:
    """Page loops on standby only where ``REQUEST_GATE`` reaches: a fetcher
    that sends through a client of ours."""
    return STANDBY if isinstance(fetcher, SearchFetcher) else 0


STANDBY = 2
"""Page loops an unordered export runs beyond its ``workers`` (see ``_windowed``):
with 200 ms answers on two cores they raised the export from 0.80 to 0.85 of
C x P / L; more did not help."""


async def _windowed(
    fetch: Callable[[T], Awaitable[list[Row]]],
    indexes: Callable[[], Awaitable[T | None]],
    workers: int,
    standby: int = 0,
) -> AsyncGenerator[tuple[T, list[Row]], None]:
    """Run ``fetch(i)`` for every item ``indexes()`` gives (page indexes 0, 1,
    2, ... or keyset ranges, then None) with at most ``workers`` requests in
    flight and ``workers + standby`` pages fetched or held at once; yield
    ``(i, page)`` as they complete (``_in_order``: in index order, at most
    ``workers`` pages)."""
    # ``workers`` loops, each fetching its next page as soon as it has handed
    # over the last one. A page waits in no buffer (the stream holds none): a
    # loop holds at most one page, and when the consumer is already waiting the
    # page changes hands and the next request goes out without passing through
    # the event loop's queue, where other pages' decoding would delay it (a
    # task spawned per page waited behind several such trips: on two cores,
    # with 200 ms answers, a fifth of the cap's time went unused).
    #
    # ``standby`` loops more than ``workers`` wait with their next request for
    # a slot while ``workers`` requests are in flight (``REQUEST_GATE`` keeps
    # the export's requests to ``workers``): when an answer arrives, a waiting
    # request takes its slot before that answer is decoded (the sender lets it
    # go first), so the decoding is off the path from answer to next request.
    send: MemoryObjectSendStream[tuple[T, list[Row]]]
    receive: MemoryObjectReceiveStream[tuple[T, list[Row]]]
    send, receive = anyio.create_memory_object_stream(0)
    gate = anyio.CapacityLimiter(workers)

    async def loop(out: MemoryObjectSendStream[tuple[T, list[Row]]]) -> None:
        REQUEST_GATE.set(gate)  # this task's requests only
        async with out:
            while (i := await indexes()) is not None:
                page = await fetch(i)
                try:
                    try:
                        out.send_nowait((i, page))
                    except anyio.WouldBlock:
                        await out.send((i, page))
                except anyio.BrokenResourceError:
                    # the consumer has left (cancelled, or stopped early) while
                    # this page came in: nobody to hand it to
                    return
                # Not kept through the next fetch: the consumer frees the page
                # when done with it (while it is still in the CPU's cache), and
                # a loop waiting for an answer holds no page.
                del page

    async with send, task_group() as tg:
        for _ in range(workers + standby):
            tg.start_soon(loop, send.clone())
        send.close()
        async with receive:
            async for item in receive:
                yield item


async def _in_order(
    fetch: Callable[[int], Awaitable[list[Row]]],
    indexes: Callable[[], Awaitable[int | None]],
    workers: int,
) -> AsyncGenerator[tuple[int, list[Row]], None]:
    """``_windowed`` yielding pages in index order: a page waits in a buffer
    until those before it have left, and holds its window slot until then."""
    send: ObjectSendStream[tuple[int, list[Row]]]
    receive: ObjectReceiveStream[tuple[int, list[Row]]]
    send, receive = anyio.create_memory_object_stream(workers)
    slots = anyio.Semaphore(workers)

    async def run(i: int) -> None:
        page = await fetch(i)
        await send.send((i, page))

    async def produce() -> None:
        async with send, task_group() as tg:
            while True:
                await slots.acquire()
                i = await indexes()
                if i is None:
                    return
                tg.start_soon(run, i)

    # ``send`` is closed here too: ``produce`` cancelled before it first ran
    # never closed it (an unclosed-stream ResourceWarning at garbage collection)
    async with send, task_group() as tg:
        tg.start_soon(produce)
        pending: dict[int, list[Row]] = {}
        next_index = 0
        async with receive:
            async for i, page in receive:
                pending[i] = page
                while next_index in pending:
                    # A slot frees only when its page leaves the buffer, so
                    # memory stays bounded even when an early page is slow.
                    slots.release()
                    yield next_index, pending.pop(next_index)
                    next_index += 1


# --- keyset: ranges of the ID space ---------------------------------------------------

_HEX = frozenset("0123456789abcdef")
_ID_DIGITS = 32  # Workfront IDs: 32 lower-case hex digits
_ID_END = 16**_ID_DIGITS


def _id_point(text: str | None, *, end: bool = False) -> int | None:
    """``text`` (a Workfront ID, or the start of one) as a point of the ID
    space, ``None`` as the open end (0, or past the last ID); ``None`` when it
    is not lower-case hex (a range of such IDs is paged, never split)."""
    if text is None:
        return _ID_END if end else 0
    if not 0 < len(text) <= _ID_DIGITS or not _HEX.issuperset(text):
        return None
    return int(text.ljust(_ID_DIGITS, "0"), 16)


class _Range:
    """The IDs in ``[lo, hi)`` (``None``: open), paged by keyset: ``after`` is
    the last ID fetched, ``left`` the rows estimated still to come (``None``:
    no estimate yet). One request at a time per range. An ordered export
    keeps the range's fetched pages in ``pages`` until the consumer takes them."""

    __slots__ = ("after", "done", "hi", "key", "left", "lo", "pages")

    def __init__(self, lo: str | None, hi: str | None, left: float | None = None) -> None:
        self.lo = lo
        self.hi = hi
        self.key = _id_point(lo) or 0
        self.left = left
        self.after: str | None = None
        self.done = False
        self.pages: deque[tuple[list[Row], anyio.Event]] = deque()


class _KeysetPlan:
    """The ranges of a keyset export and which of them sends its next request.

    ``take`` gives the ready range lowest in the ID space (the one an ordered
    consumer needs soonest). A range whose full page comes back is split
    where fewer ranges are running than there are page loops: the ID span of
    that page, which held about a page of rows, is laid out again after it,
    piece after piece (the local density of IDs, whatever their spread over
    the whole space), and the rest of the range follows as one more range.

    Ordered, a loop takes a range only if its next page falls, by these
    estimates, within the next ``loops`` pages the consumer will take: a page
    held for a far range would keep a loop from the near ones (without this,
    the first pages of 16 ranges filled the window while the consumer waited
    on the first range one round trip at a time).

    Pure bookkeeping on one event loop; ``changed`` wakes whoever waits for a
    range to become ready, finish, or have a page taken."""

    def __init__(
        self, *, loops: int, page_size: int, ordered: bool, total: Callable[[], int | None]
    ) -> None:
        self.loops = loops
        self.page_size = page_size
        self.ordered = ordered
        self.total = total
        # pieces this large (rows) mostly take one request: random IDs
        # spread a page's worth by about its square root
        self.piece = max(page_size / 2, page_size - 3 * math.sqrt(page_size))
        self.ranges = [_Range(lo, hi) for lo, hi in keyset_partitions()]  # in ID order
        self.share = 1 / len(self.ranges)
        self.unfinished = len(self.ranges)
        self.rows = 0  # fetched so far
        self._ready = [(r.key, i, r) for i, r in enumerate(self.ranges)]
        heapq.heapify(self._ready)
        self._made = len(self.ranges)
        self._changed = anyio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def changed(self) -> None:
        await self._changed.wait()

    async def take(self) -> _Range | None:
        """The next range to fetch a page of; ``None`` once every range is done."""
        while True:
            if self._ready:
                first = self._ready[0][2]
                if not self.ordered or self._within_window(first):
                    return heapq.heappop(self._ready)[2]
            elif not self.unfinished:
                return None
            # every unfinished range has its request in flight (or, ordered,
            # the next one is too far ahead): wait for a page or a take
            await self.changed()

    def _pages_left(self, r: _Range) -> float:
        left = r.left
        if left is None:
            total = self.total()  # not yet known: as far as it gets
            left = math.inf if total is None else total * self.share
        return max(1.0, left / self.page_size)

    def _within_window(self, r: _Range) -> bool:
        """Whether ``r``'s next page is among the next ``loops`` pages the
        consumer takes (the first unfinished range always is)."""
        ahead = 0.0
        for q in self.ranges:
            if q is r:
                return True
            ahead += len(q.pages)
            if not q.done:
                ahead += self._pages_left(q)
            if ahead >= self.loops:
                return False
        return True

    def _push(self, r: _Range) -> None:
        heapq.heappush(self._ready, (r.key, self._made, r))
        self._made += 1

    def fetched(self, r: _Range, raw: list[Row], more: bool) -> None:
        """Record the answer ``raw`` for ``r``: its last page (``more`` false),
        or a full page after which ``r`` is ready again, perhaps split."""
        self.rows += len(raw)
        if not more:
            r.done = True
            r.left = 0.0
            self.unfinished -= 1
        else:
            r.after = row_id(raw[-1])
            self._split(r, raw)
            self._push(r)
        self.notify()

    def _split(self, r: _Range, raw: list[Row]) -> None:
        """After a full page of ``r``: estimate what is left of it and, where
        more ranges would run, lay out pieces of about ``piece`` rows after it."""
        after, first = r.after, row_id(raw[0])
        r.left = None
        if after is None or len(after) != _ID_DIGITS or not isinstance(first, str):
            return
        if len(raw) < 2:  # one row tells no density
            return
        start, low, high = _id_point(first), _id_point(after), _id_point(r.hi, end=True)
        if start is None or low is None or high is None or not start < low < high:
            return
        density = (len(raw) - 1) / (low - start)  # rows per point of the ID space
        total = self.total()
        cap = math.inf if total is None else max(float(total - self.rows), 0.0)
        r.left = min(density * (high - low), cap)
        if self.ordered:
            pieces = self.loops
        else:
            pieces = min(self.loops - self.unfinished + 1, math.ceil(r.left / self.piece))
        width = max(1, math.ceil(self.piece / density))
        cuts = [low + width * i for i in range(1, pieces + 1) if low + width * i < high]
        if not cuts:
            return
        bounds = [f"{c:032x}" for c in cuts]
        hi, r.hi, r.left = r.hi, bounds[0], self.piece
        new = [_Range(a, b, self.piece) for a, b in itertools.pairwise(bounds)]
        rest = min(density * (high - cuts[-1]), cap)
        new.append(_Range(bounds[-1], hi, rest))
        if self.ordered:
            at = self.ranges.index(r) + 1
            self.ranges[at:at] = new
        for piece in new:
            self._push(piece)
        self.unfinished += len(new)


async def _keyset_pages(
    fetcher: PageFetcher,
    clauses: tuple[Any, ...],
    counter: _Counter,
    workers: int,
    page_size: int,
    ordered: bool,
) -> AsyncGenerator[list[Row], None]:
    from ..query import Q

    sort = [("ID", "asc")]
    standby = _standby(fetcher)
    plan = _KeysetPlan(
        loops=workers + standby,
        page_size=page_size,
        ordered=ordered,
        total=lambda: counter.total,
    )

    def id_filter(lo: str | None, hi: str | None, after: str | None) -> Any:
        low = after if after is not None else lo
        if low is None and hi is None:
            return None
        if low is None:
            return Q.ID < hi
        if hi is None:
            return Q.ID > low if after is not None else Q.ID >= low
        return Q.ID.between(low, hi)

    async def fetch(r: _Range) -> tuple[list[Row], list[Row], bool]:
        """One page of ``r``: (its new rows, the raw answer, whether more follow)."""
        lo, hi, after = r.lo, r.hi, r.after
        cond = id_filter(lo, hi, after)
        ands = clauses if cond is None else (*clauses, cond)
        # between(after, hi) returns the `after` row again: ask for one more
        # so that every page brings page_size new rows (and a page size of 1
        # still progresses).
        ask = min(page_size + 1, MAX_PAGE) if after is not None and hi is not None else page_size
        raw = await fetcher.page(ands, first=0, limit=ask, sort=sort)
        # between() is inclusive at both ends: the lower end is the last row
        # already yielded, the upper end belongs to the next range.
        page = [row for row in raw if row_id(row) != after and (hi is None or row_id(row) != hi)]
        if page:
            new_last = row_id(page[-1])
            if after is not None and not (isinstance(new_last, str) and new_last > after):
                raise PaginationError(f"keyset page after ID {after!r} made no progress; stopping")
        more = len(raw) >= ask
        if more:
            last_id = row_id(raw[-1])
            if not isinstance(last_id, str) or (after is not None and last_id <= after):
                raise PaginationError(f"keyset page after ID {after!r} made no progress; stopping")
        return page, raw, more

    if not ordered:

        async def fetch_next(r: _Range) -> list[Row]:
            page, raw, more = await fetch(r)
            # the range is ready for its next request before this page is
            # handed over: another loop sends it while this one waits
            plan.fetched(r, raw, more)
            return page

        windowed = _windowed(fetch_next, plan.take, workers, standby)
        async with contextlib.aclosing(windowed):
            async for _, page in windowed:
                yield page
        return

    # Ordered: ``workers + standby`` loops, each holding at most one page
    # (in flight, or fetched and waiting for the consumer), take the ready
    # range lowest in the ID space. A loop whose page the consumer takes is
    # free at once, and the range the consumer needs next is the lowest
    # unfinished one, which ``take`` never holds back: it never waits for a
    # loop that holds a later page, whatever order the loops first ran in
    # (trio runs new tasks in a varying order).
    gate = anyio.CapacityLimiter(workers)

    async def loop() -> None:
        REQUEST_GATE.set(gate)  # this task's requests only
        while (r := await plan.take()) is not None:
            page, raw, more = await fetch(r)
            taken: anyio.Event | None = None
            if page:
                taken = anyio.Event()
                r.pages.append((page, taken))  # before the range may be marked done
                del page
            plan.fetched(r, raw, more)
            del raw
            if taken is not None:
                await taken.wait()

    async with task_group() as tg:
        for _ in range(plan.loops):
            tg.start_soon(loop)
        ranges = plan.ranges
        while ranges:
            first = ranges[0]
            if first.pages:
                page, taken = first.pages.popleft()
                taken.set()  # its loop fetches the next page while this one is used
                plan.notify()  # and the window moves on
                yield page
                del page
            elif first.done:
                ranges.pop(0)
            else:
                await plan.changed()


def _with_id_last(sort: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    keys = [(f, d) for f, d in sort if f != "ID"]
    id_dir = next((d for f, d in sort if f == "ID"), "asc")
    return [*keys, ("ID", id_dir)]
