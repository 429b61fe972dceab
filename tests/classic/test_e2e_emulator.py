"""End-to-end: the client against the embedded Workfront (``workfront_async.testing``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import anyio
import pytest

from workfront_async import (
    AuthenticationError,
    NotFoundError,
    Q,
    Retry,
    SessionAuth,
    Workfront,
)
from workfront_async.testing import Emulator, Faults

BASE = "https://acme.my.workfront.com"


@pytest.fixture
async def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.02)


def connect(emu: Emulator, **kw: Any) -> Workfront:
    kw.setdefault("api_key", emu.api_key())
    kw.setdefault("retry", Retry().without_backoff())
    return Workfront(BASE, transport=emu.transport(), **kw)


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    async with connect(emu) as client:
        yield client


async def test_search_pages_through_everything_exactly_once(emu: Emulator, wf: Workfront) -> None:
    expected = sorted(r["ID"] for r in emu.rows("task"))
    assert len(expected) > 300
    for size in (37, 2000):
        rows = await wf.search("task", fields=["name"], page_size=size).all()
        assert sorted(r["ID"] for r in rows) == expected
        assert len({r["ID"] for r in rows}) == len(rows)
    assert await wf.count("task") == len(expected)


async def test_filters_match_a_plain_python_evaluation(emu: Emulator, wf: Workfront) -> None:
    every = emu.rows("task")
    statuses = sorted({r["status"] for r in every if r.get("status")})[:2]
    expected = sorted(r["ID"] for r in every if r.get("status") in statuses)
    assert expected
    got = await wf.search("task", Q.status.isin(statuses), page_size=50).all()
    assert sorted(r["ID"] for r in got) == expected
    assert await wf.count("task", Q.status.isin(statuses)) == len(expected)
    raw = await wf.search("task", {"status": statuses, "status_Mod": "in"}).all()
    assert sorted(r["ID"] for r in raw) == expected
    limited = await wf.search("task", Q.status.isin(statuses), sort=["-name"], limit=10).all()
    names = [r["name"] for r in limited]
    assert len(limited) == min(10, len(expected))
    assert names == sorted(names, reverse=True)


async def test_never_more_than_the_cap_in_flight(emu: Emulator) -> None:
    emu.latency = (0.0, 0.002)
    ids = [r["ID"] for r in emu.rows("task")][:250]
    limiter = anyio.CapacityLimiter(10)
    async with connect(emu, limiter=limiter) as a, connect(emu, limiter=limiter) as b:
        got: list[str] = []

        async def one(client: Workfront, id_: str) -> None:
            got.append((await client.get("task", id_))["ID"])

        async with anyio.create_task_group() as tg:
            for i, id_ in enumerate(ids):
                tg.start_soon(one, a if i % 2 else b, id_)
    assert sorted(got) == sorted(ids)
    assert emu.stats.max_in_flight <= 10
    assert emu.stats.rejected_concurrency == 0


async def test_uri_limit_is_never_hit(emu: Emulator, wf: Workfront) -> None:
    real = [r["ID"] for r in emu.rows("task")]
    fake = [f"{i:032x}" for i in range(3000 - len(real))]
    result = await wf.get_many("task", fake[:100] + real + fake[100:], fields=["name"])
    assert [r["ID"] for r in result.rows] == real
    assert sorted(result.missing) == sorted(fake)
    values = real + fake[: 2000 - len(real)]
    found = await wf.search("task", Q.ID.isin(values)).all()
    assert sorted(r["ID"] for r in found) == sorted(real)
    assert emu.stats.rejected_uri == 0


async def test_writes_round_trip(emu: Emulator, wf: Workfront) -> None:
    project = await wf.create("proj", {"name": "E2E project"}, fields=["name"])
    assert emu.get("proj", project["ID"])["name"] == "E2E project"
    updated = await wf.update("proj", project["ID"], {"name": "Renamed"})
    assert updated["name"] == "Renamed"
    tasks = await wf.bulk_create(
        "task", [{"name": f"t{i}", "projectID": project["ID"]} for i in range(130)]
    )
    assert [t["name"] for t in tasks] == [f"t{i}" for i in range(130)]
    edited = await wf.bulk_update("task", [{"ID": t["ID"], "name": t["name"] + "!"} for t in tasks])
    assert [t["name"] for t in edited] == [f"t{i}!" for i in range(130)]
    child_ids = [t["ID"] for t in tasks]
    # deleting the project cascades; the children are then "not found", which counts as done
    await wf.bulk_delete("proj", [project["ID"]], force=True)
    await wf.bulk_delete("task", child_ids, force=True)
    with pytest.raises(NotFoundError):
        await wf.get("proj", project["ID"])


async def test_faults_are_retried_for_reads(emu: Emulator) -> None:
    expected = sorted(r["ID"] for r in emu.rows("task"))
    statuses = (429, 502, 503, 504)
    emu.faults = Faults(rate=0.3, statuses=statuses, truncate_rate=0.1)  # type: ignore[arg-type]
    async with connect(emu, retry=Retry(attempts=30).without_backoff()) as wf:
        rows = await wf.search("task", page_size=50).all()
    assert sorted(r["ID"] for r in rows) == expected
    assert emu.stats.faults_injected > 0


async def test_auth_against_the_emulator(emu: Emulator) -> None:
    async with connect(emu, api_key="not-a-key-000") as wf:
        with pytest.raises(AuthenticationError):
            await wf.count("task")
    token = emu.issue_token()
    async with connect(emu, api_key=None, auth=SessionAuth(token)) as wf:
        assert await wf.count("task") == len(emu.rows("task"))


async def test_dates_parse(emu: Emulator) -> None:
    async with connect(emu, parse_dates=True) as wf:
        rows = await wf.search("task", Q.plannedStartDate.not_null(), limit=5).all()
    assert rows
    assert all(isinstance(r["plannedStartDate"], datetime) for r in rows)
    assert all(r["plannedStartDate"].tzinfo is not None for r in rows)
