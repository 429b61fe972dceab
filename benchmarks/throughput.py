"""Sections 1 and 2: export throughput over real HTTP against the cap-bound
limit C x P / L, and against the alternatives on the same server and rows.

The emulator runs in separate processes (``python -m workfront_async.testing
serve --latency L``), one per latency, so that its CPU does not share this
process's interpreter. Every alternative sends the same search as the export
(``ID_Sort=asc``, pages of P rows: a correct pager needs a unique sort).
"""

from __future__ import annotations

import asyncio
import time
import warnings
from typing import Any

import httpx

from workfront_async import Retry, Workfront

from ._common import ServedProcess, Sizes, spread

__all__ = ["run_alternatives", "run_limit"]

CAP = 10
TARGET = 0.95


async def _ours(served: ServedProcess, page_size: int) -> tuple[int, float]:
    async with Workfront(
        served.base_url, api_key=served.api_key, max_concurrency=CAP, retry=Retry.none()
    ) as wf:
        started = time.perf_counter()
        n = 0
        async with wf.export("task", page_size=page_size) as rows:
            async for _ in rows:
                n += 1
        return n, time.perf_counter() - started


def _python_workfront(served: ServedProcess, page_size: int) -> tuple[int, float]:
    """The public python-workfront package: blocking urllib, one page after another."""
    from workfront import Session  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = Session(
            "bench",
            api_key=served.api_key,
            url_template=served.base_url + "/attask/api/{api_version}",
        )
    started = time.perf_counter()
    n = first = 0
    while True:
        page = session.get(
            "/task/search", {"ID_Sort": "asc", "$$FIRST": first, "$$LIMIT": page_size}
        )
        n += len(page)
        first += page_size
        if len(page) < page_size:
            return n, time.perf_counter() - started


def _httpx_sequential(served: ServedProcess, page_size: int) -> tuple[int, float]:
    """What a user writes by hand: one httpx client, page after page."""
    url = f"{served.base_url}/attask/api/v21.0/task/search"
    with httpx.Client(timeout=60) as client:
        started = time.perf_counter()
        n = first = 0
        while True:
            r = client.get(
                url,
                params={
                    "apiKey": served.api_key,
                    "ID_Sort": "asc",
                    "$$FIRST": first,
                    "$$LIMIT": page_size,
                },
            )
            r.raise_for_status()
            page = r.json()["data"]
            n += len(page)
            first += page_size
            if len(page) < page_size:
                return n, time.perf_counter() - started


async def _naive_gather(served: ServedProcess, page_size: int) -> dict[str, Any]:
    """Count, then ``asyncio.gather`` over every page at once: no cap, no retry."""
    api = f"{served.base_url}/attask/api/v21.0/task"
    key = served.api_key
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        count = (await client.get(f"{api}/count", params={"apiKey": key})).json()["data"]["count"]
        pages = -(-count // page_size)

        async def page(i: int) -> httpx.Response:
            params = {"apiKey": key, "ID_Sort": "asc", "$$FIRST": str(i * page_size)}
            return await client.get(f"{api}/search", params={**params, "$$LIMIT": str(page_size)})

        responses = await asyncio.gather(*(page(i) for i in range(pages)), return_exceptions=True)
        elapsed = time.perf_counter() - started
    ok = [r for r in responses if isinstance(r, httpx.Response) and r.status_code == 200]
    return {
        "pages": pages,
        "ok_pages": len(ok),
        "rows": sum(len(r.json()["data"]) for r in ok),
        "status_429": sum(
            1 for r in responses if isinstance(r, httpx.Response) and r.status_code == 429
        ),
        "other_failures": sum(
            1
            for r in responses
            if not isinstance(r, httpx.Response) or r.status_code not in (200, 429)
        ),
        "finished": len(ok) == pages,
        "seconds": elapsed,
    }


def run_limit(
    sizes: Sizes, servers: list[ServedProcess], expected_rows: int, server: str
) -> list[dict[str, Any]]:
    """Section 1: our export against C x P / L at each latency of ``servers``."""
    runs: list[dict[str, Any]] = []
    pages = -(-expected_rows // sizes.page_size)
    for served in servers:
        rates: list[float] = []
        seconds: list[float] = []
        for _ in range(sizes.reps):
            n, took = asyncio.run(_ours(served, sizes.page_size))
            if n != expected_rows:
                raise RuntimeError(f"the export returned {n} rows, expected {expected_rows}")
            rates.append(n / took)
            seconds.append(took)
        entry: dict[str, Any] = {
            "server": server,
            "rows": expected_rows,
            "pages": pages,
            "latency": served.latency,
            "rows_per_s": spread(rates).as_dict(),
            "seconds": spread(seconds).as_dict(),
        }
        if served.latency > 0:
            limit = CAP * sizes.page_size / served.latency
            # The count request travels with the first pages but takes one of
            # the C slots: pages + 1 requests, C per round trip.
            rounds = -(-(pages + 1) // CAP)
            entry["limit_rows_per_s"] = limit
            entry["ratio"] = spread([r / limit for r in rates]).as_dict()
            entry["schedule_bound_ratio"] = expected_rows / (rounds * served.latency) / limit
            entry["target"] = TARGET
            entry["met"] = entry["ratio"]["median"] >= TARGET
        runs.append(entry)
    return runs


def run_alternatives(sizes: Sizes, served: ServedProcess, expected_rows: int) -> dict[str, Any]:
    """Section 2: ours against python-workfront, a sequential httpx loop and a naive gather."""
    reps = max(2, min(sizes.reps, 3))
    ours: list[float] = []
    pw: list[float] = []
    seq: list[float] = []
    naive: list[dict[str, Any]] = []
    for _ in range(reps):
        n, took = asyncio.run(_ours(served, sizes.page_size))
        ours.append(n / took)
        n, took = _python_workfront(served, sizes.page_size)
        if n != expected_rows:
            raise RuntimeError(f"python-workfront read {n} rows, expected {expected_rows}")
        pw.append(n / took)
        n, took = _httpx_sequential(served, sizes.page_size)
        if n != expected_rows:
            raise RuntimeError(f"the httpx loop read {n} rows, expected {expected_rows}")
        seq.append(n / took)
        naive.append(asyncio.run(_naive_gather(served, sizes.page_size)))
    finished = [r for r in naive if r["finished"]]
    return {
        "latency": served.latency,
        "rows": expected_rows,
        "reps": reps,
        "ours_rows_per_s": spread(ours).as_dict(),
        "python_workfront": {
            "rows_per_s": spread(pw).as_dict(),
            "ours_multiple": spread([a / b for a, b in zip(ours, pw, strict=True)]).as_dict(),
        },
        "httpx_sequential": {
            "rows_per_s": spread(seq).as_dict(),
            "ours_multiple": spread([a / b for a, b in zip(ours, seq, strict=True)]).as_dict(),
        },
        "naive_gather": {
            "finished": f"{len(finished)}/{reps}",
            "status_429": spread([float(r["status_429"]) for r in naive]).as_dict(),
            "pages": naive[0]["pages"],
            "ok_pages": spread([float(r["ok_pages"]) for r in naive]).as_dict(),
            "rows": spread([float(r["rows"]) for r in naive]).as_dict(),
            "other_failures": sum(r["other_failures"] for r in naive),
            "seconds": spread([r["seconds"] for r in naive]).as_dict(),
            "ours_multiple": (
                spread(
                    [
                        o / (r["rows"] / r["seconds"])
                        for o, r in zip(ours, naive, strict=True)
                        if r["finished"]
                    ]
                ).as_dict()
                if finished
                else None
            ),
        },
    }
