"""Incremental sync at the edge instants, through ``wf.changes_since`` and
``sync_to_file`` with the emulator's clock in the test's hands: a row edited
again within the cursor's millisecond is delivered again; edits made after
the server's clock stepped back are delivered (once), also the run after the
clock has caught up; a constant skew between the server's clock and ours
changes nothing; a cursor written by the previous version still loads
(docs/api-notes.md §2 "Batch (polling)")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from workfront_async import SyncCursor, Workfront, sync_to_file
from workfront_async.testing import Emulator

from ._support import client, seeded

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)


async def changes(wf: Workfront, cursor: SyncCursor | None) -> tuple[list[dict[str, Any]], Any]:
    feed = wf.changes_since("task", cursor, fields=["name"])
    rows = [row async for row in feed]
    # the cursor is stored as text between runs
    saved = None if feed.cursor is None else SyncCursor.loads(feed.cursor.dumps())
    return rows, saved


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(str(r["ID"]) for r in rows)


@pytest.fixture
def tasks() -> Emulator:
    # 30 tasks, all written at T0 (one millisecond), the clock stopped there
    return seeded(30, now=T0)


# -- the cursor's own millisecond ------------------------------------------------------


async def test_a_row_edited_again_within_the_cursors_millisecond_is_delivered_again(
    tasks: Emulator,
) -> None:
    emu = tasks
    all_ids = ids(emu.rows("task"))
    async with client(emu) as wf:
        first, cursor = await changes(wf, None)
        assert ids(first) == all_ids
        row = all_ids[3]
        for name in ("edited", "edited again"):
            # still T0: the edit keeps the lastUpdateDate the cursor holds
            await wf.update("task", row, {"name": name})
            rows, cursor = await changes(wf, cursor)
            assert [(r["ID"], r["name"]) for r in rows] == [(row, name)]
            assert cursor.timestamp == T0
            # and once delivered, not again
            again, cursor = await changes(wf, cursor)
            assert again == []


async def test_sync_to_file_appends_a_row_edited_again_within_the_same_millisecond(
    tasks: Emulator, tmp_path: Path
) -> None:
    emu = tasks
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"
    row = ids(emu.rows("task"))[0]
    async with client(emu) as wf:
        first = await sync_to_file(wf, "task", output=out, state=state, fields=["name"])
        assert first.rows == 30
        await wf.update("task", row, {"name": "same millisecond"})
        second = await sync_to_file(wf, "task", output=out, state=state, fields=["name"])
        assert second.rows == 1
        third = await sync_to_file(wf, "task", output=out, state=state, fields=["name"])
        assert third.rows == 0
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert (lines[-1]["ID"], lines[-1]["name"]) == (row, "same millisecond")
    assert len(lines) == 31


# -- the server's clock steps back ---------------------------------------------------


async def test_edits_after_the_servers_clock_steps_back_are_delivered_once(
    tasks: Emulator, tmp_path: Path
) -> None:
    emu = tasks
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"
    rows = ids(emu.rows("task"))

    async def sync(wf: Workfront) -> list[str]:
        before = out.stat().st_size if out.exists() else 0
        await sync_to_file(wf, "task", output=out, state=state, fields=["name"])
        with out.open("rb") as fh:
            fh.seek(before)
            return sorted(orjson.loads(line)["ID"] for line in fh.read().splitlines())

    async with client(emu) as wf:
        assert await sync(wf) == rows
        emu.advance(60)
        for oid in rows[:3]:
            await wf.update("task", oid, {"name": "a minute later"})
        assert await sync(wf) == rows[:3]
        cursor_at = T0 + timedelta(seconds=60)

        # The clock steps back ten minutes: the next edits are dated before
        # the cursor.
        emu.set_now(cursor_at - timedelta(minutes=10))
        for oid in rows[10:15]:
            emu.advance(1)
            await wf.update("task", oid, {"name": "after the step back"})
        assert await sync(wf) == rows[10:15]
        assert await sync(wf) == []  # read again, but not delivered again

        # One more edit while the clock is still behind, then it catches up
        # before the next run: the run after a step back reads the window again.
        emu.advance(5)
        await wf.update("task", rows[20], {"name": "just before it caught up"})
        emu.set_now(cursor_at + timedelta(seconds=30))
        assert await sync(wf) == [rows[20]]
        assert await sync(wf) == []

        # and on as usual
        await wf.update("task", rows[25], {"name": "later"})
        assert await sync(wf) == [rows[25]]
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(lines) == 30 + 3 + 5 + 1 + 1


async def test_rows_at_the_cursor_edited_after_a_step_back_are_delivered(
    tasks: Emulator,
) -> None:
    # Every row the cursor holds moves back in time and nothing is left after
    # the server's present: only the rows at the cursor's instant tell.
    emu = tasks
    rows = ids(emu.rows("task"))
    async with client(emu) as wf:
        _, cursor = await changes(wf, None)
        emu.set_now(T0 - timedelta(minutes=10))
        for oid in rows:
            emu.advance(0.5)
            await wf.update("task", oid, {"name": "moved back"})
        got, cursor = await changes(wf, cursor)
        assert ids(got) == rows
        again, _ = await changes(wf, cursor)
        assert again == []


async def test_a_constant_skew_between_the_clocks_changes_nothing() -> None:
    # The server runs five hours ahead of this machine (and then five hours
    # behind it): neither is read against the other.
    for skew in (timedelta(hours=5), -timedelta(hours=5)):
        emu = seeded(20, now=lambda skew=skew: datetime.now(UTC) + skew)
        rows = ids(emu.rows("task"))
        async with client(emu) as wf:
            first, cursor = await changes(wf, None)
            assert ids(first) == rows
            await wf.update("task", rows[0], {"name": "edited"})
            second, cursor = await changes(wf, cursor)
            assert ids(second) == [rows[0]]
            third, cursor = await changes(wf, cursor)
            assert third == []
            assert not cursor.behind


# -- cursors of the previous version ---------------------------------------------------


async def test_a_cursor_written_by_the_previous_version_still_loads(tasks: Emulator) -> None:
    emu = tasks
    rows = ids(emu.rows("task"))
    # what SyncCursor.dumps() wrote before the cursor remembered digests
    old = orjson.dumps({"version": 1, "timestamp": "2026-03-02T08:00:00.000Z", "ids": rows[:20]})
    cursor = SyncCursor.loads(old)
    assert cursor.timestamp == T0
    assert cursor.ids == frozenset(rows[:20])
    async with client(emu) as wf:
        rest, cursor = await changes(wf, cursor)
        assert ids(rest) == rows[20:]
        again, _ = await changes(wf, cursor)
        assert again == []
