"""The concurrency cap: never more than the limiter's tokens in flight.

docs/api-notes.md §1 Limits: 10 concurrent API threads per customer; more gets HTTP 429.
The in-flight count is taken inside the mock transport under an anyio lock,
with ``anyio.sleep(0)`` yields so that requests really overlap.
"""

from __future__ import annotations

import anyio
import anyio.lowlevel
import httpx
import orjson
import pytest

from workfront_async import Retry, Workfront
from workfront_async._nodes import pool_limits

from .helpers import BASE, KEY, err, ok, param


class InFlight:
    """A mock Workfront that counts concurrent requests."""

    def __init__(self, fail_every: int = 0) -> None:
        self.lock = anyio.Lock()
        self.now = 0
        self.peak = 0
        self.total = 0
        self.fail_every = fail_every
        self.seen: set[str] = set()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        async with self.lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)
            path = request.url.path
            first_try = path not in self.seen
            self.seen.add(path)
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        async with self.lock:
            self.now -= 1
        number = path.rsplit("/T", 1)[-1]
        if (
            self.fail_every
            and first_try
            and number.isdigit()
            and int(number) % self.fail_every == 0
        ):
            return err(429, "Too many concurrent API requests")
        if request.url.path.endswith("/search"):
            first = int(param(request, "$$FIRST") or 0)
            limit = int(param(request, "$$LIMIT") or 100)
            return ok([{"ID": f"{i:06d}"} for i in range(first, min(first + limit, 3000))])
        if request.method == "PUT":
            return ok(orjson.loads(param(request, "updates") or "[]"))
        return ok({"ID": request.url.path.rsplit("/", 1)[-1]})

    def client(self, **kw: object) -> Workfront:
        kw.setdefault("retry", Retry().without_backoff())
        return Workfront(
            BASE,
            api_key=KEY,
            transport=httpx.MockTransport(self.handle),
            **kw,  # type: ignore[arg-type]
        )


async def _many_gets(wf: Workfront, n: int) -> list[str]:
    out: list[str] = []

    async def one(i: int) -> None:
        out.append((await wf.get("task", f"T{i}"))["ID"])

    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(one, i)
    return out


@pytest.mark.parametrize("cap", [1, 3, 10])
async def test_hundreds_of_gets_never_exceed_the_cap(cap: int) -> None:
    server = InFlight()
    async with server.client(max_concurrency=cap) as wf:
        ids = await _many_gets(wf, 400)
    assert sorted(ids) == sorted(f"T{i}" for i in range(400))
    assert server.total == 400
    assert server.peak == cap  # reached, never exceeded


async def test_retries_stay_under_the_cap() -> None:
    server = InFlight(fail_every=3)
    async with server.client(max_concurrency=4) as wf:
        ids = await _many_gets(wf, 300)
    assert sorted(ids) == sorted(f"T{i}" for i in range(300))
    assert server.total == 400  # every third request failed once with 429 and was retried
    assert server.peak <= 4


async def test_a_shared_limiter_caps_several_clients_together() -> None:
    server = InFlight()
    limiter = anyio.CapacityLimiter(5)
    async with server.client(limiter=limiter) as a, server.client(limiter=limiter) as b:
        assert a.limiter is b.limiter
        async with anyio.create_task_group() as tg:
            tg.start_soon(_many_gets, a, 200)
            tg.start_soon(_many_gets, b, 200)
    assert server.total == 400
    assert server.peak == 5


async def test_fan_out_operations_respect_the_cap() -> None:
    server = InFlight()
    async with server.client(max_concurrency=3) as wf:
        created = await wf.bulk_create("task", [{"name": str(i)} for i in range(2000)])
        assert len(created) == 2000
        await wf.bulk_delete("task", [f"T{i}" for i in range(300)])
        result = await wf.get_many("task", [f"{i:032x}" for i in range(3000)])
        assert len(result.missing) == 3000  # the mock answers one object per call
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(wf.search("task").all)
    assert server.peak == 3


def test_pool_is_at_least_the_limiter() -> None:
    # the wait happens at the limiter, so the pool must never be the bottleneck
    assert pool_limits(anyio.CapacityLimiter(25).total_tokens).max_connections == 25
    assert pool_limits(anyio.CapacityLimiter(1).total_tokens).max_connections == 1
    assert pool_limits(anyio.CapacityLimiter(float("inf")).total_tokens).max_connections is None


async def test_backoff_does_not_hold_a_slot() -> None:
    # cap 1: A fails with 429 and backs off until B is done; B can only run if A's
    # back-off holds no slot (otherwise this deadlocks and fail_after trips)
    b_done = anyio.Event()
    attempts: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        attempts[name] = attempts.get(name, 0) + 1
        if name == "A" and attempts[name] == 1:
            return err(429, "Too many concurrent API requests")
        return ok({"ID": name})

    async def wait_for_b(seconds: float) -> None:
        await b_done.wait()

    async with Workfront(
        BASE, api_key=KEY, max_concurrency=1, transport=httpx.MockTransport(handler)
    ) as wf:
        wf._sender._sleep = wait_for_b
        order: list[str] = []

        async def get(name: str) -> None:
            order.append((await wf.get("task", name))["ID"])
            if name == "B":
                b_done.set()

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(get, "A")
                await anyio.wait_all_tasks_blocked()
                tg.start_soon(get, "B")
    assert order == ["B", "A"]
    assert attempts == {"A": 2, "B": 1}
