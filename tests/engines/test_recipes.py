"""The engine recipes run the way their pages tell a reader to run them.

Each file-like example of ``docs/engines.md`` and the engine recipes is a
fenced block with a title (```` ```{.python title="spark_local.py"} ````): the
reader saves it under that name and runs it. Those blocks need Spark, Dask or
an orchestrator, so the default docs test (``tests/docs/test_examples.py``,
which runs every ```` ```python ```` block) leaves them to this module, which
saves each one and runs it as its page says, against the embedded Workfront
served on loopback and a real ``redis-server``, and checks what it wrote.
Every titled block must have a way to run here (``test_every_recipe_is_run``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import duckdb
import pandas as pd
import pytest

from tests.redis.conftest import RedisServer
from workfront_async import Workfront
from workfront_async.testing import Emulator, Served

from ._served import serve_in_thread
from .conftest import ROOT, spark_session, worker_env

pytestmark = [
    pytest.mark.engines,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

PAGES = [
    ROOT / "docs" / "engines.md",
    ROOT / "docs" / "recipes" / "spark.md",
    ROOT / "docs" / "recipes" / "dask.md",
    ROOT / "docs" / "recipes" / "orchestrators.md",
]
TITLED = re.compile(r'^```\{\.python title="([^"]+)"\}\n(.*?)^```$', re.MULTILINE | re.DOTALL)
RUN_TIMEOUT = 600


def _recipes() -> dict[str, str]:
    found: dict[str, str] = {}
    for page in PAGES:
        for title, code in TITLED.findall(page.read_text(encoding="utf-8")):
            assert title not in found, f"two recipes named {title!r}"
            found[title] = code
    return found


RECIPES = _recipes()
# The ones that need Airflow or Dagster, not installed here (see the page's note).
COMPILED_ONLY = {"workfront_dag.py", "dagster_defs.py"}


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02, latency=0.005)


def _run(title: str, cwd: Path, env: dict[str, str], *args: str) -> str:
    """Save the recipe as ``title`` in ``cwd`` and run ``python title args``."""
    (cwd / title).write_text(RECIPES[title], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, title, *args],
        cwd=cwd,
        env={**worker_env(), "SPARK_LOCAL_IP": "127.0.0.1", **env},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def _open_tasks(emu: Emulator) -> set[str]:
    return {r["ID"] for r in emu.rows("task") if r.get("status") != "CPL"}


def test_every_recipe_is_run() -> None:
    handled = {
        "spark_local.py",
        "Databricks notebook cell",
        "dask_distributed.py",
        "dask_tenants.py",
        "workfront_pipeline.py",
        *COMPILED_ONLY,
    }
    assert set(RECIPES) == handled


def test_spark_local_job(
    served: Served, emu: Emulator, redis: RedisServer, tmp_path: Path, engine_env: None
) -> None:
    emu.stats.reset()
    out = _run(
        "spark_local.py",
        tmp_path,
        {
            "WORKFRONT_URL": served.base_url,
            "WORKFRONT_API_KEY": emu.api_key(),
            "WORKFRONT_REDIS_URL": redis.url,
        },
    )
    written = pd.read_parquet(tmp_path / "tasks.parquet")
    assert set(written["ID"]) == _open_tasks(emu)
    assert len(written) == len(_open_tasks(emu))
    counts = {str(k): int(v) for k, v in written["status"].value_counts().items()}
    assert str(dict(sorted(counts.items()))) in out
    assert emu.stats.rejected_concurrency == 0


def test_databricks_notebook_cell(
    served: Served, emu: Emulator, redis: RedisServer, tmp_path: Path, engine_env: None
) -> None:
    """The cell, in a local Spark session with stand-ins for the notebook's
    ``dbutils.secrets`` and ``display``; the key in the workers' environment as
    the cluster's environment variable gives it."""
    secrets = {("workfront", "url"): served.base_url, ("workfront", "redis-url"): redis.url}

    class Secrets:
        def get(self, scope: str, key: str) -> str:
            return secrets[(scope, key)]

    class DbUtils:
        secrets = Secrets()

    shown: list[Any] = []
    spark = spark_session(
        2,
        **{
            "spark.executorEnv.WORKFRONT_API_KEY": emu.api_key(),
            "spark.sql.warehouse.dir": str(tmp_path / "warehouse"),
        },
    )
    try:
        code = compile(RECIPES["Databricks notebook cell"], "Databricks notebook cell", "exec")
        exec(code, {"spark": spark, "dbutils": DbUtils(), "display": shown.append})
        assert spark.table("workfront_tasks").count() == len(emu.rows("task"))
        [frame] = shown
        counts = {row["status"]: row["count"] for row in frame.collect()}
    finally:
        spark.stop()
    assert sum(counts.values()) == len(emu.rows("task"))


def test_dask_distributed_job(
    served: Served, emu: Emulator, redis: RedisServer, tmp_path: Path
) -> None:
    emu.stats.reset()
    out = _run(
        "dask_distributed.py",
        tmp_path,
        {
            "WORKFRONT_URL": served.base_url,
            "WORKFRONT_API_KEY": emu.api_key(),
            "WORKFRONT_REDIS_URL": redis.url,
        },
    )
    written = pd.read_parquet(tmp_path / "tasks")
    assert set(written["ID"]) == _open_tasks(emu)
    late = [r for r in emu.rows("task") if r.get("status") != "CPL" and r["percentComplete"] < 50]
    assert f"{len(late)} tasks under half done" in out
    assert emu.stats.rejected_concurrency == 0


def test_dask_many_tenants(redis: RedisServer, tmp_path: Path) -> None:
    tenants = {
        name: Emulator.with_demo_data(seed=seed, scale=0.01, latency=0.01)
        for seed, name in enumerate(["acme", "globex", "initech"], start=1)
    }
    with (
        serve_in_thread(tenants["acme"]) as acme,
        serve_in_thread(tenants["globex"]) as globex,
        serve_in_thread(tenants["initech"]) as initech,
    ):
        urls = {"acme": acme.base_url, "globex": globex.base_url, "initech": initech.base_url}
        config = {
            name: {"url": urls[name], "api_key_env": f"{name.upper()}_API_KEY"} for name in tenants
        }
        (tmp_path / "tenants.json").write_text(json.dumps(config), encoding="utf-8")
        keys = {f"{name.upper()}_API_KEY": emu.api_key() for name, emu in tenants.items()}
        out = _run(
            "dask_tenants.py",
            tmp_path,
            {"WORKFRONT_REDIS_URL": redis.url, **keys},
            "tenants.json",
        )
    for name, emu in tenants.items():
        assert f"tasks-{name}/" in out
        written = pd.read_parquet(tmp_path / f"tasks-{name}")
        assert sorted(written["ID"]) == sorted(r["ID"] for r in emu.rows("task"))
        assert emu.stats.rejected_concurrency == 0


def test_dlt_pipeline_runs_and_runs_again_incrementally(
    served: Served, emu: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.duckdb"
    env = {
        "WORKFRONT_URL": served.base_url,
        "WORKFRONT_API_KEY": emu.api_key(),
        "WORKFRONT_DUCKDB": str(database),
        "DLT_DATA_DIR": str(tmp_path / "dlt"),  # the pipeline's state, out of $HOME
    }
    _run("workfront_pipeline.py", tmp_path, env)

    def loaded(table: str = "task") -> dict[str, str]:
        with duckdb.connect(str(database)) as con:
            return dict(con.execute(f"SELECT id, status FROM workfront.{table}").fetchall())

    first = loaded()
    assert set(first) == {r["ID"] for r in emu.rows("task")}
    assert set(loaded("project")) == {r["ID"] for r in emu.rows("project")}

    # an edit between runs: the second run brings it
    target = next(i for i, status in first.items() if status != "CPL")

    async def edit() -> None:
        emu.advance(5)
        async with Workfront(
            "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
        ) as wf:
            await wf.update("task", target, {"status": "CPL"})

    anyio.run(edit)
    _run("workfront_pipeline.py", tmp_path, env)
    second = loaded()
    assert second[target] == "CPL"
    assert set(second) == set(first)


@pytest.mark.parametrize("title", sorted(COMPILED_ONLY))
def test_orchestrator_files_compile(title: str) -> None:
    compile(RECIPES[title], title, "exec")
    assert "from workfront_pipeline import pipeline, source" in RECIPES[title]
