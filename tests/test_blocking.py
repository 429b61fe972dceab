"""The blocking facade: the same client without await, usable many times."""

from __future__ import annotations

import asyncio
import threading

import pytest

from workfront_async import NotFoundError, QueryError, SyncCursor
from workfront_async import Workfront as AsyncWorkfront
from workfront_async.blocking import Workfront
from workfront_async.testing import Emulator


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.with_demo_data(scale=0.01)


@pytest.fixture
def wf(emu: Emulator) -> Workfront:
    with Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    ) as client:
        yield client


def test_many_calls_on_one_client(wf: Workfront, emu: Emulator) -> None:
    # The async client under two asyncio.run() calls fails with "Event loop is
    # closed"; the blocking one keeps its own loop for its whole life.
    tasks = emu.rows("task")
    assert wf.count("task") == len(tasks)
    assert wf.count("task") == len(tasks)
    row = wf.get("task", tasks[0]["ID"], fields=["name"])
    assert row["name"] == tasks[0]["name"]


def test_same_errors(wf: Workfront) -> None:
    with pytest.raises(NotFoundError):
        wf.get("task", "0" * 32)
    with pytest.raises(QueryError):
        wf.search("task", page_size=5000)


def test_search_pages_lazily_and_stops_when_left(wf: Workfront, emu: Emulator) -> None:
    before = emu.stats.requests
    rows = iter(wf.search("task", sort=["ID"]).page_size(10))
    first = next(rows)
    assert first["ID"] == min(r["ID"] for r in emu.rows("task"))
    # one page asked for so far (200 tasks in pages of 10 would be 20 requests)
    assert emu.stats.requests - before <= 2
    rows.close()
    assert len(list(wf.search("task").page_size(50))) == len(emu.rows("task"))
    assert wf.search("task").first() is not None


def test_export_in_a_with_block_and_left_early(wf: Workfront, emu: Emulator) -> None:
    with wf.export("task", fields=["name"], page_size=20) as rows:
        ids = [row["ID"] for row in rows]
    assert sorted(ids) == sorted(r["ID"] for r in emu.rows("task"))
    with wf.export("task", page_size=10) as rows:
        for _ in rows:
            break
    assert wf.count("project") == len(emu.rows("project"))  # still usable


def test_change_feed_keeps_its_cursor(wf: Workfront, emu: Emulator) -> None:
    feed = wf.changes_since("task", None, fields=["name"])
    assert len(list(feed)) == len(emu.rows("task"))
    assert isinstance(feed.cursor, SyncCursor)
    assert list(wf.changes_since("task", feed.cursor)) == []


def test_works_inside_a_running_event_loop(emu: Emulator) -> None:
    # A notebook runs its own loop in the main thread; the facade must not touch it.
    async def notebook_cell() -> int:
        with Workfront(
            "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
        ) as client:
            return int(client.count("user"))

    assert asyncio.run(notebook_cell()) == len(emu.rows("user"))


def test_close_ends_the_thread_and_is_idempotent(emu: Emulator) -> None:
    before = threading.active_count()
    client = Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    )
    forgotten = iter(client.search("task").page_size(5))
    next(forgotten)
    client.close()
    client.close()
    assert threading.active_count() == before
    with pytest.raises(RuntimeError):
        client.count("task")


def test_bad_arguments_fail_like_the_async_client() -> None:
    with pytest.raises(QueryError) as blocking_error:
        Workfront("https://acme.my.workfront.com", api_key="a", session_id="b")
    with pytest.raises(QueryError) as async_error:
        AsyncWorkfront("https://acme.my.workfront.com", api_key="a", session_id="b")
    assert str(blocking_error.value) == str(async_error.value)
