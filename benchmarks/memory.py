"""Section 4: peak RSS of a streaming export to JSON Lines, at two sizes.

Each size runs in a fresh subprocess (``python -m benchmarks.memory ROWS
[URL]``) so that peaks do not carry over. With ``URL`` the pages come over
real HTTP from the stand-in server (``--lazy``: it encodes each page on
request), through the default node; without it from a synthetic
``MockTransport`` that generates rows on the fly. Either way nothing but the
client, the export and the writer holds memory in the measured process. The
subprocess prints one JSON line: the resident set before the export and the
peak (``VmHWM``) after it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

import httpx
import orjson

from ._common import ROOT, Sizes, fast_command, served_process, spread

__all__ = ["run"]

BASE = "https://bench.my.workfront.com"


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _synthetic(total: int) -> httpx.MockTransport:
    headers = {"content-type": "application/json;charset=UTF-8"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/count"):
            return httpx.Response(200, headers=headers, content=b'{"data":{"count":%d}}' % total)
        first = int(request.url.params["$$FIRST"])
        limit = int(request.url.params["$$LIMIT"])
        rows = [
            {
                "ID": f"{i:032x}",
                "name": f"Task {i}",
                "percentComplete": float(i % 100),
                "plannedCompletionDate": "2024-01-23T16:21:04:394+0000",
                "plannedStartDate": "2023-12-14T16:21:04:394+0000",
                "priority": i % 4,
                "status": "CUR",
                "objCode": "TASK",
            }
            for i in range(first, min(first + limit, total))
        ]
        return httpx.Response(200, headers=headers, content=orjson.dumps({"data": rows}))

    return httpx.MockTransport(handler)


async def _export(total: int, path: str, url: str | None) -> int:
    from workfront_async import Retry, Workfront
    from workfront_async.export import open_writer

    if url is None:
        client = Workfront(BASE, api_key="k", transport=_synthetic(total), retry=Retry.none())
    else:
        client = Workfront(url, api_key="fast-server", retry=Retry.none())
    async with client as wf:
        with open_writer(path) as writer:
            async with wf.export("task") as rows:
                async for page in rows.pages():  # as the CLI writes
                    writer.write(page)
        return writer.rows_written


def child(total: int, url: str | None = None) -> dict[str, Any]:
    import workfront_async.export  # noqa: F401 - load everything before the baseline
    from workfront_async import Workfront  # noqa: F401

    before = _status_kb("VmRSS")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tasks.jsonl")
        written = asyncio.run(_export(total, path, url))
        size = os.path.getsize(path)
    if written != total:
        raise RuntimeError(f"wrote {written} rows, expected {total}")
    return {"rows": written, "rss_before_kb": before, "peak_kb": _status_kb("VmHWM"), "bytes": size}


def _measure(total: int, url: str | None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", str(total), *([url] if url else [])],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the memory benchmark at {total} rows failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(sizes: Sizes) -> dict[str, Any]:
    small_n, large_n = sizes.memory_rows
    reps = max(2, min(sizes.reps, 3))
    small: list[dict[str, Any]] = []
    large: list[dict[str, Any]] = []
    commands = [
        ([*fast_command(n, 0.0, sizes.page_size), "--lazy"], 0.0) for n in (small_n, large_n)
    ]
    with served_process(commands) as (small_server, large_server):
        for _ in range(reps):
            small.append(_measure(small_n, small_server.base_url))
            large.append(_measure(large_n, large_server.base_url))
    mb = 1 / 1024
    ratio = spread([b["peak_kb"] / a["peak_kb"] for a, b in zip(small, large, strict=True)])
    plateau = _measure(sizes.memory_plateau_rows, None) if sizes.memory_plateau_rows else None
    return {
        "over": "real HTTP from the stand-in server (--lazy), default node",
        "rows": [small_n, large_n],
        "plateau": (
            {"rows": plateau["rows"], "peak_mb": plateau["peak_kb"] * mb} if plateau else None
        ),
        "peak_mb": [
            spread([r["peak_kb"] * mb for r in small]).as_dict(),
            spread([r["peak_kb"] * mb for r in large]).as_dict(),
        ],
        "growth_mb": [
            spread([(r["peak_kb"] - r["rss_before_kb"]) * mb for r in small]).as_dict(),
            spread([(r["peak_kb"] - r["rss_before_kb"]) * mb for r in large]).as_dict(),
        ],
        "file_mb": [small[0]["bytes"] / 2**20, large[0]["bytes"] / 2**20],
        "ratio": ratio.as_dict(),
        "target": 1.2,
        "met": ratio.median <= 1.2,
    }


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)))
