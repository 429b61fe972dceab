"""Promise 2: the concurrency cap holds.

Thousands of concurrent calls of mixed kinds (get, search page, count,
get_many, bulk update) through one client, and through two clients sharing one
limiter: the emulator's own in-flight counter never passes 10 and it never has
to refuse a request with 429 (docs/api-notes.md §1 Limits: 10 concurrent API threads
per customer, more gets HTTP 429).
"""

from __future__ import annotations

from collections import Counter

import anyio
import pytest

from workfront_async import Q, Retry, Workfront
from workfront_async.testing import Emulator, Faults

from ._support import client, seeded

CALLS = [
    pytest.param(2_000, id="fast"),
    pytest.param(10_000, id="soak", marks=pytest.mark.soak),
]
KINDS = ("get", "search", "count", "get_many", "bulk")


async def mixed_calls(clients: list[Workfront], emu: Emulator, calls: int) -> Counter[str]:
    ids = sorted(r["ID"] for r in emu.rows("task"))
    done = Counter[str]()

    async def one(i: int) -> None:
        wf = clients[i % len(clients)]
        kind = KINDS[i % len(KINDS)]
        if kind == "get":
            row = await wf.get("task", ids[i % len(ids)], fields=["name"])
            assert row["ID"] == ids[i % len(ids)]
        elif kind == "search":
            rows = await wf.search("task", Q.name == f"task {i % len(ids)}").page_size(10).all()
            assert len(rows) == 1
        elif kind == "count":
            assert await wf.count("task") == len(ids)
        elif kind == "get_many":
            wanted = ids[i % 200 : i % 200 + 25]
            assert [r["ID"] for r in await wf.get_many("task", wanted)] == wanted
        else:
            items = [{"ID": ids[(i + j) % len(ids)], "description": f"call {i}"} for j in range(3)]
            assert len(await wf.bulk_update("task", items)) == 3
        done[kind] += 1

    async with anyio.create_task_group() as tg:
        for i in range(calls):
            tg.start_soon(one, i)
    return done


def assert_cap_held(emu: Emulator, calls: int) -> None:
    assert emu.stats.max_in_flight <= 10
    assert emu.stats.rejected_concurrency == 0
    # the calls really overlapped: the cap was reached, not trivially respected
    assert emu.stats.max_in_flight == 10
    assert emu.stats.requests >= calls


@pytest.mark.parametrize("calls", CALLS)
async def test_one_client_never_passes_the_cap(calls: int) -> None:
    emu = seeded(400, latency=(0.0, 0.002))
    async with client(emu, retry=Retry.none()) as wf:
        done = await mixed_calls([wf], emu, calls)
        assert wf.limiter.borrowed_tokens == 0
    assert sum(done.values()) == calls
    assert set(done) == set(KINDS)
    assert_cap_held(emu, calls)


@pytest.mark.parametrize("calls", CALLS)
async def test_two_clients_sharing_a_limiter_never_pass_the_cap(calls: int) -> None:
    emu = seeded(400, latency=(0.0, 0.002))
    limiter = anyio.CapacityLimiter(10)
    async with (
        client(emu, retry=Retry.none(), limiter=limiter) as a,
        client(emu, retry=Retry.none(), limiter=limiter) as b,
    ):
        done = await mixed_calls([a, b], emu, calls)
    assert sum(done.values()) == calls
    assert limiter.borrowed_tokens == 0
    assert_cap_held(emu, calls)


async def test_retries_under_faults_stay_under_the_cap() -> None:
    # a retry storm: 10% of answers are 503 or dropped, every read is retried,
    # and a retry waiting in back-off holds no slot
    emu = seeded(400, latency=(0.0, 0.002))
    emu.faults = Faults(rate=0.1, statuses=(502, 503), drop_rate=0.02)
    async with (
        client(emu, retry=Retry(attempts=10).without_backoff()) as wf,
        anyio.create_task_group() as tg,
    ):
        for _ in range(600):
            tg.start_soon(wf.count, "task")
    assert emu.stats.faults_injected > 0
    assert emu.stats.max_in_flight <= 10
    assert emu.stats.rejected_concurrency == 0


async def test_cap_holds_over_real_http() -> None:
    # the connection pool is sized to the limiter: waiting happens at the
    # limiter, never as a PoolTimeout, and the served emulator sees at most 10
    emu = seeded(400, latency=(0.0, 0.003))
    async with emu.serve() as served:
        limiter = anyio.CapacityLimiter(10)
        async with (
            Workfront(served.base_url, api_key=emu.api_key(), limiter=limiter) as a,
            Workfront(served.base_url, api_key=emu.api_key(), limiter=limiter) as b,
        ):
            done = await mixed_calls([a, b], emu, 500)
    assert sum(done.values()) == 500
    assert emu.stats.max_in_flight <= 10
    assert emu.stats.rejected_concurrency == 0
