"""RedisLimiter on a real Redis: cap, fairness, leases, cancellation, outages.

docs/api-notes.md §1 "Limits": 10 concurrent API threads per customer, whatever
process or host the requests come from.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import subprocess
from collections.abc import Callable

import anyio
import pytest

from workfront_async import RedisLimiter, WorkfrontError
from workfront_async._core.redis_limiter import limiter_from_env, redact_redis_url

from .conftest import PASSWORD, RedisServer, open_key, worker_command, worker_env

MakeLimiter = Callable[..., RedisLimiter]


async def test_never_more_than_capacity_across_limiters(make_limiter: MakeLimiter) -> None:
    # three limiters = three independent Redis clients, as three processes would be
    limiters = [make_limiter(capacity=3) for _ in range(3)]
    now = peak = done = 0

    async def user(limiter: RedisLimiter) -> None:
        nonlocal now, peak, done
        for _ in range(5):
            async with limiter:
                now += 1
                peak = max(peak, now)
                await anyio.sleep(0.002)
                now -= 1
                done += 1

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for limiter in limiters:
                for _ in range(4):
                    tg.start_soon(user, limiter)
    assert done == 60
    assert peak == 3  # the cap was reached, and never passed
    stats = await limiters[0].stats()
    assert (stats.in_flight, stats.waiting) == (0, 0)


async def test_stats_show_in_flight_and_waiting(make_limiter: MakeLimiter) -> None:
    a, b = make_limiter(capacity=1), make_limiter(capacity=1)
    lease = await a.acquire()
    waiter_entered = anyio.Event()

    async def wait_for_slot() -> None:
        waiter_entered.set()
        async with b:
            pass

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait_for_slot)
        await waiter_entered.wait()
        with anyio.fail_after(10):
            while (await a.stats()).waiting < 1:  # noqa: ASYNC110 - state in Redis
                await anyio.sleep(0.01)
        stats = await b.stats()
        assert (stats.in_flight, stats.waiting) == (1, 1)
        assert (stats.local_in_flight, stats.local_waiting) == (0, 1)
        assert a.local_in_flight == 1
        await a.release(lease)
    stats = await a.stats()
    assert (stats.in_flight, stats.waiting, stats.local_in_flight) == (0, 0, 0)


async def test_a_cancelled_waiter_leaves_no_entry(make_limiter: MakeLimiter) -> None:
    holder, other = make_limiter(capacity=1), make_limiter(capacity=1)
    lease = await holder.acquire()
    with anyio.move_on_after(0.2):
        async with other:
            raise AssertionError("the slot is taken: the waiter must not get it")
    stats = await holder.stats()
    assert (stats.in_flight, stats.waiting, other.local_waiting) == (1, 0, 0)
    await holder.release(lease)
    assert (await holder.stats()).in_flight == 0


async def test_a_cancelled_holder_gives_its_slot_back(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(capacity=1)
    with anyio.move_on_after(0.05):
        async with limiter:
            await anyio.sleep_forever()  # held until cancelled
    stats = await limiter.stats()
    assert (stats.in_flight, stats.local_in_flight) == (0, 0)


async def test_a_grant_racing_a_cancel_is_given_back(make_limiter: MakeLimiter) -> None:
    holder, other = make_limiter(capacity=1), make_limiter(capacity=1)
    lease = await holder.acquire()
    queued = anyio.Event()

    async def waiter() -> None:
        queued.set()
        async with other:
            await anyio.sleep_forever()  # held until cancelled

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await queued.wait()
        with anyio.fail_after(10):
            while (await holder.stats()).waiting < 1:  # noqa: ASYNC110 - state in Redis
                await anyio.sleep(0.01)
        # the release hands the slot to the waiter inside Redis; the waiter is
        # cancelled before it can hear about it
        await holder.release(lease)
        tg.cancel_scope.cancel()
    stats = await holder.stats()
    assert (stats.in_flight, stats.waiting) == (0, 0)


async def test_task_cancel_is_never_swallowed_and_leaves_no_slot(
    make_limiter: MakeLimiter,
) -> None:
    # asyncio's own cancellation (Task.cancel, wait_for), landing anywhere in the
    # loop, the give-back of a slot included: the task ends and no slot is left
    limiter = make_limiter(capacity=2)

    async def loop() -> None:
        while True:
            async with limiter:
                await asyncio.sleep(0)

    for i in range(30):
        task = asyncio.get_running_loop().create_task(loop())
        for _ in range(i % 7):
            await asyncio.sleep(0)
        task.cancel()
        with anyio.fail_after(10), contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled()
    stats = await limiter.stats()
    assert (stats.in_flight, stats.waiting, stats.local_in_flight) == (0, 0, 0)


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


async def test_slots_of_a_killed_process_come_back_within_the_lease(
    redis_server: RedisServer, make_limiter: MakeLimiter
) -> None:
    ttl = 0.6
    proc = subprocess.Popen(  # noqa: ASYNC220 - a process to SIGKILL
        worker_command("hold", redis_server.url, "killed", str(ttl), "2"),
        stdout=subprocess.PIPE,
        text=True,
        env=worker_env(),
    )
    try:
        assert proc.stdout is not None
        line = await anyio.to_thread.run_sync(proc.stdout.readline)
        assert line.strip() == "held"
        limiter = make_limiter(capacity=2, name="killed", lease_ttl=ttl)
        assert (await limiter.stats()).in_flight == 2
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        started = anyio.current_time()
        with anyio.fail_after(20):  # a hang guard, not a speed claim
            first = await limiter.acquire()
            second = await limiter.acquire()
        waited = anyio.current_time() - started
        # the leases were renewed while the holder lived, and lapsed after it died
        assert waited <= ttl + limiter.poll_max + 5
        stats = await limiter.stats()
        assert (stats.in_flight, stats.local_in_flight) == (2, 2)
        await limiter.release(first)
        await limiter.release(second)
    finally:
        _kill(proc)


async def test_a_light_process_is_served_in_arrival_order_behind_a_busy_one(
    redis_server: RedisServer, make_limiter: MakeLimiter
) -> None:
    busy_tasks = 8
    proc = subprocess.Popen(  # noqa: ASYNC220 - a process to SIGKILL
        worker_command("busy", redis_server.url, "fair", str(busy_tasks)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=worker_env(),
    )
    counter = redis_server.client()
    try:
        assert proc.stdout is not None
        assert proc.stdin is not None
        assert (await anyio.to_thread.run_sync(proc.stdout.readline)).strip() == "ready"
        light = make_limiter(capacity=2, name="fair")
        with anyio.fail_after(30):
            async with light:  # starts its listener: later grants are heard at once
                pass
            # the busy process is at full speed
            while int(counter.get("fair:grants") or 0) < 20:  # noqa: ASYNC110
                await anyio.sleep(0.01)
            overtaken = []
            for _ in range(10):
                before = int(counter.get("fair:grants") or 0)
                async with light:
                    after = int(counter.get("fair:grants") or 0)
                overtaken.append(after - before)
        # FIFO across processes: each of the light process's requests waits at most
        # for the busy process's queued requests (one per task) and the holders
        assert max(overtaken) <= busy_tasks + 2, overtaken
        proc.stdin.close()
        # its tasks stop (a thread cannot be cancelled: the timeout is the wait's own)
        assert await anyio.to_thread.run_sync(lambda: proc.wait(timeout=30)) == 0
    finally:
        counter.close()
        _kill(proc)


async def test_redis_away_is_a_clear_error_without_the_password(
    redis_server: RedisServer, make_limiter: MakeLimiter
) -> None:
    limiter = make_limiter(capacity=2)
    async with limiter:
        pass
    redis_server.stop()
    with pytest.raises(WorkfrontError) as caught:
        async with limiter:
            pass
    message = str(caught.value)
    assert f"redis://:***@127.0.0.1:{redis_server.port}/0" in message
    assert "fallback='local'" in message
    assert PASSWORD not in message
    assert PASSWORD not in repr(limiter)
    assert limiter.local_in_flight == 0


async def test_redis_away_falls_back_to_a_local_limit_when_asked(
    redis_server: RedisServer, make_limiter: MakeLimiter, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = make_limiter(capacity=2, fallback="local")
    redis_server.stop()
    now = peak = 0

    async def user() -> None:
        nonlocal now, peak
        async with limiter:
            now += 1
            peak = max(peak, now)
            await anyio.sleep(0.01)
            now -= 1

    with caplog.at_level(logging.WARNING, logger="workfront_async.limiter"):
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(user)
    assert peak == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning per outage, not one per request
    text = warnings[0].getMessage()
    assert "per-process limit of 2" in text
    assert PASSWORD not in text


def test_redis_urls_are_redacted() -> None:
    assert redact_redis_url("redis://user:pw@h:1/0") == "redis://user:***@h:1/0"
    assert redact_redis_url("rediss://:pw@h/0") == "rediss://:***@h/0"
    assert redact_redis_url("redis://pw@h") == "redis://:***@h"
    assert redact_redis_url("redis://h/0?password=pw&db=1") == "redis://h/0?password=***&db=1"
    assert redact_redis_url("unix:///run/redis.sock") == "unix:///run/redis.sock"


def test_a_bad_url_says_what_to_write() -> None:
    with pytest.raises(WorkfrontError, match=r"redis://, rediss:// or unix://") as caught:
        RedisLimiter.from_url("http://:pw@h:6379", capacity=10)
    assert "pw" not in str(caught.value).replace("***", "")


async def test_limiter_from_env_reads_the_flag_then_the_environment(
    redis_server: RedisServer,
) -> None:
    base = "https://ACME.my.workfront.com/attask/api/v21.0"
    await open_key(redis_server.url, "acme.my.workfront.com")
    assert limiter_from_env(None, base_url=base, environ={}) is None
    from_env = limiter_from_env(
        None, base_url=base, capacity=7, environ={"WORKFRONT_REDIS_URL": redis_server.url}
    )
    assert from_env is not None
    assert (from_env.name, from_env.capacity) == ("acme.my.workfront.com", 7)
    flag = limiter_from_env(
        redis_server.url, base_url=base, environ={"WORKFRONT_REDIS_URL": "redis://elsewhere:1"}
    )
    assert flag is not None
    assert f":{redis_server.port}/" in flag.url
    for limiter in (from_env, flag):
        async with limiter:
            pass
        await limiter.aclose()


async def test_the_first_client_names_the_limiter_and_other_tenants_are_refused(
    redis_server: RedisServer,
) -> None:
    from workfront_async import Planning, QueryError, Workfront

    limiter = RedisLimiter.from_url(redis_server.url, capacity=3)
    try:
        with pytest.raises(QueryError, match="no name yet"):
            await limiter.acquire()
        wf = Workfront("https://Acme.my.workfront.com", api_key="k", limiter=limiter)
        assert limiter.name == "acme.my.workfront.com"
        # the Planning client of the same tenant shares the cap
        Planning("https://acme.my.workfront.com", auth=None, limiter=limiter)
        with pytest.raises(QueryError, match="needs a RedisLimiter of its own"):
            Workfront("https://other.my.workfront.com", api_key="k", limiter=limiter)
        await wf.aclose()
    finally:
        await limiter.aclose()


async def _export_until_redis_dies(
    redis_server: RedisServer, limiter: RedisLimiter
) -> tuple[list[str], list[str]]:
    from workfront_async import ExportProgress, Retry, Workfront
    from workfront_async.testing import Emulator

    emu = Emulator.with_demo_data(scale=0.02, latency=0.002)
    expected = sorted(r["ID"] for r in emu.rows("task"))

    def progress(p: ExportProgress) -> None:
        if p.rows_done >= 100 and redis_server.proc is not None:
            redis_server.stop()  # Redis goes away in the middle of the export

    ids: list[str] = []
    async with (
        Workfront(
            "https://acme.my.workfront.com",
            api_key=emu.api_key(),
            transport=emu.transport(),
            limiter=limiter,
            retry=Retry().without_backoff(),
        ) as wf,
        wf.export("task", page_size=10, progress=progress) as rows,
    ):
        async for page in rows.pages():
            ids.extend(row["ID"] for row in page)
    return sorted(ids), expected


async def test_redis_going_away_mid_export_is_a_clear_error(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    await open_key(redis_server.url, "acme.my.workfront.com")
    limiter = RedisLimiter.from_url(redis_server.url, capacity=4)
    try:
        with pytest.raises(WorkfrontError, match="Redis limiter at redis://:\\*\\*\\*@") as caught:
            await _export_until_redis_dies(redis_server, limiter)
    finally:
        await limiter.aclose()
    assert PASSWORD not in str(caught.value)
    assert all(PASSWORD not in r.getMessage() for r in caplog.records)


async def test_redis_going_away_mid_export_falls_back_when_asked(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    await open_key(redis_server.url, "acme.my.workfront.com")
    limiter = RedisLimiter.from_url(redis_server.url, capacity=4, fallback="local")
    try:
        with caplog.at_level(logging.WARNING, logger="workfront_async.limiter"):
            ids, expected = await _export_until_redis_dies(redis_server, limiter)
    finally:
        await limiter.aclose()
    assert ids == expected  # every row, exactly once
    assert any("per-process limit of 4" in r.getMessage() for r in caplog.records)
