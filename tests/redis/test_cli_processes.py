"""Eight ``workfront-async export`` processes pointed at one Redis and one
served Workfront finish with exact files and not one answer of 429.

docs/api-notes.md §1 "Limits": 10 concurrent requests per customer, not per process.
Measured before the shared limiter: 2 CLI processes caused 11 answers of 429,
4 caused 70, 8 caused 203. Here every process takes its slots from one
``RedisLimiter`` (``--redis-url``), so the emulator never counts more than 10
requests in flight.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio

from workfront_async._core.limiter import tenant_of
from workfront_async.testing import Emulator

from .conftest import RedisServer, open_key, worker_env

PROCESSES = 8


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "workfront_async.cli", *args]


async def test_eight_cli_exports_share_the_cap_through_redis(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    emu = Emulator.with_demo_data(scale=0.05, max_concurrency=10, latency=0.1)
    async with emu.serve() as served:

        def export(out: Path, *shared: str) -> list[str]:
            return _cli(
                "--url", served.base_url, "--api-key", emu.api_key(), "-q", *shared,
                "export", "task", "--fields", "name,status", "--page-size", "20",
                "--ordered", "-o", str(out),
            )  # fmt: skip

        reference = tmp_path / "reference.jsonl"
        with anyio.fail_after(120):  # a hang guard
            done = await anyio.run_process(export(reference), env=worker_env(), check=False)
        assert done.returncode == 0, done.stderr.decode()
        expected = reference.read_bytes()
        assert expected.count(b"\n") == len(emu.rows("task")) > 0

        await open_key(redis_server.url, tenant_of(served.base_url))
        emu.stats.reset()
        outs = [tmp_path / f"export-{i}.jsonl" for i in range(PROCESSES)]
        results: list[tuple[int, str]] = []

        async def one(out: Path) -> None:
            shared = ("--redis-url", redis_server.url)
            done = await anyio.run_process(export(out, *shared), env=worker_env(), check=False)
            results.append((done.returncode, done.stderr.decode()))

        with anyio.fail_after(300):  # a hang guard
            async with anyio.create_task_group() as tg:
                for out in outs:
                    tg.start_soon(one, out)
        stats = emu.stats
    assert [code for code, _ in results] == [0] * PROCESSES, results
    for out in outs:
        assert out.read_bytes() == expected, out
    assert stats.rejected_concurrency == 0  # not one 429
    assert stats.max_in_flight <= 10
    assert stats.max_in_flight >= 2  # the processes overlapped: they shared the cap
