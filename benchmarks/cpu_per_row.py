"""Section 3: CPU per row at zero latency, our export against ``orjson.loads``.

The target applies to the page interface (``export.pages()``, which the CLI
and the file writers use); the row-at-a-time interface is reported beside it.

The bodies are captured first (one export through the in-process emulator,
recorded by URL), then replayed through an ``httpx.MockTransport`` returning
the pre-encoded bytes: the figure is the client alone (httpx, the limiter,
the export's page scheduling and the row iteration), not the emulator. The
replay handler's own dictionary look-up and ``httpx.Response`` construction
are counted on our side. The baseline is ``orjson.loads`` of exactly the same
bodies (the count body included).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson

from workfront_async import Retry, Workfront
from workfront_async.testing import Emulator

from ._common import Sizes, profile_top, spread
from .inprocess import Recorder, replay_transport

__all__ = ["run"]

BASE = "https://bench.my.workfront.com"
TARGET = 1.3
WINDOW = 10  # pages the export keeps fetched or buffered (its concurrency)


async def _export(
    transport: httpx.AsyncBaseTransport, key: str, page_size: int, pages: bool = False
) -> int:
    """Export every task, visiting each row: one row at a time (``async for row
    in export``) or, with ``pages``, page by page (``export.pages()``, what the
    CLI and the file writers use)."""
    async with Workfront(BASE, api_key=key, transport=transport, retry=Retry.none()) as wf:
        n = 0
        async with wf.export("task", page_size=page_size) as rows:
            if pages:
                async for page in rows.pages():
                    for _row in page:
                        n += 1
            else:
                async for _ in rows:
                    n += 1
        return n


async def _timed_export(
    transport: httpx.AsyncBaseTransport, key: str, page_size: int, pages: bool = False
) -> tuple[int, float]:
    started = time.process_time()
    n = await _export(transport, key, page_size, pages)
    return n, time.process_time() - started


def run(sizes: Sizes, emu: Emulator) -> dict[str, Any]:
    key = emu.api_key()
    recorder = Recorder(emu.transport())
    rows = asyncio.run(_export(recorder, key, sizes.page_size))
    bodies = recorder.bodies
    replay = replay_transport(bodies)
    payload = list(bodies.values())
    ours: list[float] = []
    ours_rows: list[float] = []
    loads: list[float] = []
    walk: list[float] = []
    kept: list[float] = []
    for _ in range(sizes.reps):
        n, cpu = asyncio.run(_timed_export(replay, key, sizes.page_size, pages=True))
        if n != rows:
            raise RuntimeError(f"the replayed export returned {n} rows, expected {rows}")
        n, cpu_rows = asyncio.run(_timed_export(replay, key, sizes.page_size))
        if n != rows:
            raise RuntimeError(f"the replayed export returned {n} rows, expected {rows}")
        ours_rows.append(cpu_rows)
        started = time.process_time()
        for body in payload:
            orjson.loads(body)
        base = time.process_time() - started
        # A second, informative floor: decode and visit every row in a plain loop.
        started = time.process_time()
        seen = 0
        for body in payload:
            data = orjson.loads(body)["data"]
            if isinstance(data, list):
                for _row in data:
                    seen += 1
        walked = time.process_time() - started
        if seen != rows:
            raise RuntimeError(f"the bodies hold {seen} rows, the export yielded {rows}")
        # A third floor: decode while keeping the last `window` pages alive, as
        # the export's window does; the difference to plain loads is the cost
        # the garbage collector and the allocator pay for live pages.
        started = time.process_time()
        alive: list[Any] = []
        for body in payload:
            alive.append(orjson.loads(body))
            if len(alive) > WINDOW:
                alive.pop(0)
        windowed = time.process_time() - started
        del alive
        ours.append(cpu)
        loads.append(base)
        walk.append(walked)
        kept.append(windowed)
    ratios = [a / b for a, b in zip(ours, loads, strict=True)]
    ratio = spread(ratios)
    return {
        "rows": rows,
        "pages": len(payload) - 1,
        "bytes": sum(len(b) for b in payload),
        "ours_us_per_row": spread([c / rows * 1e6 for c in ours]).as_dict(),
        "ours_rowwise_us_per_row": spread([c / rows * 1e6 for c in ours_rows]).as_dict(),
        "ratio_rowwise": spread([a / b for a, b in zip(ours_rows, loads, strict=True)]).as_dict(),
        "loads_us_per_row": spread([c / rows * 1e6 for c in loads]).as_dict(),
        "loads_and_loop_us_per_row": spread([c / rows * 1e6 for c in walk]).as_dict(),
        "ratio": ratio.as_dict(),
        "loads_windowed_us_per_row": spread([c / rows * 1e6 for c in kept]).as_dict(),
        "ratio_to_loads_windowed": spread(
            [a / b for a, b in zip(ours, kept, strict=True)]
        ).as_dict(),
        "ratio_to_loads_and_loop": spread(
            [a / b for a, b in zip(ours, walk, strict=True)]
        ).as_dict(),
        "target": TARGET,
        "met": ratio.median <= TARGET,
        "profile": profile_top(
            lambda: asyncio.run(_export(replay, key, sizes.page_size, pages=True))
        ),
    }
