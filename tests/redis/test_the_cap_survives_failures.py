"""The shared cap holds when Redis forgets, stalls, or a process stalls.

Three worker processes share one ``RedisLimiter`` (capacity 10, a lease of one
second) and keep 18 requests wanted at once against a real HTTP server on
127.0.0.1 that counts the requests it is answering. Then Redis is flushed,
killed and restarted empty, or frozen (SIGSTOP) for twice the lease while
requests longer than that run, or one worker is frozen for three leases. The
server must never see more than 10 requests in flight, and the limiter must
hand out slots again afterwards.

Measured before leases were fenced: 13 to 20 in flight after FLUSHALL, 16 to 20
after a restart, 18 to 20 after Redis was frozen, and up to 20 after a worker
was frozen; that worker logged nothing, and once resumed sent requests on
grants that had lapsed while it was frozen.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import attrs
import pytest
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from workfront_async import Workfront
from workfront_async._core.limiter import tenant_of
from workfront_async.export import open_writer
from workfront_async.testing import Emulator

from ._counting_server import CountingServer
from ._worker import API_KEY
from .conftest import PASSWORD, RedisServer, worker_command, worker_env

CAPACITY = 10  # the workers' limiter (tests/redis/_worker.py)
WORKERS = 3
TASKS = 6  # per worker: 18 requests wanted at once, for 10 slots
LEASE = 1.0

Disruption = Callable[[list[Process]], Awaitable[None]]


@attrs.frozen
class Outcome:
    code: int
    answered: int
    failed: int
    stderr: str


@attrs.frozen
class Run:
    outcomes: list[Outcome]  # in the workers' order
    peak: int  # the most requests in flight at once, from the start to the stop
    answered_after: int  # requests answered after the disruption
    timeline: str  # the server's peaks and the test's marks, for a failure message


async def _run(
    redis_server: RedisServer,
    server: CountingServer,
    *,
    settle: float,
    disrupt: Disruption,
    after: float,
) -> Run:
    """Start the workers, let them fill the cap for ``settle`` s, ``disrupt``,
    let them run ``after`` s more, stop them."""
    procs: dict[int, Process] = {}
    outcomes: dict[int, Outcome] = {}
    ready = [anyio.Event() for _ in range(WORKERS)]
    go, stop = anyio.Event(), anyio.Event()

    async def one(index: int) -> None:
        command = worker_command("load", redis_server.url, server.base_url, str(LEASE), str(TASKS))
        async with await anyio.open_process(command, env=worker_env()) as proc:
            assert proc.stdin is not None
            assert proc.stdout is not None
            procs[index] = proc
            stdout = BufferedByteReceiveStream(proc.stdout)
            errors: list[bytes] = []

            async def drain() -> None:
                assert proc.stderr is not None
                errors.extend([chunk async for chunk in proc.stderr])

            async with anyio.create_task_group() as tg:
                tg.start_soon(drain)
                assert await stdout.receive_until(b"\n", 1000) == b"ready"
                ready[index].set()
                await go.wait()  # every worker starts at once: they compete
                await proc.stdin.send(b"go\n")
                await stop.wait()
                await proc.stdin.aclose()
                done = (await stdout.receive_until(b"\n", 1000)).split()
            assert done[0] == b"done", done
            code, stderr = await proc.wait(), b"".join(errors).decode()
            outcomes[index] = Outcome(code, int(done[1]), int(done[2]), stderr)

    with anyio.fail_after(90):  # a hang guard
        async with anyio.create_task_group() as tg:
            for i in range(WORKERS):
                tg.start_soon(one, i)
            for event in ready:
                await event.wait()
            go.set()
            await anyio.sleep(settle)
            before = server.answered
            server.mark("disrupt")
            await disrupt([procs[i] for i in range(WORKERS)])
            server.mark("disrupted")
            await anyio.sleep(after)
            # stopping cancels requests in flight; the server still answers them
            # while their slots are given back: the count stops here
            peak, answered_after = server.max_in_flight, server.answered - before
            server.mark("stop")
            stop.set()
    timeline = f"peaks {server.peaks}, marks {server.marks}"
    return Run([outcomes[i] for i in range(WORKERS)], peak, answered_after, timeline)


def _check(run: Run) -> None:
    assert [o.code for o in run.outcomes] == [0] * WORKERS, run.outcomes
    assert run.peak == CAPACITY, run.timeline  # the cap was reached, and never passed
    for outcome in run.outcomes:
        assert PASSWORD not in outcome.stderr
        assert API_KEY not in outcome.stderr


async def test_flushall_mid_run_never_passes_the_cap(redis_server: RedisServer) -> None:
    async def flush(_: list[Process]) -> None:
        client = redis_server.client()
        try:
            client.flushall()
        finally:
            client.close()

    async with CountingServer(delay=1.0).serve() as server:
        run = await _run(redis_server, server, settle=1.5, disrupt=flush, after=2.5)
    _check(run)
    assert run.answered_after > CAPACITY, run.timeline  # slots were handed out again
    for outcome in run.outcomes:
        assert "lost its record of the request slots of tenant" in outcome.stderr


async def test_redis_restarted_empty_never_passes_the_cap(redis_server: RedisServer) -> None:
    async def restart(_: list[Process]) -> None:
        redis_server.stop()
        await anyio.sleep(0.1)
        await anyio.to_thread.run_sync(redis_server.start)

    async with CountingServer(delay=1.0).serve() as server:
        run = await _run(redis_server, server, settle=1.5, disrupt=restart, after=2.5)
    _check(run)
    assert run.answered_after > CAPACITY, run.timeline  # slots were handed out again


async def test_redis_frozen_longer_than_the_lease_never_passes_the_cap(
    redis_server: RedisServer,
) -> None:
    async def freeze(_: list[Process]) -> None:
        assert redis_server.proc is not None
        os.kill(redis_server.proc.pid, signal.SIGSTOP)
        try:
            await anyio.sleep(2 * LEASE)  # while requests of 3 leases run
        finally:
            os.kill(redis_server.proc.pid, signal.SIGCONT)

    async with CountingServer(delay=3 * LEASE).serve() as server:
        run = await _run(redis_server, server, settle=0.5, disrupt=freeze, after=3.0)
    _check(run)
    assert run.answered_after >= CAPACITY, run.timeline


async def test_a_worker_frozen_past_its_lease_logs_the_lapse_and_sends_nothing_on_it(
    redis_server: RedisServer,
) -> None:
    async def freeze(procs: list[Process]) -> None:
        os.kill(procs[0].pid, signal.SIGSTOP)
        try:
            await anyio.sleep(3 * LEASE)  # the others take its slots
        finally:
            os.kill(procs[0].pid, signal.SIGCONT)

    async with CountingServer(delay=0.3).serve() as server:
        run = await _run(redis_server, server, settle=1.0, disrupt=freeze, after=1.5)
    _check(run)
    assert run.answered_after > CAPACITY, run.timeline
    frozen = run.outcomes[0].stderr
    # the lapse is logged with the tenant (its host), never a credential
    assert "lapsed" in frozen, frozen
    assert f"tenant {server.tenant} " in frozen, frozen
    assert all("lapsed" not in o.stderr for o in run.outcomes[1:]), run.outcomes


# The scenarios as first measured: three processes each exporting every task
# (the library's export, ordered, 40 pages) through the emulator served on
# 127.0.0.1, which counts requests in flight without refusing any; every file
# must be exact and the emulator must never count more than 10. Longer: soak.
SOAK = {
    # name: (answer latency s, lease s, disruption)
    "flushall": (2.0, 1.0, "flushall"),
    "restart": (0.5, 1.0, "restart"),
    "redis-frozen": (3.0, 1.0, "freeze-redis"),
    "exporter-frozen": (0.3, 2.0, "freeze-exporter"),
}


@pytest.mark.soak
@pytest.mark.parametrize("scenario", list(SOAK))
async def test_exports_keep_every_row_and_the_cap_through(
    redis_server: RedisServer, tmp_path: Path, scenario: str
) -> None:
    latency, lease, disruption = SOAK[scenario]
    emu = Emulator.with_demo_data(scale=0.02, max_concurrency=100)
    reference = tmp_path / "reference.jsonl"
    async with Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    ) as wf:
        with open_writer(reference, "jsonl", columns=["ID", "name"]) as writer:
            async with wf.export("task", fields=["name"], page_size=10, ordered=True) as rows:
                async for page in rows.pages():
                    writer.write(page)
    expected = reference.read_bytes()
    emu.latency = latency
    outs = [tmp_path / f"export-{i}.jsonl" for i in range(WORKERS)]
    results: dict[int, tuple[int, str]] = {}
    procs: dict[int, Process] = {}
    async with emu.serve() as served:
        ready = [anyio.Event() for _ in outs]
        go = anyio.Event()

        async def one(index: int) -> None:
            command = worker_command(
                "export", redis_server.url, served.api_url, emu.api_key(),
                str(outs[index]), str(lease), "10",
            )  # fmt: skip
            async with await anyio.open_process(command, env=worker_env()) as proc:
                assert proc.stdin is not None
                assert proc.stdout is not None
                assert proc.stderr is not None
                procs[index] = proc
                stdout = BufferedByteReceiveStream(proc.stdout)
                assert await stdout.receive_until(b"\n", 1000) == b"ready"
                ready[index].set()
                await go.wait()
                await proc.stdin.send(b"go\n")
                errors = b"".join([chunk async for chunk in proc.stderr])
                results[index] = (await proc.wait(), errors.decode())

        with anyio.fail_after(300):  # a hang guard
            async with anyio.create_task_group() as tg:
                for i in range(WORKERS):
                    tg.start_soon(one, i)
                for event in ready:
                    await event.wait()
                emu.stats.reset()
                go.set()
                while emu.stats.requests < 30:  # noqa: ASYNC110 - mid-export
                    await anyio.sleep(0.01)
                await _disrupt(disruption, redis_server, procs[0])
        stats = emu.stats
    assert [results[i][0] for i in range(WORKERS)] == [0] * WORKERS, results
    for out in outs:
        assert out.read_bytes() == expected, out  # not a row lost or repeated
    assert stats.max_in_flight == CAPACITY
    if disruption == "freeze-exporter":
        assert f"tenant {tenant_of(served.api_url)} " in results[0][1], results[0][1]


async def _disrupt(disruption: str, redis_server: RedisServer, exporter: Process) -> None:
    assert redis_server.proc is not None
    if disruption == "flushall":
        client = redis_server.client()
        try:
            client.flushall()
        finally:
            client.close()
    elif disruption == "restart":
        redis_server.stop()
        await anyio.to_thread.run_sync(redis_server.start)
    elif disruption == "freeze-redis":
        os.kill(redis_server.proc.pid, signal.SIGSTOP)
        await anyio.sleep(2.0)
        os.kill(redis_server.proc.pid, signal.SIGCONT)
    else:
        os.kill(exporter.pid, signal.SIGSTOP)
        await anyio.sleep(6.0)
        os.kill(exporter.pid, signal.SIGCONT)
