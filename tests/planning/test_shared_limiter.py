"""One concurrency budget for both APIs: a ``Planning`` and a ``Workfront``
client sharing one ``anyio.CapacityLimiter`` never have more requests in
flight together than it allows (docs/api-notes.md §1 Limits: 10 concurrent API
threads per customer)."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import httpx
import orjson

from workfront_async import BearerAuth, Planning, Retry, Workfront

from ._support import BASE, TOKEN, ok


class InFlight:
    """A mock tenant serving both APIs that records the peak of concurrent requests."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.paths: set[str] = set()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.now += 1
        self.peak = max(self.peak, self.now)
        self.paths.add(request.url.path.split("/")[1])
        try:
            for _ in range(5):  # let the other tasks run while this one is "in flight"
                await anyio.lowlevel.checkpoint()
        finally:
            self.now -= 1
        if request.url.path.startswith("/maestro/"):
            body = orjson.loads(request.content)
            offset, limit = body["offset"], body["limit"]
            records = [{"id": f"r{i:04d}"} for i in range(offset, min(offset + limit, 200))]
            return ok({"records": records, "totalCount": 200})
        return ok({"ID": request.url.path.rsplit("/", 1)[-1]})


async def test_shared_limiter_caps_both_clients_together() -> None:
    server = InFlight()
    transport = httpx.MockTransport(server.handle)
    limiter = anyio.CapacityLimiter(3)
    retry = Retry().without_backoff()
    wf = Workfront(BASE, api_key="key-123456", transport=transport, limiter=limiter, retry=retry)
    pl = Planning(
        BASE,
        auth=BearerAuth(TOKEN),
        transport=transport,
        limiter=limiter,
        retry=retry,
        validate=False,
    )
    assert pl.limiter is wf.limiter is limiter
    results: list[int] = []

    async def classic(n: int) -> None:
        row = await wf.get("task", f"T{n}")
        results.append(1 if row["ID"] == f"T{n}" else 0)

    async def planning(page_size: int) -> None:
        got = await pl.records.search("rt1", page_size=page_size).all()
        results.append(len(got))

    async with wf, pl, anyio.create_task_group() as tg:
        for n in range(20):
            tg.start_soon(classic, n)
        for size in (10, 20, 25, 40, 50):
            tg.start_soon(planning, size)
    assert server.peak == 3  # reached, never exceeded
    assert server.paths == {"attask", "maestro"}
    assert sorted(results) == [1] * 20 + [200] * 5
