"""What a RedisLimiter does when Redis forgets its state or stands still.

The rule: a key Redis has no record of (flushed, restarted, lost, failed over;
or new) starts a new epoch that hands out no new slot for one lease. By then
every lease Redis forgot has been counted again by its live holder (each
renews four times a lease) or would have expired. A Redis that stood still
(SIGSTOP) does not let leases lapse for it: a gap between two calls counts for
at most a third of a lease on the key's lease clock.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from collections.abc import Callable

import anyio
import pytest

from workfront_async import RedisLimiter

from .conftest import RedisServer, open_key, worker_command, worker_env

MakeLimiter = Callable[..., RedisLimiter]
LEASE = 0.6
KEYS = "workfront-async:limiter:{test-tenant}"


async def _granted_within(limiter: RedisLimiter, seconds: float) -> bool:
    """Whether ``limiter`` is given a slot within ``seconds`` (then given back)."""
    with anyio.move_on_after(seconds):
        async with limiter:
            return True
    return False


async def test_a_new_key_hands_out_its_first_slots_one_lease_after_first_use(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RedisLimiter.from_url(redis_server.url, capacity=2, name="acme.example", lease_ttl=1)
    try:
        started = anyio.current_time()
        with caplog.at_level(logging.WARNING, logger="workfront_async"):
            async with limiter:
                waited = anyio.current_time() - started
            # open now: granted without another lease's wait (the bound only
            # catches a limiter that stays shut, not a slow machine)
            assert await _granted_within(limiter, 5 * LEASE + 5)
        assert waited >= 0.9, waited  # no slot before one lease of the first use
        (record,) = [r for r in caplog.records if r.levelno == logging.WARNING]
        text = record.getMessage()
        assert "has no record of the request slots of tenant acme.example" in text
        assert "redis://:***@127.0.0.1" in text
        assert (await limiter.stats()).opens_in == 0
    finally:
        await limiter.aclose()


async def test_after_flushall_holders_count_again_and_newcomers_wait(
    redis_server: RedisServer, make_limiter: MakeLimiter, caplog: pytest.LogCaptureFixture
) -> None:
    holder = make_limiter(capacity=2, lease_ttl=LEASE)
    newcomer = make_limiter(capacity=2, lease_ttl=LEASE)
    first, second = await holder.acquire(), await holder.acquire()
    client = redis_server.client()
    try:
        client.flushall()
    finally:
        client.close()
    with caplog.at_level(logging.WARNING, logger="workfront_async"):
        # the holder's two requests are still in flight: no slot for anyone,
        # during the new epoch's first lease nor after it
        assert not await _granted_within(newcomer, 3 * LEASE)
        stats = await newcomer.stats()
        assert (stats.in_flight, stats.opens_in) == (2, 0)
        await holder.release(first)
        assert await _granted_within(newcomer, 5)
        await holder.release(second)
    texts = [r.getMessage() for r in caplog.records]
    assert any(
        "lost its record of the request slots of tenant test-tenant" in t
        and "counts its 2 request(s) in flight there again" in t
        for t in texts
    ), texts


async def test_a_restart_from_a_snapshot_is_a_new_epoch(
    redis_server: RedisServer, make_limiter: MakeLimiter
) -> None:
    # Redis restored from a snapshot has a key, but not the slots handed out
    # after the snapshot: it is a new epoch too (its run_id changed)
    holder = make_limiter(capacity=3, lease_ttl=LEASE)
    newcomer = make_limiter(capacity=3, lease_ttl=LEASE)
    early = await holder.acquire()
    client = redis_server.client()
    try:
        client.save()  # the snapshot knows one slot
    finally:
        client.close()
    late = [await holder.acquire(), await holder.acquire()]  # it does not know these
    redis_server.stop()
    redis_server.start()  # loads the snapshot from its directory
    assert not await _granted_within(newcomer, 3 * LEASE)
    assert (await newcomer.stats()).in_flight == 3
    for lease in [early, *late]:
        await holder.release(lease)
    assert await _granted_within(newcomer, 5)


async def test_a_lost_holders_set_is_a_new_epoch(
    redis_server: RedisServer, make_limiter: MakeLimiter
) -> None:
    # an eviction or a stray DEL of the set of holders, not of the whole key
    holder = make_limiter(capacity=1, lease_ttl=LEASE)
    newcomer = make_limiter(capacity=1, lease_ttl=LEASE)
    lease = await holder.acquire()
    client = redis_server.client()
    try:
        assert client.delete(f"{KEYS}:holders") == 1
    finally:
        client.close()
    assert not await _granted_within(newcomer, 3 * LEASE)
    await holder.release(lease)
    assert await _granted_within(newcomer, 5)


async def test_redis_frozen_longer_than_the_lease_lets_no_lease_lapse(
    redis_server: RedisServer, make_limiter: MakeLimiter
) -> None:
    lease = 1.2
    await open_key(redis_server.url, "frozen")
    holder = subprocess.Popen(  # noqa: ASYNC220 - a process to freeze and SIGKILL
        worker_command("hold", redis_server.url, "frozen", str(lease), "1"),
        stdout=subprocess.PIPE,
        text=True,
        env=worker_env(),
    )
    newcomer = make_limiter(capacity=1, name="frozen", lease_ttl=lease)
    assert redis_server.proc is not None
    redis_pid = redis_server.proc.pid
    try:
        assert holder.stdout is not None
        assert (await anyio.to_thread.run_sync(holder.stdout.readline)).strip() == "held"
        # the holder is frozen too, so that its renewal cannot reach Redis before
        # the newcomer's call when Redis resumes: that call sees the gap first
        holder.send_signal(signal.SIGSTOP)
        os.kill(redis_pid, signal.SIGSTOP)
        async with anyio.create_task_group() as tg:
            tg.start_soon(_granted_within, newcomer, 0.1)  # a call waiting in Redis
            await anyio.sleep(2 * lease)
            os.kill(redis_pid, signal.SIGCONT)
        assert not await _granted_within(newcomer, 0.2)
        holder.send_signal(signal.SIGCONT)
        assert not await _granted_within(newcomer, 2 * lease)  # renewed: still held
        holder.send_signal(signal.SIGKILL)
        assert await _granted_within(newcomer, 2 * lease + 5)
    finally:
        os.kill(redis_pid, signal.SIGCONT)
        if holder.poll() is None:
            holder.send_signal(signal.SIGCONT)
            holder.send_signal(signal.SIGKILL)
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
