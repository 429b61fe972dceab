"""Promise 4: cancellation is clean.

Cancelling an export, a bulk operation or a search midway (a timeout with
``anyio.move_on_after`` / ``fail_after``, or ``CancelScope.cancel()``) releases
every limiter slot and leaves no connection stuck in the httpx pool; the same
client then completes a full export exactly.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import anyio
import httpcore
import httpx
import pytest

from workfront_async import Retry, Workfront
from workfront_async._nodes import HttpxNode
from workfront_async.testing import Emulator

from ._support import client, ids_of, seeded

Job = Callable[[Workfront, list[str]], Awaitable[object]]


async def export_offset(wf: Workfront, _: list[str]) -> object:
    async with wf.export("task", page_size=50) as rows:
        return [r async for r in rows]


async def export_keyset_ordered(wf: Workfront, _: list[str]) -> object:
    async with wf.export("task", page_size=50, consistency="keyset", ordered=True) as rows:
        return [r async for r in rows]


async def bulk(wf: Workfront, ids: list[str]) -> object:
    return await wf.bulk_update("task", [{"ID": i, "description": "cancelled?"} for i in ids])


async def search(wf: Workfront, _: list[str]) -> object:
    return await wf.search("task").page_size(25).all()


async def get_many(wf: Workfront, ids: list[str]) -> object:
    return await wf.get_many("task", ids * 3)


JOBS = {
    "export-offset": export_offset,
    "export-keyset": export_keyset_ordered,
    "bulk": bulk,
    "search": search,
    "get_many": get_many,
}


async def assert_clean_and_usable(wf: Workfront, emu: Emulator) -> None:
    assert wf.limiter.borrowed_tokens == 0, "a limiter slot was not released"
    emu.latency = (0.0, 0.002)
    expected = sorted(ids_of(emu.rows("task")))
    async with wf.export("task", page_size=100, consistency="keyset") as rows:
        got = ids_of([r async for r in rows])
    assert sorted(got) == expected
    assert wf.limiter.borrowed_tokens == 0


ROUNDS = [
    pytest.param(1, id="fast"),
    pytest.param(30, id="soak", marks=pytest.mark.soak),
]


@pytest.mark.parametrize("rounds", ROUNDS)
@pytest.mark.parametrize("job", list(JOBS))
@pytest.mark.parametrize("how", ["move_on_after", "cancel_scope"])
async def test_cancelled_midway_releases_everything(rounds: int, job: str, how: str) -> None:
    # every request takes 15-25 ms and every job needs two rounds of requests
    # or more: a 20 ms timeout always lands in the middle of the job (the soak
    # run cancels at random points instead, many times over)
    rng = random.Random(f"{job}-{how}")
    emu = seeded(3_000, latency=(0.015, 0.025))
    ids = ids_of(emu.rows("task"))
    caught = 0
    async with client(emu) as wf:
        for n in range(rounds):
            emu.latency = (0.015, 0.025)
            emu.stats.reset()
            if how == "move_on_after":
                timeout = 0.02 if n == 0 else rng.uniform(0.0, 0.08)
                with anyio.move_on_after(timeout) as scope:
                    await JOBS[job](wf, ids)
            else:
                after = 5 if n == 0 else rng.randint(1, 40)
                finished = anyio.Event()

                async def run_job(finished: anyio.Event) -> None:
                    await JOBS[job](wf, ids)
                    finished.set()

                with anyio.CancelScope() as scope:
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(run_job, finished)
                        # cancel once the job is really in the middle of its requests
                        # (or let it finish if it needs fewer requests than that)
                        while emu.stats.requests < after and not finished.is_set():  # noqa: ASYNC110 - a counter
                            await anyio.sleep(0.001)
                        scope.cancel()
            if n == 0:
                assert scope.cancelled_caught, "the job finished before it was cancelled"
            caught += scope.cancelled_caught
            assert emu.stats.in_flight == 0
            await assert_clean_and_usable(wf, emu)
    assert caught >= 1


async def test_breaking_out_of_an_export_stops_the_fetches_at_once() -> None:
    emu = seeded(3_000, latency=(0.001, 0.003))
    async with client(emu) as wf:
        for consistency in ("offset", "keyset"):
            async with wf.export("task", page_size=20, consistency=consistency) as rows:  # type: ignore[arg-type]
                async for _ in rows:
                    break
            after_break = emu.stats.received
            assert wf.limiter.borrowed_tokens == 0
            await anyio.sleep(0.02)
            assert emu.stats.received == after_break, "pages kept being fetched"
        await assert_clean_and_usable(wf, emu)


def _pool(wf: Workfront) -> httpcore.AsyncConnectionPool:
    node = wf._sender.node
    assert isinstance(node, HttpxNode)
    transport = node.client._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return transport._pool


@pytest.mark.parametrize("job", list(JOBS))
async def test_no_connection_is_stuck_after_cancellation_over_real_http(job: str) -> None:
    emu = seeded(3_000, latency=(0.015, 0.025))
    ids = ids_of(emu.rows("task"))
    # a short pool timeout: a stuck connection would turn the next export
    # into httpx.PoolTimeout instead of waiting forever
    async with (
        emu.serve() as served,
        Workfront(
            served.base_url,
            api_key=emu.api_key(),
            retry=Retry().without_backoff(),
            timeout=httpx.Timeout(10.0, pool=2.0),
            http="httpx",  # this test reads httpcore's pool; tests/transport covers aiohttp
        ) as wf,
    ):
        with anyio.move_on_after(0.02) as scope:
            await JOBS[job](wf, ids)
        assert scope.cancelled_caught
        pool = _pool(wf)
        assert all(c.is_idle() or c.is_closed() for c in pool.connections), pool.connections
        assert wf.limiter.borrowed_tokens == 0
        with anyio.fail_after(30):
            await assert_clean_and_usable(wf, emu)
        assert all(c.is_idle() for c in pool.connections)
        assert len(pool.connections) <= 10
