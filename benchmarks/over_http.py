"""Sections 1 (stand-in server) and 3: export throughput and CPU per row over
real HTTP, against a lean separate-process server whose ceiling is measured
in the same run.

For each latency ``L`` the same clients run in interleaved repetitions
(client A, B, C, ... then again), so that noise from other work on the
machine spreads over all of them:

* ``ceiling``: the raw asyncio client reading bodies without decoding them:
  the server, the loopback and the scheduler alone;
* ``raw``: the same client with ``orjson.loads`` (the calibration client);
* ``aiohttp_bare``: aiohttp + ``orjson.loads``, no library around it;
* ``ours``: ``Workfront(...).export()`` with the default node (aiohttp when
  the ``[fast]`` extra is installed);
* ``ours_httpx``: the same export with ``http="httpx"``.

Throughput is reported as a ratio to ``C x P / L``; CPU per row is the
process CPU time of the client (``time.process_time``, the server runs in
another process) per row, against ``orjson.loads`` of the same bodies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import orjson

from workfront_async import Retry, Workfront

from . import calibration
from ._common import ServedProcess, Sizes, profile_top, spread

__all__ = ["CLIENTS", "run"]

CAP = 10
TARGETS = {0.05: 0.85, 0.2: 0.95}  # ratio to C x P / L, by latency
TARGET_TO_RAW = 0.95
TARGET_CPU = 1.3
CLIENTS = ("ceiling", "raw", "aiohttp_bare", "ours", "ours_httpx")


async def _ours(served: ServedProcess, page_size: int, http: str) -> int:
    async with Workfront(
        served.base_url,
        api_key=served.api_key,
        max_concurrency=CAP,
        retry=Retry.none(),
        http=http,
    ) as wf:
        n = 0
        async with wf.export("task", page_size=page_size) as rows:
            # The same consumer work as the calibration clients: count each page's rows.
            async for page in rows.pages():
                n += len(page)
        return n


def _client(name: str, served: ServedProcess, rows: int, page_size: int) -> Callable[[], int]:
    url, key = served.base_url, served.api_key
    if name == "ceiling":
        return lambda: calibration.raw(url, key, rows, page_size, CAP, decode=False)[0]
    if name == "raw":
        return lambda: calibration.raw(url, key, rows, page_size, CAP, decode=True)[0]
    if name == "aiohttp_bare":
        return lambda: calibration.aiohttp_bare(url, key, rows, page_size, CAP)[0]
    if name == "ours":
        return lambda: asyncio.run(_ours(served, page_size, "auto"))
    if name == "ours_httpx":
        return lambda: asyncio.run(_ours(served, page_size, "httpx"))
    raise ValueError(name)


def _loads_cpu(bodies: list[bytes]) -> float:
    started = time.process_time()
    for body in bodies:
        orjson.loads(body)
    return time.process_time() - started


def run(sizes: Sizes, servers: list[ServedProcess], rows: int) -> dict[str, Any]:
    page_size = sizes.page_size
    pages = -(-rows // page_size)
    bodies = calibration.fetch_bodies(servers[0].base_url, servers[0].api_key, rows, page_size)
    body_bytes = sum(len(b) for b in bodies)
    runs: list[dict[str, Any]] = []
    cpu_section: dict[str, Any] = {}
    for served in servers:
        rates: dict[str, list[float]] = {name: [] for name in CLIENTS}
        cpu: dict[str, list[float]] = {name: [] for name in CLIENTS}
        loads: list[float] = []
        for _ in range(sizes.http_reps):
            for name in CLIENTS:
                fn = _client(name, served, rows, page_size)
                wall, proc = time.perf_counter(), time.process_time()
                n = fn()
                wall, proc = time.perf_counter() - wall, time.process_time() - proc
                if n != rows:
                    raise RuntimeError(f"{name} read {n} rows, expected {rows}")
                rates[name].append(n / wall)
                cpu[name].append(proc / n * 1e6)
            loads.append(_loads_cpu(bodies) / rows * 1e6)
        entry: dict[str, Any] = {
            "server": "stand-in",
            "rows": rows,
            "pages": pages,
            "latency": served.latency,
            "clients": {
                name: {
                    "rows_per_s": spread(rates[name]).as_dict(),
                    "cpu_us_per_row": spread(cpu[name]).as_dict(),
                }
                for name in CLIENTS
            },
            "rows_per_s": spread(rates["ours"]).as_dict(),
            "ours_to_raw": spread(
                [a / b for a, b in zip(rates["ours"], rates["raw"], strict=True)]
            ).as_dict(),
            "ours_to_ceiling": spread(
                [a / b for a, b in zip(rates["ours"], rates["ceiling"], strict=True)]
            ).as_dict(),
        }
        if served.latency > 0:
            limit = CAP * page_size / served.latency
            entry["limit_rows_per_s"] = limit
            for name in CLIENTS:
                entry["clients"][name]["ratio"] = spread([r / limit for r in rates[name]]).as_dict()
            entry["ratio"] = entry["clients"]["ours"]["ratio"]
            # Ours sends the count request too: pages + 1 requests, C per round trip.
            entry["schedule_bound_ratio"] = rows / (-(-(pages + 1) // CAP) * served.latency) / limit
            entry["calibration_schedule_bound_ratio"] = (
                rows / (-(-pages // CAP) * served.latency) / limit
            )
            entry["target"] = TARGETS.get(served.latency, 0.95)
            entry["target_to_raw"] = TARGET_TO_RAW
            entry["met"] = bool(entry["ratio"]["median"] >= entry["target"])
            entry["met_to_raw"] = bool(entry["ours_to_raw"]["median"] >= TARGET_TO_RAW)
        else:
            # CPU per row: the client's process time against orjson.loads of the same bodies.
            ratios = {
                name: spread([c / b for c, b in zip(cpu[name], loads, strict=True)]).as_dict()
                for name in CLIENTS
            }
            cpu_section = {
                "rows": rows,
                "pages": pages,
                "bytes_per_row": body_bytes / rows,
                "loads_us_per_row": spread(loads).as_dict(),
                "clients": {
                    name: {
                        "cpu_us_per_row": spread(cpu[name]).as_dict(),
                        "ratio_to_loads": ratios[name],
                    }
                    for name in CLIENTS
                },
                "ratio": ratios["ours"],
                "target": TARGET_CPU,
                "met": ratios["ours"]["median"] <= TARGET_CPU,
                "profile": profile_top(_client("ours", served, rows, page_size), lines=16),
            }
        runs.append(entry)
    return {"cap": CAP, "page_size": page_size, "runs": runs, "cpu_per_row": cpu_section}
