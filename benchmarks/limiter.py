"""The shared limiter: what a ``RedisLimiter`` slot costs, and whether N processes
sharing one cap still use all of it.

``python -m benchmarks.limiter [--quick]`` starts its own ``redis-server`` on
loopback (Debian: ``apt-get install redis-server``) and measures:

1. **Cost per slot.** ``async with limiter`` taken and given back in a loop by one
   task (no contention), for ``anyio.CapacityLimiter`` and ``RedisLimiter``:
   microseconds per slot, and Redis commands per slot (from ``INFO commandstats``;
   acquire + release are one script call each). Then under contention (40 tasks,
   capacity 10, each slot held 2 ms): Redis commands per slot, which counts the
   polls of the waiters (pub/sub wakes them; the poll is the safety net).
2. **Sharing the cap.** A "request" holds a slot for ``hold`` seconds (the API's
   latency). One process with 10 tasks, then N processes with 10 tasks each, all
   sharing capacity 10: slots per second in total, and the ratio N / 1 (target
   >= 0.9: the hand-over between processes costs next to nothing against the
   latency). The local ``anyio.CapacityLimiter`` in one process is the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import anyio

from ._common import ROOT, free_port, spread

__all__ = ["run", "table"]


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway ``redis-server`` on a free loopback port; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not on PATH: apt-get install -y redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        try:
            import redis

            client = redis.Redis(port=port)
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            client.close()
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait()


def _commands(url: str) -> int:
    """Commands sent by clients to Redis so far: the limiter's script calls
    (``INFO commandstats`` also counts the commands run inside scripts: not those)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        stats = client.info("commandstats")
        return sum(
            int(v["calls"])
            for k, v in stats.items()
            if k.startswith(("cmdstat_eval", "cmdstat_script", "cmdstat_subscribe"))
            and isinstance(v, dict)
        )
    finally:
        client.close()


async def _cost(url: str, loops: int) -> dict[str, Any]:
    from workfront_async import RedisLimiter

    out: dict[str, Any] = {}
    local = anyio.CapacityLimiter(10)
    started = time.perf_counter()
    for _ in range(loops):
        async with local:
            pass
    out["local_us"] = (time.perf_counter() - started) / loops * 1e6

    limiter = RedisLimiter.from_url(url, capacity=10, name="bench-cost")
    try:
        async with limiter:  # connect and load the scripts first
            pass
        before = _commands(url)
        started = time.perf_counter()
        for _ in range(loops):
            async with limiter:
                pass
        out["redis_us"] = (time.perf_counter() - started) / loops * 1e6
        out["redis_commands_per_slot"] = (_commands(url) - before) / loops

        # contention: 40 tasks, 10 slots, 2 ms each
        per_task = max(1, loops // 40)
        before = _commands(url)

        async def user() -> None:
            for _ in range(per_task):
                async with limiter:
                    await anyio.sleep(0.002)

        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(user)
        out["contended_commands_per_slot"] = (_commands(url) - before) / (40 * per_task)
    finally:
        await limiter.aclose()
    return out


async def _worker(url: str, name: str, tasks: int, slots: int, hold: float, kind: str) -> None:
    """One process of the sharing run: wait for ``go`` on stdin, then take
    ``slots`` slots with ``tasks`` tasks, each held ``hold`` seconds."""
    from workfront_async import RedisLimiter

    limiter: Any = (
        anyio.CapacityLimiter(10)
        if kind == "local"
        else RedisLimiter.from_url(url, capacity=10, name=name)
    )
    if kind != "local":
        async with limiter:  # connected and subscribed before the clock starts
            pass
    left = slots

    async def user() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            async with limiter:
                await anyio.sleep(hold)

    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    async with anyio.create_task_group() as tg:
        for _ in range(tasks):
            tg.start_soon(user)
    print("done", flush=True)
    if kind != "local":
        await limiter.aclose()


def _share(url: str, processes: int, slots: int, hold: float, kind: str, rep: int) -> float:
    """Slots per second taken in total by ``processes`` processes."""
    name = f"bench-share-{processes}-{kind}-{rep}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.limiter",
                "--worker",
                url,
                name,
                "10",
                str(slots // processes),
                str(hold),
                kind,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("a limiter worker failed to start")
        started = time.perf_counter()
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "done":
                raise RuntimeError("a limiter worker failed")
        elapsed = time.perf_counter() - started
    finally:
        for p in procs:
            with contextlib.suppress(OSError):
                if p.stdin is not None:
                    p.stdin.close()
            p.wait()
            if p.stdout is not None:
                p.stdout.close()
    return (slots // processes) * processes / elapsed


def run(*, quick: bool = False, hold: float = 0.05) -> dict[str, Any]:
    """Run both parts; ``hold`` is the simulated API latency. The result is JSON-ready."""
    loops = 300 if quick else 3000
    reps = 2 if quick else 3
    slots = 200 if quick else 1000
    counts = (2, 4) if quick else (2, 4, 8)
    with redis_server() as url:
        cost = asyncio.run(_cost(url, loops))
        local = [_share(url, 1, slots, hold, "local", r) for r in range(reps)]
        one = [_share(url, 1, slots, hold, "redis", r) for r in range(reps)]
        shared = {n: [_share(url, n, slots, hold, "redis", r) for r in range(reps)] for n in counts}
    ideal = 10 / hold
    one_median = spread(one).median
    return {
        "loops": loops,
        "hold": hold,
        "slots": slots,
        "cost": cost,
        "ideal_slots_per_s": ideal,
        "local_one_process": spread(local).as_dict(),
        "redis_one_process": spread(one).as_dict(),
        "redis_shared": {
            str(n): {
                "slots_per_s": spread(v).as_dict(),
                "ratio_to_one": spread([x / one_median for x in v]).as_dict(),
                "met": spread(v).median / one_median >= 0.9,
            }
            for n, v in shared.items()
        },
    }


def table(result: dict[str, Any]) -> str:
    """The Markdown table of a result."""
    c = result["cost"]

    def r(d: dict[str, Any], fmt: str = "{:,.0f}") -> str:
        return f"{fmt.format(d['median'])} ({fmt.format(d['min'])} - {fmt.format(d['max'])})"

    lines = [
        "| measurement | median (min - max) | target |",
        "|---|---|---|",
        f"| one slot, anyio.CapacityLimiter: us | {c['local_us']:,.1f} | |",
        f"| one slot, RedisLimiter (loopback Redis): us | {c['redis_us']:,.0f} | |",
        f"| Redis commands per slot, no contention | {c['redis_commands_per_slot']:.2f} | 2 |",
        f"| Redis commands per slot, 40 tasks on 10 slots | "
        f"{c['contended_commands_per_slot']:.2f} | |",
        f"| 1 process, local limiter, slots/s (ideal {result['ideal_slots_per_s']:,.0f}) | "
        f"{r(result['local_one_process'])} | |",
        f"| 1 process, RedisLimiter, slots/s | {r(result['redis_one_process'])} | |",
    ]
    for n, v in result["redis_shared"].items():
        lines.append(
            f"| {n} processes sharing one RedisLimiter: slots/s; ratio to 1 process | "
            f"{r(v['slots_per_s'])}; **{r(v['ratio_to_one'], '{:.2f}')}** | >= 0.9 "
            f"{'met' if v['met'] else '**missed**'} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, name, tasks, slots, hold, kind = sys.argv[2:8]
        asyncio.run(_worker(url, name, int(tasks), int(slots), float(hold), kind))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.limiter")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--hold", type=float, default=0.05, help="seconds each slot is held (the API latency)"
    )
    args = parser.parse_args()
    result = run(quick=args.quick, hold=args.hold)
    print(table(result))
    print(f"\n(cpu_count={os.cpu_count()}, hold={result['hold']}s, {result['slots']} slots)")


if __name__ == "__main__":
    main()
