"""Engines against the served emulator: a local Spark session (PySpark with a
Java runtime) and a Dask ``LocalCluster`` of worker processes, reading the
embedded Workfront served on loopback, sharing the cap through a real
``redis-server``.

Tests marked ``engines`` run in ``nox -s engines`` (``pytest -m engines
tests/engines``) and only when the ``-m`` expression names ``engines``: the
default run (``-m "not soak and not peers"``) leaves them out, as it leaves out
the soak tests. The partition tests here (no engine) run in the default suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.redis.conftest import RedisServer
from workfront_async.testing import Emulator, Served

from ._served import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "engines" in (config.option.markexpr or ""):
        return
    chosen, left = [], []
    for item in items:
        (left if item.get_closest_marker("engines") else chosen).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = chosen


def worker_env() -> dict[str, str]:
    """The environment of engine workers: this checkout first on ``PYTHONPATH``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(scope="module")
def engine_env() -> Iterator[None]:
    """Spark's Python workers and Dask's worker processes import the package
    from the environment they inherit: make it this checkout. Spark binds to
    loopback only."""
    wanted = {"PYTHONPATH": worker_env()["PYTHONPATH"], "SPARK_LOCAL_IP": "127.0.0.1"}
    old = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def spark_session(cores: int = 2, **conf: str) -> Any:
    """A small local Spark session (``local[cores]``, no UI), the workers on
    this interpreter and this checkout. Stop it with ``.stop()``."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail(
            "no Java runtime: Spark needs one (Debian/Ubuntu: apt-get install -y "
            "openjdk-17-jre-headless); .ci/run installs it",
            pytrace=False,
        )
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("workfront-async-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.driver.memory", "512m")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.executorEnv.PYTHONPATH", worker_env()["PYTHONPATH"])
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Each module makes its own tenant (``emu``, sized for what it measures); these
# serve it and give the module a Redis server of its own.
@pytest.fixture(scope="module")
def served(emu: Emulator) -> Iterator[Served]:
    with serve_in_thread(emu) as served:
        yield served


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(Path(tmp_path_factory.mktemp("redis")))
    server.start()
    try:
        yield server
    finally:
        server.stop()
