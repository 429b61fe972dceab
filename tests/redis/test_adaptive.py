"""The adaptive window: a client yields when the server says the tenant is busy.

docs/api-notes.md §1 "Limits": the 10 concurrent requests are per customer and shared
with integrations we do not control; over the cap, Workfront answers 429
"Too many concurrent API requests". The window halves on a 429 (once per
window of requests) and grows back by about one slot per window of answers.
"""

from __future__ import annotations

import anyio
import httpx

from workfront_async import Retry, Workfront
from workfront_async._core.limiter import AdaptiveWindow, Slots
from workfront_async.testing import Emulator


async def test_a_429_halves_the_window_once_per_window() -> None:
    window = AdaptiveWindow(10)
    tokens = [object() for _ in range(10)]
    epochs = [await window.acquire(t) for t in tokens]
    for t in tokens:
        window.release(t)
    # ten answers to requests sent in the same window: one cut, not ten
    for epoch in epochs[:6]:
        window.answered(overloaded=True, epoch=epoch)
    assert window.limit == 5.0
    assert window.decreases == 1
    # a request sent after the cut that is rejected again cuts again
    token = object()
    epoch = await window.acquire(token)
    window.release(token)
    window.answered(overloaded=True, epoch=epoch)
    assert (window.limit, window.decreases) == (2.5, 2)


async def test_the_window_regrows_by_about_one_slot_per_window_and_stops_at_the_cap() -> None:
    window = AdaptiveWindow(10)
    window.answered(overloaded=True, epoch=None)
    assert window.limit == 5.0
    answers = 0
    while window.limit < 10:
        window.answered(overloaded=False, epoch=None)
        answers += 1
    assert window.limit == 10.0
    # about one slot per window of answers: 5 + 6 + 7 + 8 + 9 answers, roughly
    assert 25 <= answers <= 40
    window.answered(overloaded=False, epoch=None)
    assert window.limit == 10.0
    for _ in range(50):
        window.answered(overloaded=True, epoch=None)
    assert window.limit == 1.0  # never below one request


async def test_the_window_gates_concurrency() -> None:
    limiter = anyio.CapacityLimiter(8)
    slots = Slots(limiter)
    assert slots.window is not None
    slots.window.answered(overloaded=True, epoch=None)  # 8 -> ... -> at most 4.5
    usable = int(slots.window.limit)
    now = peak = 0

    async def one() -> None:
        nonlocal now, peak
        async with slots.slot():
            now += 1
            peak = max(peak, now)
            await anyio.sleep(0.005)
            now -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    assert peak == usable < 8
    assert Slots(limiter).window is slots.window  # one window per limiter
    assert Slots(limiter, adaptive=False).window is None


async def _outside_load(api_url: str, key: str, stop: anyio.Event, tasks: int) -> None:
    """Another integration of the tenant: ``tasks`` requests kept in flight."""
    async with Workfront(
        api_url, api_key=key, max_concurrency=tasks, adaptive=False, retry=Retry.none()
    ) as other:

        async def loop() -> None:
            while not stop.is_set():
                try:
                    await other.count("project")
                except Exception:  # its own 429s are its business
                    await anyio.sleep(0.005)

        async with anyio.create_task_group() as tg:
            for _ in range(tasks):
                tg.start_soon(loop)


class Counting(httpx.AsyncBaseTransport):
    """Our client's real HTTP transport, counting the 429 answers we receive."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rejected = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if response.status_code == 429:
            self.rejected += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_the_adaptive_window_causes_fewer_429s_under_outside_load() -> None:
    emu = Emulator.with_demo_data(scale=0.05, max_concurrency=10, latency=0.3)
    expected = sorted(r["ID"] for r in emu.rows("task"))
    rejected: dict[bool, int] = {}
    ours: dict[bool, int] = {}
    async with emu.serve() as served:
        key = emu.api_key()
        for adaptive in (False, True):
            stop = anyio.Event()
            async with anyio.create_task_group() as tg:
                tg.start_soon(_outside_load, served.api_url, key, stop, 6)
                with anyio.fail_after(60):
                    while emu.stats.in_flight < 6:  # noqa: ASYNC110 - the other integration is busy
                        await anyio.sleep(0.005)
                emu.stats.reset()
                counting = Counting()
                async with (
                    Workfront(
                        served.api_url,
                        api_key=key,
                        adaptive=adaptive,
                        transport=counting,
                        retry=Retry(attempts=100, backoff_base=0.01, backoff_max=0.05),
                    ) as wf,
                    wf.export("task", page_size=40) as rows,
                ):
                    ids = sorted([row["ID"] async for row in rows])
                rejected[adaptive] = emu.stats.rejected_concurrency
                ours[adaptive] = counting.rejected
                stop.set()
            assert ids == expected
    # our requests are rejected less often: fewer 429s land on the tenant from us
    # (the other integration's own 429s depend on how hard it retries: not asserted)
    assert ours[True] < ours[False], (ours, rejected)


async def test_a_user_capacity_limiter_gets_the_window_too() -> None:
    emu = Emulator(max_concurrency=3, latency=0.01)
    limiter = anyio.CapacityLimiter(10)
    async with (
        Workfront(
            "https://acme.my.workfront.com",
            api_key=emu.api_key(),
            transport=emu.transport(),
            limiter=limiter,
            retry=Retry(attempts=30).without_backoff(),
        ) as wf,
        anyio.create_task_group() as tg,
    ):
        for _ in range(30):
            tg.start_soon(wf.count, "user")
    assert Slots(limiter).window is not None
    assert Slots(limiter).window.decreases >= 1  # type: ignore[union-attr]
    assert isinstance(emu.transport(), httpx.AsyncBaseTransport)
