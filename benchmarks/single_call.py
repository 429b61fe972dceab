"""Section 6: one ``get`` through our client against the same request through
bare httpx, both decoding the body (we parse it, so the bare loop does too,
with orjson), one call after another:

- over real HTTP, to the stand-in server in its own process on loopback
  (keep-alive; the target applies here): ours with the default node and with
  ``http="httpx"``, against a bare ``httpx.AsyncClient``;
- in process, on the same ``MockTransport`` with a fixed body (a labelled
  extra: no socket, so our fixed cost per call is compared with httpx's alone).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson

from workfront_async import Retry, Workfront

from ._common import Sizes, spread

__all__ = ["run", "run_http"]

TARGET = 1.1
_FAST_KEY = "fast-server"  # benchmarks.fast_server takes any key

BASE = "https://bench.my.workfront.com"
API = f"{BASE}/attask/api/v21.0"
TASK_ID = "59eb09903e82427c4e98fe488095d524"
BODY = orjson.dumps(
    {
        "data": {
            "ID": TASK_ID,
            "name": "Planning",
            "percentComplete": 41.0,
            "plannedCompletionDate": "2024-01-23T16:21:04:394+0000",
            "status": "CUR",
            "priority": 0,
            "objCode": "TASK",
        }
    }
)


def _transport() -> httpx.MockTransport:
    headers = {"content-type": "application/json;charset=UTF-8"}

    def handler(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith(f"/task/{TASK_ID}"):
            return httpx.Response(404, json={"error": {"message": "unexpected request"}})
        return httpx.Response(200, headers=headers, content=BODY)

    return httpx.MockTransport(handler)


async def _ours(base_url: str, api_key: str, loops: int, **client: Any) -> float:
    async with Workfront(base_url, api_key=api_key, retry=Retry.none(), **client) as wf:
        await wf.get("task", TASK_ID)
        started = time.perf_counter()
        for _ in range(loops):
            row = await wf.get("task", TASK_ID)
        took = time.perf_counter() - started
    if row["ID"] != TASK_ID:
        raise RuntimeError("the client returned the wrong row")
    return took / loops * 1e6


async def _bare(base_url: str, api_key: str, loops: int, **client: Any) -> float:
    api = f"{base_url}/attask/api/v21.0"
    async with httpx.AsyncClient(base_url=api, **client) as c:
        await c.get(f"/task/{TASK_ID}", params={"apiKey": api_key})
        started = time.perf_counter()
        for _ in range(loops):
            r = await c.get(f"/task/{TASK_ID}", params={"apiKey": api_key})
            r.raise_for_status()
            row = orjson.loads(r.content)["data"]
        took = time.perf_counter() - started
    if row["ID"] != TASK_ID:
        raise RuntimeError("bare httpx returned the wrong row")
    return took / loops * 1e6


def run_http(sizes: Sizes, base_url: str) -> dict[str, Any]:
    """One get at a time over loopback HTTP, the clients interleaved."""
    ours: list[float] = []
    ours_httpx: list[float] = []
    bare: list[float] = []
    for _ in range(sizes.reps):
        loops = sizes.call_loops
        ours.append(asyncio.run(_ours(base_url, _FAST_KEY, loops, http="auto")))
        ours_httpx.append(asyncio.run(_ours(base_url, _FAST_KEY, loops, http="httpx")))
        bare.append(asyncio.run(_bare(base_url, _FAST_KEY, loops)))
    return {
        "loops": sizes.call_loops,
        "ours_us": spread(ours).as_dict(),
        "ours_httpx_us": spread(ours_httpx).as_dict(),
        "httpx_us": spread(bare).as_dict(),
        "ratio": spread([a / b for a, b in zip(ours, bare, strict=True)]).as_dict(),
        "ratio_httpx_node": spread(
            [a / b for a, b in zip(ours_httpx, bare, strict=True)]
        ).as_dict(),
        "target": TARGET,
        "met": spread(ours).median / spread(bare).median <= TARGET,
    }


def run(sizes: Sizes) -> dict[str, Any]:
    ours: list[float] = []
    bare: list[float] = []
    for _ in range(sizes.reps):
        # a fresh transport per client: httpx closes it with the client
        ours.append(asyncio.run(_ours(BASE, "k", sizes.call_loops, transport=_transport())))
        bare.append(asyncio.run(_bare(BASE, "k", sizes.call_loops, transport=_transport())))
    return {
        "loops": sizes.call_loops,
        "ours_us": spread(ours).as_dict(),
        "httpx_us": spread(bare).as_dict(),
        "ratio": spread([a / b for a, b in zip(ours, bare, strict=True)]).as_dict(),
    }
