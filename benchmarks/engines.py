"""Engines against one process, and three tenants against one.

``python -m benchmarks.engines [--quick] [--engines spark,dask] [--out PATH]``
serves the embedded Workfront in subprocesses (``python -m
workfront_async.testing serve``: Workfront's cap of 10 concurrent requests, a
fixed latency per request), starts a ``redis-server`` on loopback (Debian:
``apt-get install redis-server``; Spark needs a Java runtime), and measures
rows per second of:

1. **One tenant.** One process's typed export (``wf.export(...)`` read as
   ``arrow_batches()``, the Arrow batches the engines produce) against Spark
   (a ``local[S]`` session: ``format("workfront")`` from ``load()`` to a
   ``count()``, which reads every partition in full) and Dask (a
   ``LocalCluster`` of worker processes: ``read_workfront`` and a ``len`` of
   every partition), the engines sharing
   the cap through the Redis. Target: each engine >= 0.9 of one process (the
   cap bounds all of them; an engine also plans: a count and the samples).
2. **Three tenants.** Three served tenants read at once by the same engine,
   each under its own cap (one Redis key per tenant host): total rows per
   second against that engine's one tenant. Target: >= 2.5.

The runs are interleaved and repeated; each engine's timed read follows a
read of a small object in as many tasks as there are slots, so that its Python
workers are up (Spark starts them at a session's first action and stops them
after a minute idle; the first action's time is reported on its own). Medians
with min and max; the machine's load average is in the result. No assertion:
the numbers are printed and written to ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ._common import ROOT, ServedProcess, emulator_command, machine, served_process, spread
from .limiter import redis_server

__all__ = ["main", "run"]

FIELDS = ["name", "status", "plannedCompletionDate", "percentComplete", "assignedTo:name"]
TENANTS = 3
PARTITIONS = 2  # per tenant: two tasks of 10 ranges each keep a tenant's 10 busy
SLOTS = 6  # Spark task slots / Dask worker threads: every task of three tenants at once


@dataclass(frozen=True)
class Sizes:
    scale: float  # demo data per tenant (1.0 = 20,000 tasks)
    latency: float  # seconds per request at the served emulator
    page_size: int
    reps: int

    @classmethod
    def full(cls) -> Sizes:
        # 80,000 tasks in pages of 200 at 1 s a request: 400 pages, 40 round
        # trips at the cap, about 40 s per tenant, so that an engine's fixed
        # costs per action (a Python worker started to plan, the count and the
        # samples: a few seconds) weigh what they weigh in a real export, and
        # light on the CPU (2,000 rows/s a tenant) so that three tenants at
        # once measure the caps, not two shared cores
        return cls(scale=4.0, latency=1.0, page_size=200, reps=3)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(scale=0.1, latency=0.05, page_size=100, reps=1)


def _timed(fn: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    rows = fn()
    return rows, time.perf_counter() - started


def one_process(tenant: ServedProcess, sizes: Sizes) -> int:
    """One process's typed export: its own cap of 10, Arrow batches."""
    import anyio

    from workfront_async import Workfront

    async def export() -> int:
        rows = 0
        async with Workfront(tenant.base_url, api_key=tenant.api_key) as wf:
            batches = wf.export("task", fields=FIELDS, page_size=sizes.page_size).arrow_batches()
            async for batch in batches:
                rows += batch.num_rows
        return rows

    return anyio.run(export)


class Spark:
    name = "spark"

    def __init__(self, redis_url: str) -> None:
        from pyspark.sql import SparkSession

        from workfront_async.spark import WorkfrontDataSource

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        self.redis_url = redis_url
        self.session = (
            SparkSession.builder.master(f"local[{SLOTS}]")
            .appName("workfront-async-bench")
            .config("spark.ui.enabled", "false")
            # concurrent jobs (one per tenant) share the slots instead of queueing
            .config("spark.scheduler.mode", "FAIR")
            .config("spark.executorEnv.PYTHONPATH", os.environ.get("PYTHONPATH", ROOT))
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")
        self.session.dataSource.register(WorkfrontDataSource)

    def read(
        self, tenant: ServedProcess, sizes: Sizes, obj: str = "task", partitions: int = PARTITIONS
    ) -> int:
        df = (
            self.session.read.format("workfront")
            .option("url", tenant.base_url)
            .option("api_key", tenant.api_key)
            .option("object", obj)
            .option("fields", ",".join(FIELDS if obj == "task" else ["name"]))
            .option("partitions", partitions)
            .option("page_size", sizes.page_size)
            .option("redis_url", self.redis_url)
            .load()
        )
        # every partition read in full, its Arrow batches counted in the JVM
        return int(df.count())

    def read_all(self, tenants: Sequence[ServedProcess], sizes: Sizes) -> int:
        totals = [0] * len(tenants)

        def one(i: int) -> None:
            totals[i] = self.read(tenants[i], sizes)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(tenants))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sum(totals)

    def close(self) -> None:
        self.session.stop()


class Dask:
    name = "dask"

    def __init__(self, redis_url: str) -> None:
        from distributed import Client, LocalCluster

        self.redis_url = redis_url
        self.cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=SLOTS // 2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        self.client = Client(self.cluster)

    def _frame(
        self, tenant: ServedProcess, sizes: Sizes, obj: str = "task", partitions: int = PARTITIONS
    ) -> Any:
        from workfront_async.dask import read_workfront

        df = read_workfront(
            tenant.base_url,
            api_key=tenant.api_key,
            obj=obj,
            fields=FIELDS if obj == "task" else ["name"],
            partitions=partitions,
            page_size=sizes.page_size,
            redis_url=self.redis_url,
        )
        return df.map_partitions(len).sum()

    def read(
        self, tenant: ServedProcess, sizes: Sizes, obj: str = "task", partitions: int = PARTITIONS
    ) -> int:
        return int(self._frame(tenant, sizes, obj, partitions).compute())

    def read_all(self, tenants: Sequence[ServedProcess], sizes: Sizes) -> int:
        import dask

        return int(sum(dask.compute(*[self._frame(t, sizes) for t in tenants])))

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


def run(sizes: Sizes, engines: Sequence[str]) -> dict[str, Any]:
    os.environ["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
    commands = [(emulator_command(sizes.scale, sizes.latency), sizes.latency)] * TENANTS
    result: dict[str, Any] = {
        "sizes": sizes.__dict__,
        "partitions_per_tenant": PARTITIONS,
        "slots": SLOTS,
        "machine": machine(),
    }
    with redis_server() as redis_url, served_process(commands) as tenants:
        result["served_build_seconds"] = [t.build_seconds for t in tenants]
        made: list[Spark | Dask] = []
        try:
            for name in engines:
                made.append(Spark(redis_url) if name == "spark" else Dask(redis_url))

            def warm(engine: Spark | Dask) -> float:
                """A read of a small object in as many tasks as there are slots:
                the engine's Python workers start (and import) or stay up."""
                return _timed(lambda: engine.read(tenants[0], sizes, "project", SLOTS))[1]

            # the session's first action, which starts the workers
            result["first_action_seconds"] = {e.name: warm(e) for e in made}
            one_rates: list[float] = []
            rates: dict[str, list[float]] = {e.name: [] for e in made}
            many: dict[str, list[float]] = {e.name: [] for e in made}
            rows: dict[str, int] = {}
            for rep in range(sizes.reps):
                n, secs = _timed(lambda: one_process(tenants[0], sizes))
                one_rates.append(n / secs)
                rows["one_process"] = n
                for engine in made:
                    # Spark stops Python workers idle for a minute (the other
                    # readers' turns): warm them before each timed read, as in
                    # a job past its first action, so that it measures reading
                    warm(engine)
                    n, secs = _timed(lambda e=engine: e.read(tenants[0], sizes))
                    rates[engine.name].append(n / secs)
                    rows[engine.name] = n
                    warm(engine)
                    n, secs = _timed(lambda e=engine: e.read_all(tenants, sizes))
                    many[engine.name].append(n / secs)
                    rows[f"{engine.name}_three_tenants"] = n
                print(f"rep {rep + 1}/{sizes.reps} done", file=sys.stderr, flush=True)
        finally:
            for engine in made:
                engine.close()
    result["rows"] = rows
    result["one_process_rows_per_s"] = spread(one_rates).as_dict()
    for name in rates:
        ratio = [r / o for r, o in zip(rates[name], one_rates, strict=True)]
        tenants_ratio = [m / r for m, r in zip(many[name], rates[name], strict=True)]
        result[name] = {
            "rows_per_s": spread(rates[name]).as_dict(),
            "vs_one_process": spread(ratio).as_dict(),
            "three_tenants_rows_per_s": spread(many[name]).as_dict(),
            "three_tenants_vs_one": spread(tenants_ratio).as_dict(),
            "met": {
                "one_tenant_0.9": spread(ratio).median >= 0.9,
                "three_tenants_2.5": spread(tenants_ratio).median >= 2.5,
            },
        }
    return result


def table(result: dict[str, Any]) -> str:
    s = result["sizes"]
    head = (
        f"{TENANTS} served tenants of {result['rows']['one_process']:,} tasks, cap 10, "
        f"latency {s['latency'] * 1000:.0f} ms, pages of {s['page_size']}, "
        f"{result['partitions_per_tenant']} partitions per tenant, {result['slots']} slots"
    )

    def r(d: dict[str, float], digits: int = 0) -> str:
        f = f"{{:,.{digits}f}}"
        return f"{f.format(d['median'])} ({f.format(d['min'])} - {f.format(d['max'])})"

    lines = [
        head,
        "",
        "| reader | rows/s | vs one process | three tenants rows/s | three / one |",
        "|---|---|---|---|---|",
        f"| one process | {r(result['one_process_rows_per_s'])} | 1 | | |",
    ]
    for name in ("spark", "dask"):
        if name in result:
            e = result[name]
            lines.append(
                f"| {name} | {r(e['rows_per_s'])} | {r(e['vs_one_process'], 2)} | "
                f"{r(e['three_tenants_rows_per_s'])} | {r(e['three_tenants_vs_one'], 2)} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engines", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--engines", default="spark,dask", help="comma-separated: spark,dask")
    parser.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"spark", "dask"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    sizes = Sizes.quick() if args.quick else Sizes.full()
    started = time.perf_counter()
    result = run(sizes, engines)
    result["seconds"] = time.perf_counter() - started
    result["command"] = "python -m benchmarks.engines" + (" --quick" if args.quick else "")
    text = table(result)
    result["table"] = text
    print(text)
    if args.out is not None:
        args.out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
