"""Section 7: the emulator's time for a filtered, sorted 2000-row page, and
for the ID-sorted page the export asks for (which bounds what a single-process
served emulator can deliver in section 1)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from workfront_async.testing import Emulator

from ._common import Sizes, profile_top, spread

__all__ = ["run"]

API = "https://bench.my.workfront.com/attask/api/v21.0"
LIMIT_SECONDS = 1.0
FILTERED = {
    "status": "CPL",
    "status_Mod": "ne",
    "percentComplete": "90",
    "percentComplete_Mod": "lt",
    "plannedCompletionDate_Sort": "desc",
    "ID_Sort": "asc",
    "$$LIMIT": "2000",
}


async def _pages(emu: Emulator, params: dict[str, str], reps: int) -> tuple[list[float], int]:
    async with httpx.AsyncClient(transport=emu.transport(), base_url=API) as client:
        times: list[float] = []
        rows = 0
        for _ in range(reps):
            started = time.perf_counter()
            r = await client.get("/task/search", params={"apiKey": emu.api_key(), **params})
            times.append(time.perf_counter() - started)
            r.raise_for_status()
            rows = len(r.json()["data"])
        return times, rows


def run(sizes: Sizes, emu: Emulator) -> dict[str, Any]:
    tasks = emu.tenant.store.count("TASK")
    first = max(0, (tasks // 2) // 2000 * 2000)
    filtered, filtered_rows = asyncio.run(_pages(emu, {**FILTERED, "$$FIRST": "0"}, sizes.reps))
    export_params = {"ID_Sort": "asc", "$$FIRST": str(first), "$$LIMIT": str(sizes.page_size)}
    export_page, export_rows = asyncio.run(_pages(emu, export_params, sizes.reps))
    page = spread(filtered)
    return {
        "tasks": tasks,
        "filtered_query": "&".join(f"{k}={v}" for k, v in FILTERED.items()),
        "filtered_rows": filtered_rows,
        "filtered_page_s": page.as_dict(),
        "ratio_to_1s": spread([t / LIMIT_SECONDS for t in filtered]).as_dict(),
        "met": page.median < LIMIT_SECONDS,
        "export_page_first": first,
        "export_page_rows": export_rows,
        "export_page_s": spread(export_page).as_dict(),
        "profile_export_page": profile_top(
            lambda: asyncio.run(_pages(emu, export_params, 1)), lines=14
        ),
    }
