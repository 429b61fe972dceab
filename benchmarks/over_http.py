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
* ``ours_httpx``: the same export with ``http="httpx"``;
* ``ours_typed``: the same export as ``ours`` with a generated row class,
  ``wf.export(Task, fields=TYPED_FIELDS)`` (every field the stand-in sends):
  each page is decoded by msgspec straight into ``Task`` instances (the
  projection of ``Task`` holding those fields; no dicts). ``Task`` is
  generated at the start of the run from the in-process demo emulator
  (``benchmarks.codegen``); the stand-in's rows use statuses of that tenant,
  so that every row fits the class.

Throughput is reported as a ratio to ``C x P / L``; CPU per row is the
process CPU time of the client (``time.process_time``, the server runs in
another process) per row, against ``orjson.loads`` of the same bodies and
against ``aiohttp_bare`` (the dict export's baseline: a client must read
HTTP too, and aiohttp is the default node's HTTP stack), each ratio taken
repetition by repetition. The typed export's target is against
``orjson.loads`` itself: it builds no dicts, only the row objects.
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
TARGETS = {0.05: 0.89, 0.2: 0.94}  # ratio to C x P / L, by latency (ours and ours_typed)
TARGET_TO_RAW = 0.95
TARGET_CPU = 1.3  # ours, CPU per row / orjson.loads
TARGET_CPU_TO_AIOHTTP = 1.1  # ours, CPU per row / aiohttp_bare
TARGET_CPU_TYPED = 1.0  # ours_typed, CPU per row / orjson.loads
CLIENTS = ("ceiling", "raw", "aiohttp_bare", "ours", "ours_httpx", "ours_typed")
TARGETED = ("ours", "ours_typed")
# Every field of the stand-in's rows (``fast_server.row``) besides the default set.
TYPED_FIELDS = (
    "name",
    "status",
    "priority",
    "percentComplete",
    "plannedStartDate",
    "plannedCompletionDate",
    "project:name",
    "assignedTo:name",
)  # the clients with a throughput target


async def _ours(served: ServedProcess, page_size: int, http: str, model: Any = None) -> int:
    async with Workfront(
        served.base_url,
        api_key=served.api_key,
        max_concurrency=CAP,
        retry=Retry.none(),
        http=http,
    ) as wf:
        n = 0
        # The typed export asks for the fields the stand-in sends (its rows are
        # projections holding them, the default field set included), so that
        # every value of every row is decoded, as orjson.loads decodes it.
        obj, fields = ("task", ()) if model is None else (model, TYPED_FIELDS)
        async with wf.export(obj, fields=fields, page_size=page_size) as rows:
            # The same consumer work as the calibration clients: count each page's rows.
            async for page in rows.pages():
                n += len(page)
        return n


def _client(
    name: str, served: ServedProcess, rows: int, page_size: int, model: Any
) -> Callable[[], int]:
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
    if name == "ours_typed":
        return lambda: asyncio.run(_ours(served, page_size, "auto", model))
    raise ValueError(name)


def _loads_cpu(bodies: list[bytes]) -> float:
    started = time.process_time()
    for body in bodies:
        orjson.loads(body)
    return time.process_time() - started


def _ratios(a: list[float], b: list[float]) -> dict[str, float | int]:
    return spread([x / y for x, y in zip(a, b, strict=True)]).as_dict()


def run(sizes: Sizes, servers: list[ServedProcess], rows: int, model: Any) -> dict[str, Any]:
    """``model``: the generated row class of the ``ours_typed`` client (``Task``)."""
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
                fn = _client(name, served, rows, page_size, model)
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
            target = TARGETS.get(served.latency, max(TARGETS.values()))
            entry["limit_rows_per_s"] = limit
            for name in CLIENTS:
                entry["clients"][name]["ratio"] = spread([r / limit for r in rates[name]]).as_dict()
            for name in TARGETED:
                entry["clients"][name]["target"] = target
                entry["clients"][name]["met"] = bool(
                    entry["clients"][name]["ratio"]["median"] >= target
                )
            entry["ratio"] = entry["clients"]["ours"]["ratio"]
            entry["typed_ratio"] = entry["clients"]["ours_typed"]["ratio"]
            entry["typed_to_ours"] = _ratios(rates["ours_typed"], rates["ours"])
            # Ours sends the count request too: pages + 1 requests, C per round trip.
            entry["schedule_bound_ratio"] = rows / (-(-(pages + 1) // CAP) * served.latency) / limit
            entry["calibration_schedule_bound_ratio"] = (
                rows / (-(-pages // CAP) * served.latency) / limit
            )
            entry["target"] = target
            entry["target_to_raw"] = TARGET_TO_RAW
            entry["met"] = entry["clients"]["ours"]["met"]
            entry["typed_met"] = entry["clients"]["ours_typed"]["met"]
            entry["met_to_raw"] = bool(entry["ours_to_raw"]["median"] >= TARGET_TO_RAW)
        else:
            # CPU per row: the client's process time against orjson.loads of the same
            # bodies and against bare aiohttp + orjson, repetition by repetition.
            to_loads = {name: _ratios(cpu[name], loads) for name in CLIENTS}
            to_bare = {name: _ratios(cpu[name], cpu["aiohttp_bare"]) for name in CLIENTS}
            typed = to_loads["ours_typed"]
            cpu_section = {
                "rows": rows,
                "pages": pages,
                "bytes_per_row": body_bytes / rows,
                "loads_us_per_row": spread(loads).as_dict(),
                "clients": {
                    name: {
                        "cpu_us_per_row": spread(cpu[name]).as_dict(),
                        "ratio_to_loads": to_loads[name],
                        "ratio_to_aiohttp_bare": to_bare[name],
                    }
                    for name in CLIENTS
                },
                "ratio": to_loads["ours"],
                "target": TARGET_CPU,
                "met": to_loads["ours"]["median"] <= TARGET_CPU,
                "ratio_to_aiohttp_bare": to_bare["ours"],
                "target_to_aiohttp_bare": TARGET_CPU_TO_AIOHTTP,
                "met_to_aiohttp_bare": to_bare["ours"]["median"] <= TARGET_CPU_TO_AIOHTTP,
                "typed_ratio": typed,
                "typed_target": TARGET_CPU_TYPED,
                "typed_met": typed["median"] <= TARGET_CPU_TYPED,
                "profile": profile_top(_client("ours", served, rows, page_size, model), lines=16),
                "profile_typed": profile_top(
                    _client("ours_typed", served, rows, page_size, model), lines=16
                ),
            }
        runs.append(entry)
    return {"cap": CAP, "page_size": page_size, "runs": runs, "cpu_per_row": cpu_section}
