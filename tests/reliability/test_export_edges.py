"""Exports at their edges, over real HTTP on 127.0.0.1 and through the public
API: a keyset export whose consumer stops taking pages holds at most
workers + 2 pages (both HTTP nodes, ordered or not); an ordered keyset export
keeps its requests overlapping instead of paging one range at a time; a
keyset export stays exact while others write when IDs bunch as Workfront's
do (they start with their creation time, so most of the ID space is empty);
an offset export against a server that ignores ``$$FIRST`` stops before it
hands over a repeated page."""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import anyio
import httpx
import pytest
import uvicorn

from workfront_async import PaginationError, Q, Retry, Workfront
from workfront_async.testing import Emulator

from ._support import BASE, client, seeded

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]
NODES = ["httpx", "aiohttp"]


class Searches:
    """The emulator behind a door that counts page requests (``/search``) and,
    with ``ignore_first``, drops ``$$FIRST`` from them, as a server or proxy
    that does not implement it would."""

    def __init__(self, app: App, *, ignore_first: bool = False) -> None:
        self.app = app
        self.ignore_first = ignore_first
        self.count = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/search"):
            self.count += 1
            if self.ignore_first:
                query = scope["query_string"].split(b"&")
                kept = [p for p in query if not p.startswith((b"%24%24FIRST=", b"$$FIRST="))]
                scope = {**scope, "query_string": b"&".join(kept)}
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def serve(app: App) -> AsyncIterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ws="none", access_log=False, interface="asgi3"
    )
    server = uvicorn.Server(config)
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            with anyio.fail_after(30):
                while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
                    await anyio.sleep(0.01)
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.should_exit = True


async def settled(count: Callable[[], int]) -> int:
    """``count()`` once it has stopped growing (bounded: at most about 20 s)."""
    last, still = count(), 0
    for _ in range(4_000):
        await anyio.sleep(0.005)
        now = count()
        still = still + 1 if now == last else 0
        last = now
        if still >= 60:  # no new request for a good while
            break
    return last


# -- the memory bound ------------------------------------------------------------------


@pytest.mark.parametrize("ordered", [False, True], ids=["unordered", "ordered"])
@pytest.mark.parametrize("node", NODES)
async def test_a_stalled_keyset_export_holds_at_most_workers_plus_two_pages(
    node: str, ordered: bool
) -> None:
    # 60 pages of 100 rows over 16 ID ranges and more: far more than fit
    emu = seeded(6_000)
    door = Searches(emu.app)
    async with serve(door) as url:
        wf = Workfront(
            url,
            api_key=emu.api_key(),
            http=node,  # type: ignore[arg-type]
            max_concurrency=4,
            retry=Retry().without_backoff(),
        )
        async with (
            wf,
            wf.export("task", page_size=100, consistency="keyset", ordered=ordered) as stalled,
        ):
            pages = stalled.pages()
            first = await anext(pages)
            assert len(first) == 100
            # the consumer does not come back for more
            searches = await settled(lambda: door.count)
    # 4 workers: 4 pages in flight or waiting, 2 more waiting for a slot, and
    # the one the consumer took
    assert searches <= 4 + 2 + 1


# -- ordered keyset: concurrent, not one range at a time -------------------------------


class Timeline(httpx.AsyncBaseTransport):
    """Records when each page request starts and ends."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.spans: list[tuple[float, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        start = anyio.current_time()
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/search"):
            self.spans.append((start, anyio.current_time()))
        return response

    def round_trips(self) -> int:
        """The longest run of page requests each sent after the one before it
        came back: the round trips the export waited for one after another."""
        chain, end = 0, -float("inf")
        for start, stop in sorted(self.spans, key=lambda span: span[1]):
            if start >= end:
                chain, end = chain + 1, stop
        return chain


async def keyset_round_trips(emu: Emulator, *, ordered: bool) -> tuple[int, int]:
    timeline = Timeline(emu.transport())
    wf = Workfront(BASE, api_key=emu.api_key(), transport=timeline, retry=Retry.none())
    async with (
        wf,
        wf.export("task", page_size=100, consistency="keyset", ordered=ordered) as rows,
    ):
        ids = [row["ID"] async for row in rows]
    assert sorted(ids) == sorted(r["ID"] for r in emu.rows("task"))
    if ordered:
        assert ids == sorted(ids)
    return timeline.round_trips(), len(timeline.spans)


async def test_an_ordered_keyset_export_keeps_its_requests_overlapping() -> None:
    # 40 pages over 16 ID ranges: each range is more than two pages long, so
    # paging each range alone, in order, costs a round trip per page
    emu = seeded(4_000, latency=0.02)
    unordered, _ = await keyset_round_trips(emu, ordered=False)
    in_order, requests = await keyset_round_trips(emu, ordered=True)
    assert requests >= 40
    # the requests overlap about as much ordered as unordered
    assert in_order <= 2 * unordered, (in_order, unordered, requests)


# -- IDs as Workfront makes them ------------------------------------------------------


def workfront_ids(count: int, seed: int) -> Emulator:
    """Tasks whose IDs start, as Workfront's do, with 8 hex digits of their
    creation time: created over three years, more of them lately, few at
    weekends. All of them start with 5 or 6, so 14 of the 16 first
    characters are empty and two hold thousands of rows each."""
    rng = random.Random(seed)
    emu = Emulator(seed=seed, latency=(0.0, 0.002))
    project = emu.add("proj", {"name": "Workfront IDs"})
    start, span = 0x5C000000, 3 * 365 * 86_400
    rows = []
    while len(rows) < count:
        created = start + int(span * rng.random() ** 0.7)
        if (created // 86_400) % 7 in (5, 6) and rng.random() < 0.9:
            continue
        rows.append(
            {
                "ID": f"{created:08x}{rng.getrandbits(96):024x}",
                "name": f"task {len(rows)}",
                "projectID": project["ID"],
            }
        )
    emu.add_many("task", rows, validate=False)
    return emu


@pytest.mark.parametrize("ordered", [False, True], ids=["unordered", "ordered"])
async def test_a_keyset_export_over_bunched_ids_is_exact_while_others_write(
    ordered: bool,
) -> None:
    emu = workfront_ids(4_000, seed=3)
    before = sorted(r["ID"] for r in emu.rows("task"))
    rng = random.Random(4)
    doomed = rng.sample(before, 600)
    renamed = rng.sample(sorted(set(before) - set(doomed)), 600)
    project = emu.rows("project")[0]["ID"]
    deleted: set[str] = set()
    renamed_done: set[str] = set()
    stop = anyio.Event()

    async def writer(wf: Workfront) -> None:
        n = 0
        while not stop.is_set() and doomed:
            n += 1
            await wf.bulk_create(
                "task", [{"name": f"inserted {n}.{j}", "projectID": project} for j in range(5)]
            )
            gone = [doomed.pop() for _ in range(min(5, len(doomed)))]
            await wf.bulk_delete("task", gone)
            deleted.update(gone)
            moved = [renamed.pop() for _ in range(min(5, len(renamed)))]
            await wf.bulk_update("task", [{"ID": i, "name": f"renamed {n}"} for i in moved])
            renamed_done.update(moved)

    async with client(emu) as wf, anyio.create_task_group() as tg:
        tg.start_soon(writer, wf)
        async with wf.export(
            "task",
            Q.name.contains("task"),  # inserted and renamed rows do not match
            page_size=50,
            consistency="keyset",
            ordered=ordered,
        ) as rows:
            got = [str(r["ID"]) async for r in rows]
        stop.set()
    assert deleted, "the writer ran during the export"
    assert len(got) == len(set(got)), "a row came twice"
    throughout = set(before) - deleted - renamed_done
    assert not throughout - set(got), "a row that existed and matched throughout was lost"
    assert set(got) <= set(before)
    if ordered:
        assert got == sorted(got)


# -- a server that ignores $$FIRST ---------------------------------------------------


@pytest.mark.parametrize("ordered", [False, True], ids=["unordered", "ordered"])
async def test_an_offset_export_stops_before_handing_over_a_repeated_page(ordered: bool) -> None:
    emu = seeded(8_000)
    door = Searches(emu.app, ignore_first=True)
    handed: list[str] = []

    async def export(wf: Workfront) -> None:
        async with wf.export("task", page_size=1_000, ordered=ordered) as rows:
            async for page in rows.pages():
                handed.extend(row["ID"] for row in page)

    async with serve(door) as url:
        wf = Workfront(url, api_key=emu.api_key(), retry=Retry().without_backoff())
        async with wf:
            with pytest.raises(PaginationError, match=r"\$\$FIRST"):
                await export(wf)
    # every page was the first one again: at most one copy of it reached the
    # consumer, and no row twice
    assert len(handed) <= 1_000
    assert len(handed) == len(set(handed))
