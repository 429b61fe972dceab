"""Incremental sync against the embedded Workfront (docs/api-notes.md §2 "Batch
(polling)" and "Field history"): consecutive runs neither lose nor repeat a
change, also when changes share a timestamp."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from workfront_async import Q, QueryError, Workfront
from workfront_async.classic._changes import SyncCursor
from workfront_async.testing import Emulator

T0 = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


async def run(wf: Workfront, cursor: SyncCursor | None, **kw: Any) -> tuple[list[str], Any]:
    feed = wf.changes_since("task", cursor, fields=["name", "status"], **kw)
    ids = [row["ID"] async for row in feed]
    return ids, feed.cursor


async def test_runs_deliver_each_change_once(wf: Workfront, emu: Emulator) -> None:
    all_ids = {r["ID"] for r in emu.rows("task")}
    first, cursor = await run(wf, None)
    assert sorted(first) == sorted(all_ids)
    assert len(first) == len(set(first))

    again, cursor2 = await run(wf, cursor)
    assert again == []
    assert cursor2 == cursor

    # Edits at one frozen instant: several rows share lastUpdateDate.
    emu.set_now(T0)
    ids = sorted(all_ids)
    for oid in ids[:5]:
        await wf.update("task", oid, {"name": "edited"})
    second, cursor = await run(wf, cursor)
    assert sorted(second) == ids[:5]

    # More edits land at the very same instant after the run: not lost, and
    # the five already delivered are not repeated.
    for oid in ids[5:8]:
        await wf.update("task", oid, {"status": "CPL"})
    third, cursor = await run(wf, cursor)
    assert sorted(third) == ids[5:8]

    emu.advance(2.5)
    await wf.update("task", ids[0], {"name": "edited twice"})
    fourth, cursor = await run(wf, cursor)
    assert fourth == [ids[0]]


async def test_cursor_round_trips_through_text(wf: Workfront, emu: Emulator) -> None:
    _, cursor = await run(wf, None)
    assert SyncCursor.loads(cursor.dumps()) == cursor
    with pytest.raises(QueryError, match="state file"):
        SyncCursor.loads("{not json")


async def test_sync_pages_by_keyset_through_equal_timestamps(emu: Emulator) -> None:
    # Far more rows share one timestamp than fit in a page.
    emu.set_now(T0)
    project_id = emu.rows("project")[0]["ID"]
    emu.add_many("task", [{"name": f"bulk {i}", "projectID": project_id} for i in range(120)])
    async with Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    ) as wf:
        feed = wf.changes_since("task", T0)
        feed.page_size = 25
        got = [row["ID"] async for row in feed]
    at_t0 = [r["ID"] for r in emu.rows("task") if r["name"].startswith("bulk ")]
    assert sorted(got) == sorted(at_t0)
    assert len(got) == len(set(got))


async def test_journal_entries_record_field_changes(wf: Workfront, emu: Emulator) -> None:
    emu.set_now(T0)
    task = emu.rows("task")[0]
    await wf.update("task", task["ID"], {"status": "CPL" if task["status"] != "CPL" else "CUR"})
    entries = await wf.journal("task", field_names=["status"], since=T0).all()
    mine = [e for e in entries if e["objID"] == task["ID"]]
    assert len(mine) == 1
    assert mine[0]["oldTextVal"] == task["status"]
    assert mine[0]["fieldName"] == "status"


async def test_where_limits_the_changes(wf: Workfront, emu: Emulator) -> None:
    ids, _ = await run(wf, None, where=Q.status == "CUR")
    assert sorted(ids) == sorted(r["ID"] for r in emu.rows("task") if r["status"] == "CUR")


async def test_raw_where_and_parsed_dates(emu: Emulator) -> None:
    project = emu.rows("project")[0]["ID"]
    expected = sorted(r["ID"] for r in emu.rows("task") if r["projectID"] == project)
    async with Workfront(
        "https://acme.my.workfront.com",
        api_key=emu.api_key(),
        transport=emu.transport(),
        parse_dates=True,
    ) as wf:
        feed = wf.changes_since("task", T0.replace(year=2000), where={"projectID": project})
        feed.page_size = 5  # several keyset pages: raw where ANDed with OR levels
        rows = [row async for row in feed]
    assert sorted(r["ID"] for r in rows) == expected
    assert all(isinstance(r["lastUpdateDate"], datetime) for r in rows)


async def test_a_row_the_caller_fails_on_stays_due(wf: Workfront, emu: Emulator) -> None:
    feed = wf.changes_since("task", None)
    seen: list[str] = []

    async def load() -> None:
        async for row in feed:
            if len(seen) == 3:
                raise RuntimeError("the warehouse went away")
            seen.append(row["ID"])

    with pytest.raises(RuntimeError):
        await load()
    # The cursor covers the three handled rows, not the fourth.
    rest = [row["ID"] async for row in wf.changes_since("task", feed.cursor)]
    assert not set(seen) & set(rest)
    assert sorted(seen + rest) == sorted(r["ID"] for r in emu.rows("task"))
