"""The durable file sync (``sync_to_file``) in-process, under asyncio and trio:
runs deliver each change once, the state file keeps the output's committed
length, a crashed run's tail is cut off, older cursor files keep working and
a failing API keeps the committed rows (docs/api-notes.md §2 "Batch (polling)")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import orjson
import pytest

from tests.reliability._support import BASE, seeded
from workfront_async import QueryError, Retry, ServerError, SyncCursor, Workfront, sync_to_file
from workfront_async.testing import Emulator


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(backend: str, scenario: Callable[[], Awaitable[None]]) -> None:
    anyio.run(scenario, backend=backend)


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def wf_for(emu: Emulator, transport: httpx.AsyncBaseTransport | None = None) -> Workfront:
    return Workfront(
        BASE,
        api_key=emu.api_key(),
        transport=transport or emu.transport(),
        retry=Retry(attempts=2).without_backoff(),
    )


def test_runs_append_each_change_once(backend: str, tmp_path: Path) -> None:
    emu = seeded(700)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"

    async def scenario() -> None:
        async with wf_for(emu) as wf:
            first = await sync_to_file(
                wf, "task", output=out, state=state, fields=["name"], commit_every=64
            )
            assert first.rows == 700
            assert first.bytes_written == out.stat().st_size
            again = await sync_to_file(wf, "task", output=out, state=state)
            assert again.rows == 0
            assert again.cursor == first.cursor
            ids = sorted(r["ID"] for r in emu.rows("task"))
            for oid in ids[:5]:
                await wf.update("task", oid, {"name": "edited"})
            third = await sync_to_file(wf, "task", output=out, state=state, fields=["name"])
            assert third.rows == 5
            assert "5 changed rows appended" in str(third)

    run(backend, scenario)
    rows = lines(out)
    assert len(rows) == 705
    assert len({r["ID"] for r in rows[:700]}) == 700
    assert [r["name"] for r in rows[700:]] == ["edited"] * 5
    saved = orjson.loads(state.read_bytes())
    assert saved["output_length"] == out.stat().st_size
    # The state is still a cursor file that SyncCursor reads.
    assert SyncCursor.loads(state.read_bytes()).timestamp is not None


def test_a_crashed_runs_tail_is_cut_and_fetched_again(backend: str, tmp_path: Path) -> None:
    emu = seeded(300)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"

    async def scenario() -> None:
        async with wf_for(emu) as wf:
            await sync_to_file(wf, "task", output=out, state=state)
            ids = sorted(r["ID"] for r in emu.rows("task"))
            for oid in ids[:3]:
                await wf.update("task", oid, {"name": "after the crash"})
            committed = out.stat().st_size
            # What a run killed between writing a batch and saving the state
            # leaves: a whole row and half a row after the committed length.
            tail = orjson.dumps({"ID": ids[0], "name": "after the crash"}) + b'\n{"ID": "ha'
            with out.open("ab") as fh:
                fh.write(tail)
            report = await sync_to_file(wf, "task", output=out, state=state, fields=["name"])
            assert report.cut == len(tail)
            assert report.rows == 3
            assert out.stat().st_size == committed + report.bytes_written

    run(backend, scenario)
    rows = lines(out)
    assert len(rows) == 303
    assert sorted(r["ID"] for r in rows[300:]) == sorted(r["ID"] for r in emu.rows("task"))[:3]
    assert len({r["ID"] for r in rows[:300]}) == 300
    assert all(r["name"] == "after the crash" for r in rows[300:])


def test_a_cursor_file_of_an_older_version_is_continued(backend: str, tmp_path: Path) -> None:
    emu = seeded(50)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"

    async def scenario() -> None:
        async with wf_for(emu) as wf:
            # What the sync of earlier versions left: the rows and a bare cursor.
            feed = wf.changes_since("task", None)
            with out.open("wb") as fh:
                async for row in feed:
                    fh.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
            assert feed.cursor is not None
            state.write_text(feed.cursor.dumps())
            oid = emu.rows("task")[7]["ID"]
            await wf.update("task", oid, {"name": "later"})
            report = await sync_to_file(wf, "task", output=out, state=state)
            assert report.rows == 1
            assert report.cut == 0

    run(backend, scenario)
    assert len(lines(out)) == 51
    assert orjson.loads(state.read_bytes())["output_length"] == out.stat().st_size


def test_an_output_shorter_than_committed_is_refused(tmp_path: Path) -> None:
    emu = seeded(20)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"

    async def scenario() -> None:
        async with wf_for(emu) as wf:
            await sync_to_file(wf, "task", output=out, state=state)
            out.write_bytes(out.read_bytes()[:100])
            before = state.read_bytes()
            with pytest.raises(QueryError, match="changed outside the sync"):
                await sync_to_file(wf, "task", output=out, state=state)
            assert state.read_bytes() == before
            assert out.stat().st_size == 100
            # A moved-away output starts a new file from the cursor on.
            out.unlink()
            oid = emu.rows("task")[0]["ID"]
            await wf.update("task", oid, {"name": "new file"})
            report = await sync_to_file(wf, "task", output=out, state=state)
            assert report.rows == 1

    run("asyncio", scenario)
    assert [r["ID"] for r in lines(out)] == [emu.rows("task")[0]["ID"]]


def test_a_bad_state_file_says_what_to_do(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")

    async def scenario() -> None:
        async with wf_for(seeded(1)) as wf:
            with pytest.raises(QueryError, match="delete it"):
                await sync_to_file(wf, "task", output=tmp_path / "o.jsonl", state=state)
            with pytest.raises(QueryError, match="commit_every"):
                await sync_to_file(wf, "task", output="o", state="s", commit_every=0)

    run("asyncio", scenario)


class FailAfter(httpx.AsyncBaseTransport):
    """The emulator until ``searches`` searches have been answered, then 500s."""

    def __init__(self, inner: httpx.AsyncBaseTransport, searches: int) -> None:
        self.inner = inner
        self.left = searches

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/search"):
            if self.left <= 0:
                return httpx.Response(500, json={"error": {"message": "down"}})
            self.left -= 1
        return await self.inner.handle_async_request(request)


def test_an_api_failure_keeps_the_committed_rows(backend: str, tmp_path: Path) -> None:
    emu = seeded(2300)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"

    async def scenario() -> None:
        failing = FailAfter(emu.transport(), searches=1)
        async with wf_for(emu, failing) as wf:
            with pytest.raises(ServerError):
                await sync_to_file(wf, "task", output=out, state=state, commit_every=500)
        # The first page (2,000 rows) is on disk and covered by the cursor.
        assert len(lines(out)) == 2000
        assert orjson.loads(state.read_bytes())["output_length"] == out.stat().st_size
        async with wf_for(emu) as wf:
            report = await sync_to_file(wf, "task", output=out, state=state)
        assert report.rows == 300

    run(backend, scenario)
    ids = [r["ID"] for r in lines(out)]
    assert sorted(ids) == sorted(r["ID"] for r in emu.rows("task"))


def test_a_second_sync_on_the_same_state_is_refused(tmp_path: Path) -> None:
    import fcntl

    emu = seeded(10)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"

    async def scenario() -> None:
        async with wf_for(emu) as wf:
            await sync_to_file(wf, "task", output=out, state=state)
            # Another process running the same sync holds the lock.
            with (tmp_path / "state.json.lock").open("a") as other:
                fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                with pytest.raises(QueryError, match="another sync is running"):
                    await sync_to_file(wf, "task", output=out, state=state)
            # Once it is done, the next run goes ahead.
            report = await sync_to_file(wf, "task", output=out, state=state)
            assert report.rows == 0

    run("asyncio", scenario)
    assert len(lines(out)) == 10
