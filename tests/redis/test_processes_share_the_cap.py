"""Exports in separate OS processes, one Redis, one served Workfront.

docs/api-notes.md §1 "Limits": 10 concurrent requests per customer. Without a shared
limiter, separate processes overrun the cap (measured with the CLI: 2 processes
11 answers of 429, 4 processes 70, 8 processes 203); with one RedisLimiter
for the tenant they never do, and every file is exact.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from workfront_async import Workfront
from workfront_async._core.limiter import tenant_of
from workfront_async.export import open_writer
from workfront_async.testing import Emulator

from .conftest import RedisServer, open_key, worker_command, worker_env


async def _reference(emu: Emulator, path: Path) -> bytes:
    """The same export in this process, straight from the emulator."""
    async with Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    ) as wf:
        with open_writer(path, "jsonl", columns=["ID", "name"]) as writer:
            async with wf.export("task", fields=["name"], page_size=50, ordered=True) as rows:
                async for page in rows.pages():
                    writer.write(page)
    return await anyio.Path(path).read_bytes()


# Eight Python interpreters starting at once take 10-50 s on a shared 2-core
# machine (each import of the package and redis-py is CPU-bound): more than the
# default suite's budget, so eight run with the long tests (`nox -s soak`) and
# two in the default suite.
@pytest.mark.parametrize("processes", [2, pytest.param(8, marks=pytest.mark.soak)])
async def test_exporting_processes_never_pass_the_cap(
    redis_server: RedisServer, tmp_path: Path, processes: int
) -> None:
    emu = Emulator.with_demo_data(scale=0.02, max_concurrency=10, latency=0.05)
    expected = await _reference(emu, tmp_path / "reference.jsonl")
    assert expected.count(b"\n") == len(emu.rows("task")) > 0
    outs = [tmp_path / f"export-{i}.jsonl" for i in range(processes)]
    results: list[tuple[int, str]] = []
    async with emu.serve() as served:
        await open_key(redis_server.url, tenant_of(served.api_url))
        emu.stats.reset()
        started = [anyio.Event() for _ in outs]
        go = anyio.Event()

        async def one(out: Path, ready: anyio.Event) -> None:
            command = worker_command(
                "export", redis_server.url, served.api_url, emu.api_key(), str(out)
            )
            async with await anyio.open_process(command, env=worker_env()) as proc:
                assert proc.stdin is not None
                assert proc.stdout is not None
                assert proc.stderr is not None
                line = await proc.stdout.receive()
                assert line.strip() == b"ready", line
                ready.set()
                await go.wait()  # every export starts at once: they overlap
                await proc.stdin.send(b"go\n")
                errors = b"".join([chunk async for chunk in proc.stderr])
                results.append((await proc.wait(), errors.decode()))

        with anyio.fail_after(240):  # a hang guard
            async with anyio.create_task_group() as tg:
                for out, ready in zip(outs, started, strict=True):
                    tg.start_soon(one, out, ready)
                for ready in started:
                    await ready.wait()
                go.set()
    assert [code for code, _ in results] == [0] * processes, results
    for out in outs:
        assert out.read_bytes() == expected, out
    stats = emu.stats
    assert stats.rejected_concurrency == 0  # not one 429 caused by us
    assert stats.max_in_flight <= 10
    # the processes really overlapped: they shared the cap, not took turns
    assert stats.max_in_flight >= 2
