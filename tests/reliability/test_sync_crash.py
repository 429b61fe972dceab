"""The file sync against real failures: a real full disk (a 1 MB tmpfs, or a
1 MB file-size limit where mounting is not allowed) and a real process killed
with SIGKILL mid-sync. A tiny script runs ``sync_to_file`` in a subprocess
against the emulator served on 127.0.0.1; after the failure, the rerun leaves
each changed row in the output exactly once (docs/api-notes.md §2 "Batch (polling)")."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import anyio
import orjson
import uvicorn

from tests.reliability._support import client
from workfront_async.testing import Emulator

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, resource, signal, sys
    from workfront_async import Retry, Workfront, sync_to_file

    if os.environ.get("WF_TEST_FSIZE"):
        # Writes past this size fail with EFBIG, as a full disk's with ENOSPC.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(os.environ["WF_TEST_FSIZE"])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    async def main() -> None:
        url, output, state, every, fields = sys.argv[1:6]
        async with Workfront(
            url, api_key=os.environ["WF_TEST_KEY"], retry=Retry().without_backoff()
        ) as wf:
            report = await sync_to_file(
                wf, "task", output=output, state=state, fields=fields.split(","),
                commit_every=int(every),
            )
        print(report.rows, report.cut, flush=True)

    try:
        asyncio.run(main())
    except OSError as exc:
        print(f"sync failed: {exc}", file=sys.stderr)
        sys.exit(1)
    """
)


FIELDS = "name,description"


def tasks(count: int) -> Emulator:
    """An emulator with ``count`` tasks of about 600 bytes each as JSON."""
    emu = Emulator(seed=1)
    project = emu.add("proj", {"name": "Sync"})
    emu.add_many(
        "task",
        (
            {"name": f"task {i}", "projectID": project["ID"], "description": f"{i} " * 120}
            for i in range(count)
        ),
        validate=False,
    )
    return emu


@contextlib.asynccontextmanager
async def serve(app: App) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        ws="none",
        http="h11",
        access_log=False,
        interface="asgi3",
    )
    srv = uvicorn.Server(config)
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(srv.serve, [sock])
            while not srv.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
                await anyio.sleep(0.01)
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                srv.should_exit = True


def script(tmp_path: Path) -> Path:
    path = tmp_path / "sync_script.py"
    path.write_text(SCRIPT)
    return path


def env(emu: Emulator) -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[2])
    return {**os.environ, "WF_TEST_KEY": emu.api_key(), "PYTHONPATH": root}


async def run_script(
    tmp_path: Path,
    emu: Emulator,
    url: str,
    out: Path,
    state: Path,
    every: int,
    fsize: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    cmd = [sys.executable, str(script(tmp_path)), url, str(out), str(state), str(every), FIELDS]
    extra = {} if fsize is None else {"WF_TEST_FSIZE": str(fsize)}
    return await anyio.run_process(cmd, env={**env(emu), **extra}, check=False)


def rows_in(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[tuple[Path, int | None]]:
    """A 1 MB filesystem: a real tmpfs when this process may mount one (root),
    else a normal directory and a 1 MB file-size limit for the subprocess."""
    where.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        mounted = done.returncode == 0
    try:
        yield where, (None if mounted else 1 << 20)
    finally:
        if mounted:
            subprocess.run(["umount", str(where)], check=True)


async def test_a_full_disk_loses_no_row_and_the_rerun_repeats_none(tmp_path: Path) -> None:
    emu = tasks(2500)  # 1.5 MB of rows for a 1 MB disk
    want = sorted(r["ID"] for r in emu.rows("task"))
    async with serve(emu.app) as url:
        with small_disk(tmp_path / "small") as (disk, fsize):
            out, state = disk / "tasks.jsonl", disk / "state.json"
            failed = await run_script(tmp_path, emu, url, out, state, 250, fsize)
            assert failed.returncode == 1, failed.stderr
            assert b"sync failed" in failed.stderr
            assert b"No space left" in failed.stderr or b"File too large" in failed.stderr
            # What is on the small disk is whole rows, all covered by the state.
            saved = orjson.loads(state.read_bytes())
            assert saved["output_length"] == out.stat().st_size
            partial = rows_in(out)
            assert 0 < len(partial) < len(want)
            # The rerun goes to a roomy disk.
            roomy = tmp_path / "roomy"
            roomy.mkdir()
            shutil.copy(out, roomy / out.name)
            shutil.copy(state, roomy / state.name)
        rerun = await run_script(
            tmp_path, emu, url, roomy / "tasks.jsonl", roomy / "state.json", 250
        )
        assert rerun.returncode == 0, rerun.stderr
    ids = [r["ID"] for r in rows_in(roomy / "tasks.jsonl")]
    assert len(ids) == len(want)
    assert sorted(ids) == want


class Gate:
    """Passes requests to the emulator, but holds the ``hold_at``-th search
    until released: the syncing process is then mid-sync, with part of the
    rows written, when it is killed."""

    def __init__(self, app: App, hold_at: int) -> None:
        self.app = app
        self.hold_at = hold_at
        self.searches = 0
        self.holding = anyio.Event()
        self.release = anyio.Event()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/search"):
            self.searches += 1
            if self.searches == self.hold_at:
                self.holding.set()
                await self.release.wait()
        await self.app(scope, receive, send)


async def test_sigkill_mid_sync_then_rerun_delivers_each_row_once(tmp_path: Path) -> None:
    emu = tasks(2500)
    out, state = tmp_path / "tasks.jsonl", tmp_path / "state.json"
    gate = Gate(emu.app, hold_at=2)  # pages of 2,000 rows: hold the second
    cmd = [sys.executable, str(script(tmp_path)), "", str(out), str(state), "128", FIELDS]
    async with serve(gate) as url:
        cmd[2] = url
        proc = await anyio.open_process(cmd, env=env(emu))
        try:
            with anyio.fail_after(120):
                await gate.holding.wait()
            proc.send_signal(signal.SIGKILL)
            assert await proc.wait() == -signal.SIGKILL
        finally:
            gate.release.set()
            if proc.returncode is None:  # pragma: no cover - only if the test failed
                proc.kill()
                await proc.wait()
            await proc.aclose()
        killed_with = rows_in(out)
        assert 0 < len(killed_with) <= 2000
        # Edits between the runs are delivered once more, after the rest.
        first_ids = [r["ID"] for r in killed_with[:3]]
        async with client(emu) as wf:
            for oid in first_ids:
                await wf.update("task", oid, {"name": "edited"})
        rerun = await run_script(tmp_path, emu, url, out, state, 128)
        assert rerun.returncode == 0, rerun.stderr
    ids = [r["ID"] for r in rows_in(out)]
    assert len(ids) == 2503
    assert sorted(set(ids)) == sorted(r["ID"] for r in emu.rows("task"))
    assert sorted(ids[-3:]) == sorted(first_ids)
    assert len(set(ids[:-3])) == 2500
