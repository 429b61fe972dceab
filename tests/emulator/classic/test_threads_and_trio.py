"""The embedded Workfront shared by threads, and under trio.

One emulator used from several threads, each with its own event loop, must
answer every request as if it were alone (no 500 from interleaved SQLite
savepoints) and never report a write that it did not commit, nor commit one
it reported failed. The emulator (latency, faults, serving over HTTP, event
deliveries) and the client's exports work under both anyio backends.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import trio

from workfront_async import Workfront
from workfront_async.testing import Emulator

THREADS = 4
ROUNDS = 15
BATCH = 20


def _client(emu: Emulator, **kwargs: Any) -> Workfront:
    return Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport(), **kwargs
    )


def test_one_emulator_shared_by_threads_with_their_own_loops() -> None:
    emu = Emulator()
    project = emu.add("project", {"name": "shared"})["ID"]
    reported: list[int] = []
    statuses: list[int] = []
    failures: list[BaseException] = []

    async def work(n: int) -> None:
        async with _client(emu) as wf:
            for r in range(ROUNDS):
                items = [{"name": f"t{n}-{r}-{i}", "projectID": project} for i in range(BATCH)]
                try:
                    await wf.bulk_create("task", items, atomic=True)
                except Exception as exc:
                    statuses.append(getattr(exc, "status", -1))
                else:
                    reported.append(BATCH)
                await wf.count("task")

    def run(n: int) -> None:
        try:
            asyncio.run(work(n))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert statuses == [], f"requests failed: {statuses}"
    assert len(emu.rows("task")) == sum(reported) == THREADS * ROUNDS * BATCH
    assert emu.stats.in_flight == 0


def test_the_cap_holds_across_threads() -> None:
    emu = Emulator(latency=0.01, max_concurrency=3)
    emu.add("project", {"name": "p"})
    barrier = threading.Barrier(THREADS)

    async def burst() -> list[int]:
        async with httpx.AsyncClient(transport=emu.transport()) as c:
            barrier.wait()
            url = "https://acme.my.workfront.com/attask/api/v21.0/project/count"

            async def one() -> int:
                r = await c.get(url, headers={"SessionID": token})
                return r.status_code

            return list(await asyncio.gather(*(one() for _ in range(5))))

    token = emu.issue_token()
    results: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        out = asyncio.run(burst())
        with lock:
            results.extend(out)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert emu.stats.max_in_flight <= 3
    assert results.count(200) + results.count(429) == len(results) == THREADS * 5
    assert results.count(429) == emu.stats.rejected_concurrency


def _trio_run(main: Any) -> Any:
    return trio.run(main)


def test_search_export_and_latency_under_trio() -> None:
    emu = Emulator.with_demo_data(scale=0.01, latency=0.001)

    async def main() -> tuple[int, int]:
        async with _client(emu) as wf:
            total = await wf.count("task")
            n = 0
            async with wf.export("task", page_size=50) as rows:
                async for _ in rows:
                    n += 1
            return total, n

    total, exported = _trio_run(main)
    assert exported == total == len(emu.rows("task"))


def test_served_emulator_under_trio() -> None:
    emu = Emulator.with_demo_data(scale=0.01)

    async def main() -> tuple[int, int]:
        async with emu.serve() as served, Workfront(served.base_url, api_key=emu.api_key()) as wf:
            total = await wf.count("task")
            n = 0
            async with wf.export("task", page_size=100) as rows:
                async for _ in rows:
                    n += 1
            return total, n

    total, exported = _trio_run(main)
    assert exported == total == len(emu.rows("task"))


def test_event_deliveries_under_trio() -> None:
    emu = Emulator()
    seen: list[dict[str, Any]] = []
    project = emu.add("project", {"name": "p"})["ID"]

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append({"auth": request.headers["authorization"]})
        return httpx.Response(200)

    emu.event_transport = httpx.MockTransport(receiver)

    async def main() -> None:
        token = emu.issue_token()
        async with httpx.AsyncClient(transport=emu.transport()) as c:
            r = await c.post(
                "https://acme.my.workfront.com/attask/eventsubscription/api/v1/subscriptions",
                headers={"SessionID": token},
                json={
                    "objCode": "TASK",
                    "eventType": "CREATE",
                    "url": "https://hooks.example.test/in",
                    "authToken": "hook-token",
                },
            )
            assert r.status_code == 201, r.text
            async with _client(emu) as wf:
                await wf.create("task", {"name": "hello", "projectID": project})
            await emu.drain_events()

    _trio_run(main)
    assert seen == [{"auth": "Bearer hook-token"}]
    assert [d.status for d in emu.deliveries] == [200]
