"""``read_workfront`` on a Dask ``LocalCluster`` of worker processes against the
served emulator: the rows, IDs and typed values of one export in this
process; column selection; Planning record types; and three tenants read at
once, each under its own cap (one Redis key per tenant host)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pandas as pd
import pyarrow as pa
import pytest

from tests.redis.conftest import RedisServer
from workfront_async import BearerAuth, PlanningV2, Workfront
from workfront_async.export import planning_export
from workfront_async.query import parse_query
from workfront_async.testing import Emulator, Served

from ._served import serve_in_thread

pytestmark = pytest.mark.engines

FIELDS = ["name", "status", "plannedCompletionDate", "percentComplete", "assignedTo:name"]
LISTS = ["assignments:assignedToID"]
WHERE = 'status != "CPL"'
BASE = "https://acme.my.workfront.com"


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02, latency=0.005)


@pytest.fixture(scope="module")
def cluster(emu: Emulator, engine_env: None) -> Iterator[Any]:
    """Two worker processes; the key and the Planning token in their environment."""
    from distributed import Client, LocalCluster

    saved = {k: os.environ.get(k) for k in ("WORKFRONT_API_KEY", "WORKFRONT_PLANNING_TOKEN")}
    os.environ["WORKFRONT_API_KEY"] = emu.api_key()
    os.environ["WORKFRONT_PLANNING_TOKEN"] = emu.issue_token()
    try:
        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=2,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as local,
            Client(local) as client,
        ):
            yield client
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _reference(emu: Emulator, fields: list[str], where: str | None) -> pd.DataFrame:
    async def run() -> pd.DataFrame:
        async with (
            Workfront(BASE, api_key=emu.api_key(), transport=emu.transport()) as wf,
            wf.export("task", parse_query(where) if where else None, fields=fields) as rows,
        ):
            return await rows.to_pandas()

    return anyio.run(run)


def _sorted(frame: pd.DataFrame, key: str = "ID") -> pd.DataFrame:
    return frame.sort_values(key).reset_index(drop=True)


def test_dask_reads_what_one_export_reads(cluster: Any, served: Served, emu: Emulator) -> None:
    from workfront_async.dask import read_workfront

    df = read_workfront(served.base_url, obj="task", fields=FIELDS + LISTS, where=WHERE)
    assert df.npartitions == 1  # 400 rows: one partition by default
    df = read_workfront(
        served.base_url, obj="task", fields=FIELDS + LISTS, where=WHERE, partitions=3
    )
    assert df.npartitions == 3
    got = df.compute()
    reference = _reference(emu, FIELDS + LISTS, WHERE)
    assert len(got) == len(reference) > 0
    assert got["ID"].is_unique
    scalars = [c for c in reference.columns if c != "assignments.assignedToID"]
    # the same typed values as Export.to_pandas(), and the dtypes Dask announced
    pd.testing.assert_frame_equal(_sorted(got[scalars]), _sorted(reference[scalars]))
    assert dict(got.dtypes) == dict(df.dtypes)
    assert str(got.dtypes["plannedCompletionDate"]) == "datetime64[ms, UTC]"
    assert got.dtypes["assignments.assignedToID"] == pd.ArrowDtype(pa.list_(pa.string()))
    lists = dict(zip(got["ID"], got["assignments.assignedToID"], strict=True))
    for oid, value in zip(reference["ID"], reference["assignments.assignedToID"], strict=True):
        assert list(lists[oid]) == list(value)


def test_selected_columns_are_all_that_is_read(cluster: Any, served: Served) -> None:
    from workfront_async.dask import read_workfront

    df = read_workfront(served.base_url, obj="task", fields=FIELDS, partitions=2)
    narrow = df[["ID", "assignedTo.name"]].compute()
    assert list(narrow.columns) == ["ID", "assignedTo.name"]
    assert len(narrow) == 400
    assert narrow["ID"].is_unique


def test_a_key_given_stays_out_of_the_task_graph_repr(
    cluster: Any, served: Served, emu: Emulator
) -> None:
    from workfront_async.dask import read_workfront

    df = read_workfront(served.base_url, api_key=emu.api_key(), obj="task", partitions=2)
    graph = dict(df.__dask_graph__())
    assert emu.api_key() not in repr(graph)
    assert len(df.compute()) == 400


def test_planning_records_read_as_their_export(cluster: Any, served: Served, emu: Emulator) -> None:
    from workfront_async.dask import read_workfront

    got = read_workfront(served.base_url, planning_record_type="rt000001").compute()

    async def export() -> pd.DataFrame:
        auth = BearerAuth(emu.issue_token())
        async with PlanningV2(BASE, auth=auth, transport=emu.transport()) as pl:
            return await planning_export(pl, "rt000001").to_pandas()

    reference = anyio.run(export)
    assert len(got) == len(reference) > 0
    pd.testing.assert_frame_equal(_sorted(got, "id"), _sorted(reference, "id"))


def test_three_tenants_read_at_once_each_under_its_own_cap(cluster: Any, tmp_path: Path) -> None:
    import dask

    from workfront_async.dask import read_workfront

    redis = RedisServer(tmp_path)
    redis.start()
    tenants = [Emulator.with_demo_data(seed=s, scale=0.02, latency=0.02) for s in (1, 2, 3)]
    try:
        with (
            serve_in_thread(tenants[0]) as one,
            serve_in_thread(tenants[1]) as two,
            serve_in_thread(tenants[2]) as three,
        ):
            served = [one, two, three]
            frames = [
                read_workfront(
                    s.base_url,
                    api_key=emu.api_key(),  # each tenant its own key
                    obj="task",
                    fields=["name"],
                    partitions=2,
                    page_size=10,
                    redis_url=redis.url,
                )
                for s, emu in zip(served, tenants, strict=True)
            ]
            results = dask.compute(*frames)
            names = {
                m.group(1)
                for key in redis.client().keys("workfront-async:limiter:*")
                if (m := re.search(r"\{(.+)\}", key.decode()))
            }
    finally:
        redis.stop()
    for result, emu in zip(results, tenants, strict=True):
        assert sorted(result["ID"]) == sorted(r["ID"] for r in emu.rows("task"))
        assert emu.stats.rejected_concurrency == 0  # no 429 at any tenant
        assert emu.stats.max_in_flight <= 10
    # one cap per tenant: a Redis key per tenant host, not one for all
    assert names == {f"127.0.0.1:{s.port}" for s in served}
