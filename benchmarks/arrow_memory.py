"""Typed Arrow exports: peak memory of ``arrow_batches()`` and the cost of
decoding pages into Arrow columns versus converting row dicts.

``python -m benchmarks.arrow_memory [--rows N ...] [--quick]``

Memory: each size runs in a fresh subprocess (``--child ROWS``) that streams
an ``arrow_batches()`` export of ROWS synthetic rows (a ``MockTransport``
generating Workfront-shaped pages on the fly, with Workfront's metadata for
the schema) and drops each batch; it prints the resident set before and the
peak (``VmHWM``) after. Bounded memory shows as a peak that does not grow
with the number of rows.

Decoding: the same pages are turned into a ``RecordBatch`` two ways, column
by column (``rows_to_batch``: Arrow parses the timestamps) and row by row
(``ExportSchema.typed_row`` then ``RecordBatch.from_pylist``); the result is
the ratio of their times (no absolute timings: the machines are shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from typing import Any

import httpx
import orjson

from ._common import ROOT, spread

__all__ = ["decode_ratio", "run"]

BASE = "https://bench.my.workfront.com"
FIELDS = [
    "name",
    "status",
    "priority",
    "percentComplete",
    "plannedStartDate",
    "plannedCompletionDate",
    "lastUpdateDate",
    "assignedTo:name",
    "DE:Score",
]


def _field(field_type: str) -> dict[str, Any]:
    return {"label": "x", "fieldType": field_type, "enumType": None, "url": None}


# Workfront's metadata shape (docs/api-notes.md §4 "Metadata").
METADATA = {
    "TASK": {
        "objCode": "TASK",
        "fields": {
            "ID": _field("string"),
            "name": _field("string"),
            "status": _field("string"),
            "priority": _field("int"),
            "percentComplete": _field("double"),
            "plannedStartDate": _field("dateTime"),
            "plannedCompletionDate": _field("dateTime"),
            "lastUpdateDate": _field("dateTime"),
            "DE:Score": _field("double"),
        },
        "references": {"assignedTo": {"typeObjCode": "USER", "fieldType": "User"}},
        "collections": {},
    },
    "USER": {"objCode": "USER", "fields": {"ID": _field("string"), "name": _field("string")}},
}


def _row(i: int) -> dict[str, Any]:
    return {
        "ID": f"{i:032x}",
        "name": f"Task {i}",
        "status": "CUR",
        "priority": i % 4,
        "percentComplete": float(i % 100),
        "plannedStartDate": "2023-12-14T16:21:04:394+0000",
        "plannedCompletionDate": "2024-01-23T16:21:04:394+0000",
        "lastUpdateDate": f"2024-07-02T03:{i % 60:02d}:38:711+0000",
        "assignedTo": None if i % 7 == 0 else {"ID": f"{i % 50:032x}", "name": f"User {i % 50}"},
        "DE:Score": i % 13 * 1.5,
        "objCode": "TASK",
    }


def _synthetic(total: int) -> httpx.MockTransport:
    headers = {"content-type": "application/json;charset=UTF-8"}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.lower()
        if path.endswith("/metadata"):
            code = path.rsplit("/", 2)[-2].upper()
            return httpx.Response(200, headers=headers, json={"data": METADATA[code]})
        if path.endswith("/count"):
            return httpx.Response(200, headers=headers, content=b'{"data":{"count":%d}}' % total)
        first = int(request.url.params["$$FIRST"])
        limit = int(request.url.params["$$LIMIT"])
        rows = [_row(i) for i in range(first, min(first + limit, total))]
        return httpx.Response(200, headers=headers, content=orjson.dumps({"data": rows}))

    return httpx.MockTransport(handler)


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


async def _child(rows: int) -> dict[str, Any]:
    import pyarrow  # noqa: F401  (imported before the baseline is taken)

    from workfront_async import Workfront

    async with Workfront(BASE, api_key="bench", transport=_synthetic(rows)) as wf:
        before = _status_kb("VmRSS")
        n = 0
        largest = 0
        async with wf.export("task", fields=FIELDS) as export:
            async for batch in export.arrow_batches():
                n += batch.num_rows
                largest = max(largest, batch.nbytes)
    if n != rows:
        raise RuntimeError(f"exported {n} rows, expected {rows}")
    return {
        "rows": rows,
        "rss_before_kb": before,
        "peak_kb": _status_kb("VmHWM"),
        "largest_batch_bytes": largest,
    }


def _measure(rows: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.arrow_memory", "--child", str(rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def decode_ratio(pages: int = 10, page_size: int = 2000, repeat: int = 5) -> dict[str, Any]:
    """Time of row-by-row conversion over column-by-column decoding of the
    same pages (above 1: the column path is faster)."""
    import pyarrow as pa

    from workfront_async.export import build_schema
    from workfront_async.export._arrow import arrow_schema, rows_to_batch

    schema = build_schema("TASK", FIELDS, METADATA)
    target = arrow_schema(schema)
    data = [[_row(p * page_size + i) for i in range(page_size)] for p in range(pages)]

    def columns() -> None:
        for page in data:
            rows_to_batch(schema, page, target)

    def dicts() -> None:
        for page in data:
            pa.RecordBatch.from_pylist([schema.typed_row(r) for r in page], schema=target)

    # same result both ways
    assert rows_to_batch(schema, data[0], target).equals(
        pa.RecordBatch.from_pylist([schema.typed_row(r) for r in data[0]], schema=target)
    )
    ratios = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        columns()
        t1 = time.perf_counter()
        dicts()
        t2 = time.perf_counter()
        ratios.append((t2 - t1) / (t1 - t0))
    return {"rows": pages * page_size, "dicts_over_columns": asdict(spread(ratios))}


def run(sizes: list[int]) -> dict[str, Any]:
    memory = [_measure(n) for n in sizes]
    return {
        "memory": memory,
        "peak_growth_kb": memory[-1]["peak_kb"] - memory[0]["peak_kb"],
        "decode": decode_ratio(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.arrow_memory")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(asyncio.run(_child(args.child))))
        return
    sizes = [2_000, 10_000] if args.quick else sorted(args.rows)
    print(json.dumps(run(sizes), indent=2, default=str))


if __name__ == "__main__":
    main()
