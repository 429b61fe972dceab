"""Four Spark tasks at once share the tenant's cap through Redis.

The served emulator counts the requests in flight (``stats.max_in_flight``)
and answers 429 "Too many concurrent API requests" past its cap
(``stats.rejected_concurrency``). Each task reads with up to 10 requests of its
own; with ``redis_url`` all of them together never pass 10 and never meet a
429. Without it the same read passes 10 (the control: the counter and the
overlap are real).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.redis.conftest import RedisServer
from workfront_async.testing import Emulator, Served

from .conftest import spark_session

pytestmark = [
    pytest.mark.engines,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

TASKS = 4


@pytest.fixture(scope="module")
def emu() -> Emulator:
    # 1,000 tasks in pages of 10: each task's 10 ranges keep 10 requests going
    return Emulator.with_demo_data(scale=0.05, latency=0.03)


@pytest.fixture(scope="module")
def spark(emu: Emulator, engine_env: None) -> Iterator[Any]:
    # four cores: the four tasks run at once
    session = spark_session(TASKS, **{"spark.executorEnv.WORKFRONT_API_KEY": emu.api_key()})
    from workfront_async.spark import WorkfrontDataSource

    session.dataSource.register(WorkfrontDataSource)
    try:
        yield session
    finally:
        session.stop()


def _read(spark: Any, served: Served, **options: Any) -> int:
    reader = (
        spark.read.format("workfront")
        .option("url", served.base_url)
        .option("object", "task")
        .option("fields", "name,status")
        .option("partitions", TASKS)
        .option("page_size", 10)
    )
    for key, value in options.items():
        reader = reader.option(key, value)
    rows = reader.load().collect()
    return len({row.ID for row in rows})


def test_four_tasks_with_redis_never_pass_ten_in_flight(
    spark: Any, served: Served, emu: Emulator, redis: RedisServer
) -> None:
    emu.max_concurrency = 1000  # count, do not refuse
    emu.stats.reset()
    assert _read(spark, served, redis_url=redis.url) == 1000
    assert emu.stats.max_in_flight <= 10
    assert emu.stats.rejected_concurrency == 0


def test_four_tasks_with_redis_meet_no_429(
    spark: Any, served: Served, emu: Emulator, redis: RedisServer
) -> None:
    emu.max_concurrency = 10  # Workfront's cap: an 11th request gets a 429
    emu.stats.reset()
    assert _read(spark, served, redis_url=redis.url) == 1000
    assert emu.stats.rejected_concurrency == 0
    assert emu.stats.requests >= 100  # 1,000 rows in pages of 10, at the least


def test_without_redis_the_tasks_pass_the_cap(spark: Any, served: Served, emu: Emulator) -> None:
    emu.max_concurrency = 1000
    emu.stats.reset()
    assert _read(spark, served) == 1000
    assert emu.stats.max_in_flight > 10
