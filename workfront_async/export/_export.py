"""Concurrent paged export.

Two consistency modes:

``"offset"``
    A ``count`` together with the first ``workers - 1`` pages, then every
    other ``$$FIRST``/``$$LIMIT`` page (sorted by the caller's sort, ID last)
    fetched concurrently as soon as the count is known. Exact when nothing changes
    during the export. When rows are inserted or deleted meanwhile, offsets
    shift: a row can be skipped or repeated across a page boundary. It never
    stops early: if the last planned page is full, it keeps paging until a
    short page.

``"keyset"``
    Pages by ID (``ID_Sort=asc`` and a range on ``ID``), the ID space split
    into 16 partitions by first character so that several run at once. A row
    that exists (and matches) for the whole export is yielded exactly once,
    whatever is created, edited or deleted meanwhile.

Memory stays bounded by (workers x page size) in both modes, ordered or not.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

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
    "export_pages",
    "export_rows",
    "keyset_partitions",
]

Row = dict[str, Any]
Consistency = Literal["offset", "keyset"]
MAX_PAGE = 2000


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

    def __init__(self, wf: Workfront, obj: str, fields: Iterable[str] = ()) -> None:
        self.wf = wf
        self.obj = obj
        self.use_fields(fields)

    def use_fields(self, fields: Iterable[str]) -> None:
        """Ask for ``fields`` (a typed export asks for its schema's fields)."""
        self.fields = list(fields)
        self.base = self.wf.search(self.obj, fields=self.fields).parse_dates(False)

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
        rows = await self.wf.request(Call("GET", f"{self.obj}/search", tuple(params)))
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

        self._schema = await schema_for(
            self._fetcher.wf, self._fetcher.obj, self._fetcher.fields, types=types
        )
        return self._schema

    async def _typed_pages(
        self, schema: ExportSchema | None, types: Mapping[str, str] | None
    ) -> tuple[ExportSchema, AsyncGenerator[list[Row], None]]:
        if schema is None:
            schema = await self.schema(types=types)
        if self._fetcher is not None:
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


async def _flatten(pages: AsyncGenerator[list[Row], None]) -> AsyncGenerator[Row, None]:
    async with contextlib.aclosing(pages):
        async for page in pages:
            for row in page:
                yield row


def keyset_partitions() -> list[tuple[str | None, str | None]]:
    """The ID ranges ``[lo, hi)`` a keyset export runs concurrently: split by
    the first hex character, open at both ends so that no ID of any shape
    falls outside."""
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
        pages = _keyset_pages(fetcher, clauses, workers, page_size, ordered)
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
    async with task_group() as tg:
        tg.start_soon(count)
        if ordered:
            windowed = _in_order(fetch, indexes, workers)
        else:
            # loops on standby only where REQUEST_GATE reaches: a fetcher that
            # sends through a client of ours
            standby = STANDBY if isinstance(fetcher, SearchFetcher) else 0
            windowed = _windowed(fetch, indexes, workers, standby)
        async with contextlib.aclosing(windowed):
            async for index, page in windowed:
                full[index] = len(page) >= page_size
                yield page
    # Rows were added after the count: keep going until a short page.
    index = max(planned, speculative)
    last_full = full.get(index - 1, False)
    previous_last: Any = None
    while last_full and (limit is None or index * page_size < limit):
        page = await fetch(index)
        if page and previous_last is not None and page[-1].get("ID") == previous_last:
            raise PaginationError(f"page {index} repeated the previous page; stopping")
        previous_last = page[-1].get("ID") if page else None
        yield page
        last_full = len(page) >= page_size
        index += 1


STANDBY = 2
"""Page loops an unordered export runs beyond its ``workers`` (see ``_windowed``):
with 200 ms answers on two cores they raised the export from 0.80 to 0.85 of
C x P / L; more did not help."""


async def _windowed(
    fetch: Callable[[int], Awaitable[list[Row]]],
    indexes: Callable[[], Awaitable[int | None]],
    workers: int,
    standby: int = 0,
) -> AsyncGenerator[tuple[int, list[Row]], None]:
    """Run ``fetch(i)`` for every index ``indexes()`` gives (0, 1, 2, ... then
    None) with at most ``workers`` requests in flight and ``workers + standby``
    pages fetched or held at once; yield ``(i, page)`` as they complete
    (``_in_order``: in index order, at most ``workers`` pages)."""
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
    send: MemoryObjectSendStream[tuple[int, list[Row]]]
    receive: MemoryObjectReceiveStream[tuple[int, list[Row]]]
    send, receive = anyio.create_memory_object_stream(0)
    gate = anyio.CapacityLimiter(workers)

    async def loop(out: MemoryObjectSendStream[tuple[int, list[Row]]]) -> None:
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


async def _keyset_pages(
    fetcher: PageFetcher, clauses: tuple[Any, ...], workers: int, page_size: int, ordered: bool
) -> AsyncGenerator[list[Row], None]:
    from ..query import Q

    partitions = keyset_partitions()
    sort = [("ID", "asc")]

    def id_filter(lo: str | None, hi: str | None, after: str | None) -> Any:
        low = after if after is not None else lo
        if low is None and hi is None:
            return None
        if low is None:
            return Q.ID < hi
        if hi is None:
            return Q.ID > low if after is not None else Q.ID >= low
        return Q.ID.between(low, hi)

    async def run_partition(
        lo: str | None, hi: str | None, out: ObjectSendStream[list[Row]]
    ) -> None:
        after: str | None = None
        async with out:
            while True:
                cond = id_filter(lo, hi, after)
                ands = clauses if cond is None else (*clauses, cond)
                # between(after, hi) returns the `after` row again: ask for one
                # more so that every page brings page_size new rows (and a
                # page size of 1 still progresses).
                ask = (
                    min(page_size + 1, MAX_PAGE)
                    if after is not None and hi is not None
                    else page_size
                )
                raw = await fetcher.page(ands, first=0, limit=ask, sort=sort)
                # between() is inclusive at both ends: the lower end is the
                # last row already yielded, the upper end belongs to the next
                # partition.
                page = [
                    r for r in raw if r.get("ID") != after and (hi is None or r.get("ID") != hi)
                ]
                if page:
                    new_last = page[-1].get("ID")
                    if after is not None and not (isinstance(new_last, str) and new_last > after):
                        raise PaginationError(
                            f"keyset page after ID {after!r} made no progress; stopping"
                        )
                    await out.send(page)
                if len(raw) < ask:
                    return
                last_id = raw[-1].get("ID")
                if not isinstance(last_id, str) or (after is not None and last_id <= after):
                    raise PaginationError(
                        f"keyset page after ID {after!r} made no progress; stopping"
                    )
                after = last_id

    limiter = anyio.CapacityLimiter(workers)

    async def guarded(lo: str | None, hi: str | None, out: ObjectSendStream[list[Row]]) -> None:
        # Close the stream however the task ends, even when it is cancelled
        # while waiting for the limiter (run_partition never started).
        async with out, limiter:
            await run_partition(lo, hi, out)

    if ordered:
        streams = [anyio.create_memory_object_stream[list[Row]](0) for _ in partitions]
        try:
            async with task_group() as tg:
                for (lo, hi), (snd, _) in zip(partitions, streams, strict=True):
                    tg.start_soon(guarded, lo, hi, snd)
                for _, rcv in streams:
                    async with rcv:
                        async for page in rcv:
                            yield page
        finally:
            # a failure or an early exit leaves the later partitions' streams open
            for snd, rcv in streams:
                snd.close()
                rcv.close()
    else:
        snd, rcv = anyio.create_memory_object_stream[list[Row]](workers)
        clones = [snd.clone() for _ in partitions]
        try:
            async with task_group() as tg:
                async with snd:
                    for (lo, hi), clone in zip(partitions, clones, strict=True):
                        tg.start_soon(guarded, lo, hi, clone)
                async with rcv:
                    async for page in rcv:
                        yield page
        finally:
            # a task cancelled before it first ran never closed its clone
            for clone in clones:
                clone.close()
            rcv.close()


def _with_id_last(sort: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    keys = [(f, d) for f, d in sort if f != "ID"]
    id_dir = next((d for f, d in sort if f == "ID"), "asc")
    return [*keys, ("ID", id_dir)]
