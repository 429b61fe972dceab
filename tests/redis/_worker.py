"""Processes that share a ``RedisLimiter`` with the tests (run as ``-m tests.redis._worker``).

``hold URL NAME TTL N``: take N slots, print ``held``, wait to be killed.
``busy URL NAME TASKS``: TASKS tasks take a slot, count it in Redis
(``INCR NAME:grants``), hold it 20 ms, give it back, until stdin closes.
``export URL API_URL API_KEY OUT [TTL [PAGE_SIZE]]``: one request, print
``ready``, wait for a line on stdin, then the library's export of every task
to the JSON-lines file OUT, under a RedisLimiter of capacity 10 (lease TTL
seconds, 10 by default) for the tenant.
``load URL API_URL TTL TASKS``: send one ``wf.count("task")`` to API_URL under
a RedisLimiter of capacity 10 (lease TTL seconds) for the tenant, print
``ready`` and wait for a line on stdin; then TASKS tasks send them one after
the other until stdin closes; print ``done ANSWERED FAILED``. A request the
limiter refuses (Redis away) counts as failed and is tried again. The first
request loads the HTTP library (a quarter of a second, more on a loaded
machine, with the event loop blocked): it is sent before the load starts, so
that a lease of a second is not outlived by the process's own start.
"""

from __future__ import annotations

import asyncio
import sys

from workfront_async import RedisLimiter, Retry, Workfront, WorkfrontError
from workfront_async.export import open_writer


async def hold(url: str, name: str, ttl: str, n: str) -> None:
    limiter = RedisLimiter.from_url(url, capacity=int(n), name=name, lease_ttl=float(ttl))
    for _ in range(int(n)):
        await limiter.acquire()
    print("held", flush=True)
    await asyncio.Event().wait()


async def busy(url: str, name: str, tasks: str) -> None:
    limiter = RedisLimiter.from_url(url, capacity=2, name=name, lease_ttl=2.0)
    counter = limiter._client  # the same Redis, to count grants

    stop = asyncio.Event()

    async def loop() -> None:
        # a flag, not only Task.cancel(): redis-py can swallow a cancellation
        # that lands inside a command (the INCR below), and the loop would go on
        while not stop.is_set():
            async with limiter:
                await counter.incr(f"{name}:grants")
                await asyncio.sleep(0.02)

    workers = [asyncio.create_task(loop()) for _ in range(int(tasks))]
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    stop.set()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    await limiter.aclose()


async def export(
    url: str, api_url: str, api_key: str, out: str, ttl: str = "10", page_size: str = "50"
) -> None:
    limiter = RedisLimiter.from_url(url, capacity=10, lease_ttl=float(ttl))
    try:
        async with Workfront(
            api_url,
            api_key=api_key,
            limiter=limiter,
            retry=Retry(attempts=20, backoff_base=0.01, backoff_max=0.1),
        ) as wf:
            await wf.count("task")  # loads the HTTP library before the others start
            # start together with the other processes: print ready, wait for a line
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            with open_writer(out, "jsonl", columns=["ID", "name"]) as writer:
                pages = wf.export("task", fields=["name"], page_size=int(page_size), ordered=True)
                async with pages as rows:
                    async for page in rows.pages():
                        writer.write(page)
    finally:
        await limiter.aclose()


API_KEY = "worker-api-key-do-not-log"


async def load(url: str, api_url: str, ttl: str, tasks: str) -> None:
    limiter = RedisLimiter.from_url(url, capacity=10, lease_ttl=float(ttl))
    stop = asyncio.Event()
    counts = {"answered": 0, "failed": 0}

    async def loop(wf: Workfront) -> None:
        while not stop.is_set():
            try:
                await wf.count("task")
            except WorkfrontError:
                counts["failed"] += 1
                await asyncio.sleep(0.05)
            else:
                counts["answered"] += 1

    read = asyncio.get_running_loop().run_in_executor
    async with Workfront(api_url, api_key=API_KEY, limiter=limiter, retry=Retry(attempts=1)) as wf:
        await wf.count("task")
        print("ready", flush=True)
        await read(None, sys.stdin.readline)
        workers = [asyncio.create_task(loop(wf)) for _ in range(int(tasks))]
        await read(None, sys.stdin.read)
        stop.set()
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    await limiter.aclose()
    print("done", counts["answered"], counts["failed"], flush=True)


def main() -> None:
    mode, *args = sys.argv[1:]
    job = {"hold": hold, "busy": busy, "export": export, "load": load}[mode]
    asyncio.run(job(*args))


if __name__ == "__main__":
    main()
